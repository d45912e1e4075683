// A claimed batch becomes a run: the problem built from the live state (problem.ts), solved by the optimizer,
// stored with its front, a solution chosen by the policy (selection.ts) and, unless the policy is manual,
// approved and turned into work orders at once. One model per run: a batch holding events of assets of several
// models plans the model of its oldest event and hands the others to the next batch.
import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigurationFront, formatIssue, readConfigurationProblem } from '@pss/model';
import { Batch, ConfigurationRun, Database, StoredTriggerEvent, repositories } from '../persistence';
import { CloudConfig } from '../platform/config';
import { CLOCK, CLOUD_CONFIG, Clock, DATABASE, Principal } from '../platform/tokens';
import { FeedbackService } from '../feedback/feedback.service';
import { ApiError, badRequest, conflict, notFound } from '../triggers/http';
import { LiveEvents, RunSummary } from '../triggers/live-events';
import { CatalogModel } from '../triggers/model-catalog';
import { TriggerStore } from '../triggers/trigger-store';
import { TriggerService } from '../triggers/trigger.service';
import { CreateAndDispatchResult, WorkOrderService } from '../work-orders/work-order.service';
import { WorkOrderQueries } from '../work-orders/work-order-queries';
import { OptimizerService } from './optimizer.service';
import { GanttRow, RunStats, ganttOf, occurrencesOf, runFront, runStats } from './plan';
import { buildProblem } from './problem';
import { applyObserved } from './reliabilities';
import { RunQueries } from './run-queries';
import { Explanation, choose, explainApproval } from './selection';
import { withWitness } from './witness';

export interface RunDetail {
  id: string;
  batchId: string;
  state: ConfigurationRun['state'];
  algorithm: string;
  policy: string | null;
  chosenIndex: number | null;
  error: string | null;
  createdAt: number;
  approvedBy: string | null;
  approvedAt: number | null;
  front: ConfigurationFront | null;
  explanation: unknown;
  stats: unknown;
  /** The Gantt rows of the chosen solution (or of the one asked for), epoch ms. */
  gantt: { solution: number; rows: GanttRow[] } | null;
  problem?: unknown;
}

