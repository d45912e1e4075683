// The closed loop's end: finished work orders close their event's service, and the gateway is told to unlatch.
//
// - A work order that becomes done or failed is counted into the activity and resource records by
//   transitionWorkOrder (persistence), in the transaction of its transition; the next problems read them back
//   (configuration/reliabilities.ts).
// - An event's service is completed when every one of its work orders is final, none failed, and at least one is
//   done: the event is closed (TriggerEventRepository.close records the close command owed to the gateway in the
//   same statement) and a CloseCommand is published. A failed order leaves the service open for a planner (a
//   failed repair needs a decision, and closing would unlatch the edge as if it had been fixed); so do orders
//   that were all cancelled. The planner closes such an event by hand (POST /api/triggers/:id/close).
// - Close commands are re-sent on every birth of the gateway and periodically until its CloseAck arrives.
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import { CloseAck, CloseCommand, GatewayStatus, SCHEMAS, toPublications } from '@pss/protocol';
import { Database, ObservedReliability, PendingClose, WorkOrder, isFinalWorkOrderState, repositories } from '../persistence';
import { CLOCK, Clock, DATABASE, MQTT_PUBLISHER, MqttPublisher, Principal } from '../platform/tokens';
import { conflict, notFound } from '../triggers/http';
import { LiveEvents } from '../triggers/live-events';
import { PIPELINE_OPTIONS, PipelineOptions, pipelineOptions } from '../triggers/pipeline-options';
import { TriggerStore } from '../triggers/trigger-store';

/** Where an event's service stands, judged from its work orders. */
export type ServiceOutcome = 'in-progress' | 'completed' | 'failed' | 'cancelled' | 'no-orders';

export function serviceOutcome(orders: readonly Pick<WorkOrder, 'state'>[]): ServiceOutcome {
  if (orders.length === 0) return 'no-orders';
  if (orders.some((o) => !isFinalWorkOrderState(o.state))) return 'in-progress';
  if (orders.some((o) => o.state === 'failed')) return 'failed';
  if (orders.some((o) => o.state === 'done')) return 'completed';
  return 'cancelled';
}

export interface CloseResult {
  closed: boolean;
  /** Whether a close command is owed to a gateway (edge events only). */
  commandQueued: boolean;
}

