// Work orders: created from an approved run in one transaction with the approval, then dispatched to their
// resources over MQTT (WorkOrderMessage v1, QoS 1, one copy per resource) and to the webhook; moved on by progress
// reports (MQTT) and the HTTP API, each transition guarded by version (persistence transitionWorkOrder, which also
// counts a done or failed order into the feedback records in the same transaction).
//
// Lifecycle (cloud state → wire state): planned (not sent) → dispatched (assigned) → accepted → in_progress →
// done | failed; a planner may cancel any order that is not final.
import { HttpStatus, Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import { ProgressReport, toPublications } from '@pss/protocol';
import {
  ConfigurationRun,
  CreateWorkOrdersResult,
  Database,
  EventRefusal,
  PlannedOccurrence,
  TransitionRequest,
  TransitionResult,
  WorkOrder,
  WorkOrderHistoryEntry,
  WorkOrderState,
  isFinalWorkOrderState,
  repositories,
  transitionWorkOrder,
} from '../persistence';
import { CLOCK, Clock, DATABASE, MQTT_PUBLISHER, MqttPublisher, Principal } from '../platform/tokens';
import { FeedbackService } from '../feedback/feedback.service';
import { ApiError, conflict, forbidden, notFound } from '../triggers/http';
import { LiveEvents, WorkOrderAction } from '../triggers/live-events';
import { PIPELINE_OPTIONS, PipelineOptions, pipelineOptions } from '../triggers/pipeline-options';
import { WebhookNotifier } from './webhook';
import { WorkOrderFilter, WorkOrderQueries } from './work-order-queries';
import { fromProtocolState, toWorkOrderMessage } from './work-order-messages';

export interface Approval {
  /** Who approved: a planner's subject, or `policy:<name>` for an automatic choice. */
  by: string;
  chosenIndex: number;
}

export type CreateAndDispatchResult =
  | { ok: true; run: ConfigurationRun; created: WorkOrder[]; existing: number; refused: { eventId: string; reason: EventRefusal }[] }
  | { ok: false; reason: 'not-found' | 'not-solved' | 'no-choice' | 'no-such-solution'; run?: ConfigurationRun };

export interface ProgressRequest {
  version: number;
  from: WorkOrderState;
  to: WorkOrderState;
  note?: string;
}

@Injectable()
export class WorkOrderService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('WorkOrderService');
  private readonly options: PipelineOptions;
  private timer: NodeJS.Timeout | undefined;
  private sweeping = false;

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(MQTT_PUBLISHER) private readonly mqtt: MqttPublisher,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LiveEvents) private readonly live: LiveEvents,
    @Inject(FeedbackService) private readonly feedback: FeedbackService,
    @Inject(WebhookNotifier) private readonly webhook: WebhookNotifier,
    @Optional() @Inject(PIPELINE_OPTIONS) options?: Partial<PipelineOptions>,
  ) {
    this.options = pipelineOptions(options);
  }

  onModuleInit(): void {
    if (!this.options.background) return;
    this.timer = setInterval(() => void this.sweep(), this.options.dispatchSweepMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * Approves a solved run's solution and creates its work orders in one transaction (so an approved run always
   * has its orders), then dispatches them. Running it again for the same run changes nothing: the approval is
   * refused (`not-solved`) and no order is created twice.
   */
  async createAndDispatch(tenant: string, runId: string, modelId: string, occurrences: PlannedOccurrence[], approval: Approval): Promise<CreateAndDispatchResult> {
    const at = this.clock();
    const outcome = await this.db.transaction(async (tx) => {
      const repos = repositories(tx);
      const approved = await repos.runs.approve(tenant, runId, { by: approval.by, at, chosenIndex: approval.chosenIndex });
      if (!approved.ok) return { approved, created: null };
      const created: CreateWorkOrdersResult = await repos.workOrders.createForRun(tenant, runId, modelId, occurrences, at, approval.by);
      // The run was approved in this very transaction: anything else is a bug, and rolls the approval back.
      if (!created.ok) throw new Error(`run ${tenant}/${runId}: approved, but its work orders cannot be created (${created.reason})`);
      return { approved, created };
    });
    if (!outcome.approved.ok) {
      const reason = outcome.approved.reason;
      return reason === 'not-found' ? { ok: false, reason } : { ok: false, reason, run: outcome.approved.run };
    }
    const created = outcome.created!;
    if (!created.ok) throw new Error('unreachable');
    for (const r of created.refused) this.logger.warn(`run ${runId}: event ${r.eventId} not planned by it (${r.reason})`);
    for (const order of created.created) this.live.publish({ type: 'work-order', tenant, action: 'created', order, at });
    for (const order of created.created) await this.dispatch(order);
    return { ok: true, run: outcome.approved.run, created: created.created, existing: created.existing, refused: created.refused };
  }

  /** planned → dispatched, then the message to each resource. Of two dispatchers of one order, one wins. */
  async dispatch(order: WorkOrder): Promise<boolean> {
    if (order.state !== 'planned') return false;
    const result = await transitionWorkOrder(this.db, order.tenant, order.id, { version: order.version, from: 'planned', to: 'dispatched', actor: 'system', at: this.clock() });
    if (!result.ok) return false;
    await this.announce(result.order, 'dispatched');
    return true;
  }

  /** Dispatches orders left planned (their creator stopped before dispatching); returns how many it dispatched. */
  async dispatchPlanned(): Promise<number> {
    const planned = await new WorkOrderQueries(this.db).planned(500);
    let dispatched = 0;
    for (const order of planned) if (await this.dispatch(order)) dispatched++;
    return dispatched;
  }

  /** A progress report from a resource over MQTT. Never throws; a rejected report re-sends the current order. */
  async onProgressReport(report: ProgressReport): Promise<TransitionResult | null> {
    try {
      const current = await repositories(this.db).workOrders.get(report.tenant, report.workOrder);
      if (current === null) {
        this.logger.warn(`progress from ${report.resource} for unknown work order ${report.tenant}/${report.workOrder}: ignored`);
        return { ok: false, reason: 'not-found' };
      }
      // The report's time is when it happened (a technician's app may have queued it offline), kept within
      // what the cloud knows: not before the order's last change, not in the future.
      const at = Math.min(this.clock(), Math.max(report.time, current.updatedAt));
      const result = await this.transition(report.tenant, report.workOrder, {
        version: report.version,
        from: fromProtocolState(report.from),
        to: report.to,
        actor: report.resource,
        at,
        resource: report.resource,
        ...(report.note === undefined ? {} : { note: report.note }),
      });
      if (!result.ok) {
        if (result.reason === 'stale' || result.reason === 'invalid-transition') {
          this.logger.warn(`progress from ${report.resource} for ${report.workOrder} v${report.version} ${report.from}→${report.to} rejected (${result.reason}): re-sending v${result.order.version} ${result.order.state}`);
          await this.resend(result.order);
        } else if (result.reason === 'not-assigned') {
          this.logger.warn(`progress from ${report.resource} for ${report.workOrder}: not one of its resources (${result.order.resources.join(', ')}); ignored`);
        }
      }
      return result;
    } catch (error) {
      this.logger.error(`progress for ${report.tenant}/${report.workOrder} not applied (the resource re-sends it): ${(error as Error).message}`);
      return null;
    }
  }

  /**
   * Progress over HTTP. A technician moves only orders of their own resource; planners and admins any. A stale or
   * invalid report is answered 409 with the current order, which is also re-sent over MQTT.
   */
  async progress(principal: Principal, id: string, request: ProgressRequest): Promise<WorkOrder> {
    const technician = principal.role === 'technician';
    if (technician && principal.resource === undefined) throw forbidden('this technician key has no resource');
    const result = await this.transition(principal.tenant, id, {
      version: request.version,
      from: request.from,
      to: request.to,
      actor: technician ? principal.resource! : principal.subject,
      at: this.clock(),
      ...(technician ? { resource: principal.resource } : {}),
      ...(request.note === undefined ? {} : { note: request.note }),
    });
    if (result.ok) return result.order;
    switch (result.reason) {
      case 'not-found':
        throw notFound(`work order "${id}"`);
      case 'not-assigned':
        throw forbidden(`work order "${id}" is not assigned to resource "${principal.resource}"`);
      case 'already-applied':
        return result.order;
      case 'stale':
      case 'invalid-transition':
        await this.resend(result.order);
        throw new ApiError(HttpStatus.CONFLICT, this.rejection(result.reason, request, result.order), { order: result.order });
    }
  }

  /** A planner cancels an order that is not final (with the version they saw, or the current one). */
  async cancel(principal: Principal, id: string, request: { version?: number; note?: string }): Promise<WorkOrder> {
    const current = await repositories(this.db).workOrders.get(principal.tenant, id);
    if (current === null) throw notFound(`work order "${id}"`);
    if (isFinalWorkOrderState(current.state)) throw conflict(`work order "${id}" is ${current.state} already`, { order: current });
    const result = await this.transition(principal.tenant, id, {
      version: request.version ?? current.version,
      from: current.state,
      to: 'cancelled',
      actor: principal.subject,
      at: this.clock(),
      ...(request.note === undefined ? {} : { note: request.note }),
    });
    if (result.ok) return result.order;
    if (result.reason === 'not-found') throw notFound(`work order "${id}"`);
    if (result.reason === 'already-applied') return result.order;
    throw conflict(`work order "${id}" is at v${result.order.version} (${result.order.state}), not v${request.version ?? current.version}: cancel again with the current version`, { order: result.order });
  }

  async get(principal: Principal, id: string): Promise<{ order: WorkOrder; history: WorkOrderHistoryEntry[] }> {
    const repos = repositories(this.db);
    const order = await repos.workOrders.get(principal.tenant, id);
    if (order === null || (principal.role === 'technician' && !order.resources.includes(principal.resource ?? ''))) throw notFound(`work order "${id}"`);
    return { order, history: await repos.workOrders.history(principal.tenant, id) };
  }

  async list(principal: Principal, filter: WorkOrderFilter): Promise<WorkOrder[]> {
    if (principal.role === 'technician') {
      if (principal.resource === undefined) throw forbidden('this technician key has no resource');
      if (filter.resource !== undefined && filter.resource !== principal.resource) throw forbidden(`a technician sees only the orders of resource "${principal.resource}"`);
      return new WorkOrderQueries(this.db).list(principal.tenant, { ...filter, resource: principal.resource });
    }
    return new WorkOrderQueries(this.db).list(principal.tenant, filter);
  }

  /** One transition; on success the new version goes to the resources, the webhook and the live stream. */
  private async transition(tenant: string, id: string, request: TransitionRequest): Promise<TransitionResult> {
    const result = await transitionWorkOrder(this.db, tenant, id, request);
    if (!result.ok) return result;
    await this.announce(result.order, request.to === 'cancelled' ? 'cancelled' : 'progress', request.from === 'planned');
    if (isFinalWorkOrderState(result.order.state)) await this.feedback.onWorkOrderFinished(result.order);
    return result;
  }

  private async announce(order: WorkOrder, action: WorkOrderAction, neverSent = false): Promise<void> {
    this.live.publish({ type: 'work-order', tenant: order.tenant, action, order, at: this.clock() });
    this.webhook.notify({ type: 'work-order', action, tenant: order.tenant, order, at: this.clock() });
    // An order cancelled before it was ever dispatched was never sent: nobody to tell.
    if (!neverSent) await this.publish(order);
  }

  private async resend(order: WorkOrder): Promise<void> {
    this.live.publish({ type: 'work-order', tenant: order.tenant, action: 'resent', order, at: this.clock() });
    await this.publish(order);
  }

  /** The order's current version to each of its resources. A failed publish is logged; the next change re-sends. */
  private async publish(order: WorkOrder): Promise<void> {
    const message = toWorkOrderMessage(order);
    if (message === null) return;
    const publications = toPublications(message);
    if (!publications.ok) {
      this.logger.error(`work order ${order.id} v${order.version} cannot be encoded: ${publications.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
      return;
    }
    for (const p of publications.value) {
      try {
        await this.mqtt.publish(p.topic, p.payload, { qos: p.qos, retain: p.retain });
      } catch (error) {
        this.logger.warn(`work order ${order.id} v${order.version} not published to ${p.topic}: ${(error as Error).message}`);
      }
    }
  }

  private rejection(reason: 'stale' | 'invalid-transition', request: ProgressRequest, order: WorkOrder): string {
    return reason === 'stale'
      ? `work order "${order.id}" is at v${order.version} (${order.state}), the report was made against v${request.version} (${request.from}): reload and report again`
      : `work order "${order.id}": ${request.from} → ${request.to} is not a transition a report can make`;
  }

  private async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      await this.dispatchPlanned();
    } catch (error) {
      this.logger.error(`dispatch sweep failed (retried next period): ${(error as Error).message}`);
    } finally {
      this.sweeping = false;
    }
  }
}