@Injectable()
export class ConfigurationService {
  private readonly logger = new Logger('ConfigurationService');

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CLOUD_CONFIG) private readonly config: CloudConfig,
    @Inject(TriggerService) private readonly triggers: TriggerService,
    @Inject(FeedbackService) private readonly feedback: FeedbackService,
    @Inject(WorkOrderService) private readonly workOrders: WorkOrderService,
    @Inject(OptimizerService) private readonly optimizer: OptimizerService,
    @Inject(LiveEvents) private readonly live: LiveEvents,
  ) {}

  /**
   * Solves a batch this instance has claimed. Returns the run (null when the batch held nothing to plan). A batch
   * that already has a run (an instance that stopped after saving it) is only finished.
   */
  async solveBatch(batch: Batch): Promise<ConfigurationRun | null> {
    const tenant = batch.tenant;
    const repos = repositories(this.db);
    const existing = await repos.runs.getByBatch(tenant, batch.id);
    if (existing !== null) {
      await this.finish(batch, existing.state === 'failed' ? { state: 'failed', error: existing.error ?? 'failed' } : { state: 'solved' });
      return existing;
    }

    const originMs = batch.claimedAt ?? this.clock();
    const events = (await repos.events.listByBatch(tenant, batch.id)).filter((e) => e.state === 'open' && e.plannedRun === null);
    const deferred: RunStats['deferred'] = [];
    const groups = new Map<string, { model: CatalogModel; events: StoredTriggerEvent[] }>();
    const store = new TriggerStore(this.db);
    for (const e of events) {
      const check = await this.triggers.check(tenant, e.asset, e.trigger);
      if (!check.ok) {
        // The registry changed since the event arrived: park it with the reason, out of the batch.
        if (await store.markUnplanned(tenant, e.eventId, check.issue)) {
          const view = await store.get(tenant, e.eventId);
          if (view !== null) this.live.publish({ type: 'trigger', tenant, action: 'unplanned', event: view, at: this.clock() });
        }
        deferred.push({ eventId: e.eventId, reason: check.issue });
        continue;
      }
      const key = JSON.stringify([check.model.id, check.model.version]);
      const group = groups.get(key) ?? { model: check.model, events: [] };
      group.events.push(e);
      groups.set(key, group);
    }
    if (groups.size === 0) {
      await this.finish(batch, { state: 'failed', error: `no plannable events (${deferred.map((d) => `${d.eventId}: ${d.reason}`).join('; ') || 'none left'})` });
      return null;
    }
    const oldest = (g: { events: StoredTriggerEvent[] }): number => Math.min(...g.events.map((e) => e.firedAt));
    const [chosen, ...later] = [...groups.values()].sort((a, b) => oldest(a) - oldest(b));
    for (const g of later) {
      await new RunQueries(this.db).detach(tenant, batch.id, g.events.map((e) => e.eventId));
      for (const e of g.events) deferred.push({ eventId: e.eventId, reason: `model ${g.model.id} v${g.model.version}: planned in a later batch (one model per run)` });
    }

    const { model } = chosen;
    const applied = applyObserved(model.model, await this.feedback.observed(tenant, model.id));
    const built = buildProblem({
      name: `batch ${batch.id}`,
      modelId: model.id,
      modelVersion: model.version,
      model: applied.model,
      unitMs: model.unitMs,
      events: chosen.events,
      activeOrders: await new WorkOrderQueries(this.db).active(tenant),
      originMs,
      overrides: applied.overrides,
    });
    for (const u of built.unstaffable) {
      if (await store.markUnplanned(tenant, u.eventId, u.reason)) {
        const view = await store.get(tenant, u.eventId);
        if (view !== null) this.live.publish({ type: 'trigger', tenant, action: 'unplanned', event: view, at: this.clock() });
      }
      deferred.push(u);
    }
    const stats: RunStats = {
      optimizer: null,
      plan: built.context,
      virtualActivities: model.model.activities.filter((a) => a.virtual).map((a) => a.id),
      deferred,
    };
    if (built.context.events.length === 0) {
      await this.finish(batch, { state: 'failed', error: `no plannable events (${deferred.map((d) => `${d.eventId}: ${d.reason}`).join('; ')})` });
      return null;
    }
    // The problem goes through the same reader as a file would: what the optimizer gets is valid by construction.
    const read = readConfigurationProblem(JSON.parse(JSON.stringify(built.problem)));
    if (!read.ok) return this.fail(batch, built.problem, stats, `the batch's problem is invalid: ${read.issues.slice(0, 5).map(formatIssue).join('; ')}`);

    let optimized: ConfigurationFront | null = null;
    let optimizerError: string | null = null;
    try {
      optimized = await this.optimizer.solve(read.value);
    } catch (error) {
      optimizerError = (error as Error).message;
      this.logger.warn(`batch ${batch.id}: the optimizer failed (${optimizerError}); the placement's solution is the plan`);
    }
    const front = withWitness(read.value, optimized, built.witness, optimizerError);
    stats.optimizer = front.stats;
    if (front.solutions.length === 0) {
      const reason = optimizerError !== null ? `the optimizer failed: ${optimizerError}` : `no feasible solution: ${front.infeasible ?? 'the front is empty'}`;
      return this.fail(batch, built.problem, stats, reason, front.stats.algorithm);
    }

    const policy = this.config.selectionPolicy;
    const choice = choose(front.solutions.map((s) => s.objectives), policy, this.config.selectionWeights, { time: model.model.timeUnit, currency: model.model.currency });
    const explanation = this.withContext(choice.explanation, stats);
    const saved = await repositories(this.db).runs.save({
      tenant,
      batchId: batch.id,
      problem: built.problem,
      algorithm: front.stats.algorithm,
      state: 'solved',
      front,
      stats,
      chosenIndex: choice.index,
      policy,
      explanation,
      createdAt: this.clock(),
    });
    await this.finish(batch, { state: 'solved' });
    if (!saved.inserted) return saved.run;
    this.logger.log(`run ${saved.run.id}: ${front.solutions.length} solutions for ${chosen.events.length} events (${front.stats.algorithm}, ${front.stats.wallMs} ms); ${explanation.summary}`);
    this.publishRun(saved.run, 'solved');
    if (policy !== 'manual' && choice.index !== null) await this.approveAndDispatch(saved.run, `policy:${policy}`, choice.index);
    return (await repositories(this.db).runs.get(tenant, saved.run.id)) ?? saved.run;
  }

  /** A planner approves a solution of a solved run (default: the policy's choice); its work orders go out. */
  async approve(principal: Principal, runId: string, index: number | undefined): Promise<{ run: RunSummary; workOrders: number }> {
    const run = await repositories(this.db).runs.get(principal.tenant, runId);
    if (run === null) throw notFound(`run "${runId}"`);
    if (run.state !== 'solved') throw conflict(`run "${runId}" is ${run.state}: only a solved run can be approved`, { state: run.state });
    const chosen = index ?? run.chosenIndex;
    if (chosen === null) throw badRequest([{ path: 'body.index', message: `is required: the ${run.policy ?? 'manual'} policy chose no solution` }]);
    const result = await this.approveAndDispatch(run, principal.subject, chosen);
    if (!result.ok) {
      if (result.reason === 'not-found') throw notFound(`run "${runId}"`);
      if (result.reason === 'no-such-solution') throw badRequest([{ path: 'body.index', message: `must be a solution of the front (0 to ${(runFront(run)?.solutions.length ?? 0) - 1})` }]);
      if (result.reason === 'no-choice') throw badRequest([{ path: 'body.index', message: 'is required' }]);
      throw new ApiError(HttpStatus.CONFLICT, `run "${runId}" was approved meanwhile`, { state: result.run?.state });
    }
    if (chosen !== run.chosenIndex) {
      const front = runFront(run)!;
      const model = runStats(run).plan;
      const explanation = this.withContext(explainApproval(front.solutions.map((s) => s.objectives), chosen, { time: model.timeUnit }), runStats(run));
      await new RunQueries(this.db).setExplanation(run.tenant, run.id, explanation);
    }
    const summary = await new RunQueries(this.db).summary(run.tenant, run.id);
    return { run: summary!, workOrders: result.created.length };
  }

  /** Approves the runs whose policy chose a solution but that were not approved (their instance stopped). */
  async approvePending(): Promise<number> {
    let approved = 0;
    for (const { tenant, id } of await new RunQueries(this.db).awaitingAutoApproval(50)) {
      const run = await repositories(this.db).runs.get(tenant, id);
      if (run === null || run.state !== 'solved' || run.chosenIndex === null) continue;
      if ((await this.approveAndDispatch(run, `policy:${run.policy}`, run.chosenIndex)).ok) approved++;
    }
    return approved;
  }

  async list(tenant: string, limit: number): Promise<RunSummary[]> {
    return new RunQueries(this.db).list(tenant, limit);
  }

  async detail(tenant: string, id: string, options: { solution?: number; includeProblem?: boolean } = {}): Promise<RunDetail> {
    const run = await repositories(this.db).runs.get(tenant, id);
    if (run === null) throw notFound(`run "${id}"`);
    const front = runFront(run);
    const index = options.solution ?? run.chosenIndex;
    let gantt: RunDetail['gantt'] = null;
    if (index !== null && front !== null) {
      if (index >= front.solutions.length) throw badRequest([{ path: 'query.solution', message: `must be a solution of the front (0 to ${front.solutions.length - 1})` }]);
      gantt = { solution: index, rows: ganttOf(front.solutions[index], runStats(run)) };
    }
    return {
      id: run.id,
      batchId: run.batchId,
      state: run.state,
      algorithm: run.algorithm,
      policy: run.policy,
      chosenIndex: run.chosenIndex,
      error: run.error,
      createdAt: run.createdAt,
      approvedBy: run.approvedBy,
      approvedAt: run.approvedAt,
      front,
      explanation: run.explanation,
      stats: run.stats,
      gantt,
      ...(options.includeProblem === true ? { problem: run.problem } : {}),
    };
  }

  private async approveAndDispatch(run: ConfigurationRun, by: string, index: number): Promise<CreateAndDispatchResult> {
    const front = runFront(run);
    if (front === null || !Number.isInteger(index) || index < 0 || index >= front.solutions.length) return { ok: false, reason: 'no-such-solution', run };
    const stats = runStats(run);
    const { occurrences, withoutWork } = occurrencesOf(front.solutions[index], stats);
    const result = await this.workOrders.createAndDispatch(run.tenant, run.id, stats.plan.modelId, occurrences, { by, chosenIndex: index });
    if (!result.ok) return result;
    this.logger.log(`run ${run.id}: solution #${index} approved by ${by}: ${result.created.length} work orders created (${result.existing} existed)`);
    for (const eventId of withoutWork) await this.feedback.closeEvent(run.tenant, eventId, `its service in run ${run.id} needs no work (only virtual activities)`);
    this.publishRun(result.run, 'approved');
    const store = new TriggerStore(this.db);
    for (const event of await store.listByIds(run.tenant, [...new Set(occurrences.map((o) => o.eventId))])) {
      this.live.publish({ type: 'trigger', tenant: run.tenant, action: 'planned', event, at: this.clock() });
    }
    return result;
  }

  /** Records a failed run (with the reason) and fails the batch; its events join a new batch after a pause. */
  private async fail(batch: Batch, problem: unknown, stats: RunStats, error: string, algorithm = 'auto'): Promise<ConfigurationRun> {
    this.logger.warn(`batch ${batch.id}: ${error}`);
    const saved = await repositories(this.db).runs.save({ tenant: batch.tenant, batchId: batch.id, problem, algorithm, state: 'failed', error, stats, createdAt: this.clock() });
    await this.finish(batch, { state: 'failed', error });
    if (saved.inserted) this.publishRun(saved.run, 'failed');
    return saved.run;
  }

  private async finish(batch: Batch, outcome: { state: 'solved' } | { state: 'failed'; error: string }): Promise<void> {
    const result = await repositories(this.db).batches.finish(
      batch.tenant,
      batch.id,
      this.config.instanceId,
      outcome.state === 'solved' ? outcome : { state: 'failed', error: outcome.error, releaseEvents: false },
      this.clock(),
    );
    if (!result.finished) this.logger.warn(`batch ${batch.id}: no longer held by ${this.config.instanceId} (its claim expired and another instance took it over)`);
  }

  private withContext(explanation: Explanation, stats: RunStats): Explanation & Record<string, unknown> {
    return {
      ...explanation,
      plan: { originMs: stats.plan.originMs, timeUnit: stats.plan.timeUnit, model: `${stats.plan.modelId} v${stats.plan.modelVersion}` },
      overdueEvents: stats.plan.events.filter((e) => e.overdue).map((e) => e.eventId),
      busyResources: [...new Set(stats.plan.busy.map((b) => b.resource))].sort(),
      feedback: stats.plan.overrides,
      deferredEvents: stats.deferred,
    };
  }

  private publishRun(run: ConfigurationRun, action: 'solved' | 'failed' | 'approved'): void {
    const front = runFront(run);
    const stats = run.stats as Partial<RunStats> | null;
    this.live.publish({
      type: 'run',
      tenant: run.tenant,
      action,
      run: {
        id: run.id,
        batchId: run.batchId,
        state: run.state,
        policy: run.policy,
        chosenIndex: run.chosenIndex,
        solutions: front?.solutions.length ?? 0,
        events: stats?.plan?.events.length ?? 0,
        error: run.error,
        createdAt: run.createdAt,
      },
      at: this.clock(),
    });
  }
}