@Injectable()
export class FeedbackService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('FeedbackService');
  private readonly options: PipelineOptions;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private passCount = 0;

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(MQTT_PUBLISHER) private readonly mqtt: MqttPublisher,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LiveEvents) private readonly live: LiveEvents,
    @Optional() @Inject(PIPELINE_OPTIONS) options?: Partial<PipelineOptions>,
  ) {
    this.options = pipelineOptions(options);
  }

  onModuleInit(): void {
    if (!this.options.background) return;
    this.timer = setInterval(() => void this.periodic(), this.options.closeResendMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** After a work order reached a final state: closes its event when the service is completed. */
  async onWorkOrderFinished(order: WorkOrder): Promise<ServiceOutcome> {
    const orders = await repositories(this.db).workOrders.listByEvent(order.tenant, order.eventId);
    const outcome = serviceOutcome(orders);
    if (outcome === 'completed') await this.closeEvent(order.tenant, order.eventId, 'all its work orders are done');
    else if (outcome === 'failed' || outcome === 'cancelled') {
      this.logger.warn(`event ${order.eventId}: its work orders ended ${outcome}; the service stays open for a planner (close or request it again)`);
    }
    return outcome;
  }

  /** Closes an event's service and, for an edge event, tells its gateway. Closing a closed event changes nothing. */
  async closeEvent(tenant: string, eventId: string, why: string): Promise<CloseResult> {
    const now = this.clock();
    const result = await repositories(this.db).events.close(tenant, eventId, now);
    if (!result.closed) return { closed: false, commandQueued: false };
    const event = await new TriggerStore(this.db).get(tenant, eventId);
    this.logger.log(`event ${eventId} closed: ${why}`);
    if (event !== null) {
      this.live.publish({ type: 'trigger', tenant, action: 'closed', event, at: now });
      if (result.closeCommandQueued) {
        await this.sendClose({ tenant, gateway: event.gateway, eventId, asset: event.asset, trigger: event.trigger, closedAt: event.closedAt ?? now });
      }
    }
    return { closed: true, commandQueued: result.closeCommandQueued };
  }

  /** A planner closes a service by hand (done outside the system, a failed repair given up, a parked event). */
  async closeByPlanner(principal: Principal, eventId: string): Promise<CloseResult> {
    const event = await new TriggerStore(this.db).get(principal.tenant, eventId);
    if (event === null) throw notFound(`trigger event "${eventId}"`);
    if (event.state === 'closed') throw conflict(`trigger event "${eventId}" is closed already`, { event });
    const orders = await repositories(this.db).workOrders.listByEvent(principal.tenant, eventId);
    const active = orders.filter((o) => !isFinalWorkOrderState(o.state));
    if (active.length > 0) {
      throw conflict(`trigger event "${eventId}" has work orders that are not finished: cancel them first`, { workOrders: active.map((o) => ({ id: o.id, state: o.state, version: o.version })) });
    }
    return this.closeEvent(principal.tenant, eventId, `closed by ${principal.subject}`);
  }

  /** The gateway has unlatched these events: stop re-sending their close commands. */
  async onCloseAck(ack: CloseAck): Promise<string[]> {
    try {
      const acked = await repositories(this.db).pendingCloses.ack(ack.tenant, ack.gateway, ack.ids, this.clock());
      if (acked.length > 0) this.logger.log(`gateway ${ack.gateway} unlatched ${acked.join(', ')}`);
      return acked;
    } catch (error) {
      this.logger.error(`close ack from ${ack.tenant}/${ack.gateway} not recorded (the gateway acknowledges the next re-send again): ${(error as Error).message}`);
      return [];
    }
  }

  /** A gateway's birth or death; a birth re-sends every close command it has not acknowledged. */
  async onGatewayStatus(status: GatewayStatus): Promise<void> {
    try {
      const now = this.clock();
      const result = await repositories(this.db).gateways.applyStatus(status, now);
      if (result.gateway !== null) this.live.publish({ type: 'gateway-status', tenant: status.tenant, gateway: result.gateway, applied: result.applied, at: now });
      if (result.applied && status.state === 'online') await this.resendForGateway(status.tenant, status.gateway);
    } catch (error) {
      this.logger.error(`status of gateway ${status.tenant}/${status.gateway} not applied: ${(error as Error).message}`);
    }
  }

  async resendForGateway(tenant: string, gateway: string): Promise<number> {
    const pending = await repositories(this.db).pendingCloses.forGateway(tenant, gateway);
    for (const p of pending) await this.sendClose(p);
    return pending.length;
  }

  /**
   * Re-sends every unacknowledged close command to gateways that are online or unknown (an offline gateway gets
   * them at its next birth); returns how many were sent.
   */
  async resendDue(): Promise<number> {
    const rows = await this.db.query<{ tenant: string; gateway: string; event_id: string; asset: string; trigger: string; closed_at: number }>(
      `SELECT p.tenant, p.gateway, p.event_id, p.asset, p.trigger, p.closed_at
       FROM pending_closes p LEFT JOIN gateways g ON g.tenant = p.tenant AND g.id = p.gateway
       WHERE p.acked_at IS NULL AND (g.state IS NULL OR g.state = 'online')
       ORDER BY p.closed_at, p.event_id LIMIT 1000`,
    );
    for (const r of rows) await this.sendClose({ tenant: r.tenant, gateway: r.gateway, eventId: r.event_id, asset: r.asset, trigger: r.trigger, closedAt: r.closed_at });
    return rows.length;
  }

  /**
   * Closes the events whose services are completed but still open: the instance that finished their last work
   * order stopped between the transition and the close.
   */
  async closeCompleted(): Promise<number> {
    const rows = await this.db.query<{ tenant: string; event_id: string }>(
      `SELECT e.tenant, e.event_id FROM trigger_events e
       WHERE e.state = 'planned'
         AND EXISTS (SELECT 1 FROM work_orders w WHERE w.tenant = e.tenant AND w.event_id = e.event_id AND w.state = 'done')
         AND NOT EXISTS (SELECT 1 FROM work_orders w WHERE w.tenant = e.tenant AND w.event_id = e.event_id AND w.state <> 'done' AND w.state <> 'cancelled')
       LIMIT 1000`,
    );
    let closed = 0;
    for (const r of rows) if ((await this.closeEvent(r.tenant, r.event_id, 'all its work orders are done (found by the sweep)')).closed) closed++;
    return closed;
  }

  async observed(tenant: string, modelId: string): Promise<ObservedReliability> {
    return repositories(this.db).feedback.observed(tenant, modelId);
  }

  /** Periodic passes (sweep and re-send) completed so far. */
  get passes(): number {
    return this.passCount;
  }

  private async periodic(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.closeCompleted();
      await this.resendDue();
    } catch (error) {
      this.logger.error(`close sweep failed (retried next period): ${(error as Error).message}`);
    } finally {
      this.running = false;
      this.passCount++;
    }
  }

  private async sendClose(p: PendingClose): Promise<void> {
    const command: CloseCommand = { schema: SCHEMAS.closeCommand, tenant: p.tenant, gateway: p.gateway, event: p.eventId, asset: p.asset, trigger: p.trigger, time: p.closedAt };
    const publications = toPublications(command);
    if (!publications.ok) {
      this.logger.error(`close command for ${p.eventId} cannot be encoded: ${publications.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
      return;
    }
    for (const pub of publications.value) {
      try {
        await this.mqtt.publish(pub.topic, pub.payload, { qos: pub.qos, retain: pub.retain });
      } catch (error) {
        this.logger.warn(`close command for ${p.eventId} not published (re-sent later): ${(error as Error).message}`);
      }
    }
  }
}
