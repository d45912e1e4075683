// Every work order change is also POSTed as JSON to WORKORDER_WEBHOOK_URL when it is set. Delivery never holds up
// the pipeline: each change is sent in the background, retried with exponential back-off, and given up (logged)
// after the last attempt. Changes of one order may arrive out of order after retries: receivers order them by
// `order.version`.
import { Inject, Injectable, Logger, OnModuleDestroy, Optional } from '@nestjs/common';
import { WorkOrder } from '../persistence';
import { CloudConfig } from '../platform/config';
import { CLOUD_CONFIG } from '../platform/tokens';
import { WorkOrderAction } from '../triggers/live-events';
import { PIPELINE_OPTIONS, PipelineOptions, pipelineOptions } from '../triggers/pipeline-options';

export interface WebhookBody {
  type: 'work-order';
  action: WorkOrderAction;
  tenant: string;
  order: WorkOrder;
  at: number;
}

@Injectable()
export class WebhookNotifier implements OnModuleDestroy {
  private readonly logger = new Logger('WebhookNotifier');
  private readonly options: PipelineOptions;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<AbortController>();
  private closed = false;
  private delivered = 0;
  private failed = 0;

  constructor(
    @Inject(CLOUD_CONFIG) private readonly config: CloudConfig,
    @Optional() @Inject(PIPELINE_OPTIONS) options?: Partial<PipelineOptions>,
  ) {
    this.options = pipelineOptions(options);
  }

  get enabled(): boolean {
    return this.config.webhookUrl !== undefined;
  }

  /** Deliveries that succeeded and that were given up, so far. */
  get stats(): { delivered: number; failed: number } {
    return { delivered: this.delivered, failed: this.failed };
  }

  /** Queues one change for delivery; returns at once. */
  notify(body: WebhookBody): void {
    const url = this.config.webhookUrl;
    if (url === undefined || this.closed) return;
    void this.attempt(url, JSON.stringify(body), `${body.order.id} v${body.order.version} (${body.action})`, 1);
  }

  onModuleDestroy(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const c of this.inFlight) c.abort();
    this.inFlight.clear();
  }

  private async attempt(url: string, payload: string, what: string, n: number): Promise<void> {
    if (this.closed) return;
    const controller = new AbortController();
    this.inFlight.add(controller);
    const timeout = setTimeout(() => controller.abort(), this.options.webhookTimeoutMs);
    let problem: string;
    try {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: payload, signal: controller.signal });
      await response.arrayBuffer();
      if (response.ok) {
        this.delivered++;
        return;
      }
      problem = `HTTP ${response.status}`;
    } catch (error) {
      problem = (error as Error).message;
    } finally {
      clearTimeout(timeout);
      this.inFlight.delete(controller);
    }
    if (this.closed) return;
    if (n >= this.options.webhookAttempts) {
      this.failed++;
      this.logger.warn(`webhook: work order ${what} not delivered after ${n} attempts (last: ${problem}); given up`);
      return;
    }
    const delay = this.options.webhookBackoffMs * 2 ** (n - 1);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.attempt(url, payload, what, n + 1);
    }, delay);
    timer.unref();
    this.timers.add(timer);
  }
}
