// The batching loop, on every instance: every tick (~250 ms, and at once when an event arrives) it attaches the
// open events that are in no batch to their tenant's collecting batch, releases the events of batches that failed
// a while ago, and claims ready batches (collecting for BATCH_WINDOW_MS, or a claim whose lease expired) one after
// another until none is left. Claims are exactly-once across instances (BatchRepository.claim); the database's
// constraints keep every later step exactly-once too.
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import { Subscription } from 'rxjs';
import { Database, repositories } from '../persistence';
import { CloudConfig } from '../platform/config';
import { CLOCK, CLOUD_CONFIG, Clock, DATABASE } from '../platform/tokens';
import { LiveEvents } from '../triggers/live-events';
import { PIPELINE_OPTIONS, PipelineOptions, batchLeaseMs, pipelineOptions } from '../triggers/pipeline-options';
import { ConfigurationService } from './configuration.service';
import { RunQueries } from './run-queries';

@Injectable()
export class BatchScheduler implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('BatchScheduler');
  private readonly options: PipelineOptions;
  private timer: NodeJS.Timeout | undefined;
  private subscription: Subscription | undefined;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CLOUD_CONFIG) private readonly config: CloudConfig,
    @Inject(ConfigurationService) private readonly configuration: ConfigurationService,
    @Inject(LiveEvents) private readonly live: LiveEvents,
    @Optional() @Inject(PIPELINE_OPTIONS) options?: Partial<PipelineOptions>,
  ) {
    this.options = pipelineOptions(options);
  }

  onModuleInit(): void {
    if (!this.options.background) return;
    this.timer = setInterval(() => this.nudge(), this.options.schedulerTickMs);
    this.timer.unref();
    this.subscription = this.live.all$.subscribe((e) => {
      if (e.type === 'trigger' && (e.action === 'received' || e.action === 'replanned')) this.nudge();
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.subscription?.unsubscribe();
    // A solve in progress finishes (its batch stays claimed otherwise until the lease expires).
    await this.running;
  }

  /** Runs a tick now, or right after the one in progress. */
  nudge(): void {
    if (this.stopped) return;
    if (this.running !== null) {
      this.again = true;
      return;
    }
    this.running = this.tick()
      .then(() => undefined)
      .catch((error: Error) => this.logger.error(`batch tick failed (retried next tick): ${error.message}`))
      .finally(() => {
        this.running = null;
        if (this.again && !this.stopped) {
          this.again = false;
          this.nudge();
        }
      });
  }

  /** One pass; returns the number of batches solved. Exposed for tests that drive the loop by hand. */
  async tick(): Promise<number> {
    const repos = repositories(this.db);
    const queries = new RunQueries(this.db);
    const now = this.clock();
    await queries.releaseFailed(now - this.options.failedBatchRetryMs);
    for (const tenant of await queries.tenantsWithUnbatchedEvents()) await repos.batches.attachOpenEvents(tenant, now);
    let solved = 0;
    while (!this.stopped) {
      const batch = await repos.batches.claim(this.config.instanceId, this.clock(), {
        collectMs: this.config.batchWindowMs,
        leaseMs: batchLeaseMs(this.options, this.config.optimizerTimeLimitMs),
      });
      if (batch === null) break;
      if (batch.attempts > 1) this.logger.warn(`batch ${batch.id}: taken over (attempt ${batch.attempts}) from an instance whose claim expired`);
      await this.configuration.solveBatch(batch);
      solved++;
    }
    await this.configuration.approvePending();
    return solved;
  }
}
