// Trigger events in: stored once, acknowledged to the gateway after the commit (duplicates too), checked against
// the asset registry and its model, and offered to the batch scheduler. Manual triggers, listings and the live
// trigger matrix for the API.
//
// An event is never lost. One that cannot be planned (unknown asset, trigger not in the asset's model, not covered
// by its contract) is stored and acknowledged all the same, and parked as 'unplanned' with the reason
// (migration 0002): the API shows it; a planner re-plans it once the registry is fixed, or closes it, which
// unlatches the edge. A firing while the asset's service for that trigger is still open under another event id is
// not stored and not acknowledged ('deferred'): the gateway keeps it in its spool and re-sends it, and it is
// stored as a service of its own once the open one is closed.
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { EventAck, SCHEMAS, TriggerEvent, toPublications } from '@pss/protocol';
import { Asset, Database, NewTriggerEvent, fromProtocolEvent, repositories } from '../persistence';
import { CLOCK, Clock, DATABASE, MQTT_PUBLISHER, MqttPublisher, Principal } from '../platform/tokens';
import { badRequest, conflict, notFound } from './http';
import { LiveEvents } from './live-events';
import { CatalogModel, ModelCatalog } from './model-catalog';
import { EventFilter, TriggerEventView, TriggerStore } from './trigger-store';

export type IngestOutcome =
  | { status: 'stored'; event: TriggerEventView }
  | { status: 'duplicate'; eventId: string }
  | { status: 'deferred'; eventId: string; openEventId: string }
  | { status: 'failed'; eventId: string; error: string };

export interface ManualTrigger {
  asset: string;
  trigger: string;
  /** Epoch ms; default: the trigger's window deadline from now. */
  deadline?: number;
}

export interface MatrixRow {
  asset: string;
  /** null for an asset that is not registered (it has events all the same). */
  modelId: string | null;
  modelVersion: number | null;
  gateway: string | null;
  /** The model's trigger ids, in model order: the columns of the matrix. */
  triggers: string[];
  /** 1 where the asset has a service open (not closed) for that trigger, else 0 (MODEL.md section 6). */
  vector: number[];
  open: { trigger: string; eventId: string; state: string; firedAt: number; deadline: number; issue: string | null }[];
  issue: string | null;
}

/** Where an asset, its model and a trigger stand for planning: the model, or why the event cannot be planned. */
export type PlanningCheck = { ok: true; asset: Asset; model: CatalogModel } | { ok: false; issue: string; field: 'asset' | 'trigger' };

@Injectable()
export class TriggerService {
  private readonly logger = new Logger('TriggerService');

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(MQTT_PUBLISHER) private readonly mqtt: MqttPublisher,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ModelCatalog) private readonly catalog: ModelCatalog,
    @Inject(LiveEvents) private readonly live: LiveEvents,
  ) {}

  /** Whether an event for (asset, trigger) can be planned, with the asset's model when it can. */
  async check(tenant: string, assetId: string, trigger: string): Promise<PlanningCheck> {
    const asset = await repositories(this.db).assets.get(tenant, assetId);
    if (asset === null) return { ok: false, field: 'asset', issue: `asset "${assetId}" is not registered` };
    const model = await this.catalog.get(tenant, asset.modelId, asset.modelVersion);
    if (!model.ok) return { ok: false, field: 'asset', issue: `asset "${assetId}": ${model.issue}` };
    if (!model.value.model.triggers.some((t) => t.id === trigger)) {
      return { ok: false, field: 'trigger', issue: `trigger "${trigger}" is not a trigger of model ${asset.modelId} v${asset.modelVersion} (asset "${assetId}")` };
    }
    if (asset.contractTriggers !== null && !asset.contractTriggers.includes(trigger)) {
      return { ok: false, field: 'trigger', issue: `trigger "${trigger}" is not covered by the contract of asset "${assetId}" (covered: ${asset.contractTriggers.join(', ') || 'none'})` };
    }
    return { ok: true, asset, model: model.value };
  }

  /** A trigger event from a gateway (already decoded). Never throws: failures are logged and not acknowledged. */
  async ingest(message: TriggerEvent): Promise<IngestOutcome> {
    try {
      const now = this.clock();
      // Looked up before the transaction: PGlite has one connection, and the registry is not part of the write.
      const check = await this.check(message.tenant, message.asset, message.trigger);
      if (check.ok && check.asset.gateway !== message.gateway) {
        this.logger.warn(`event ${message.id}: asset "${message.asset}" is registered behind gateway "${check.asset.gateway}", the event came from "${message.gateway}" (planned anyway; its close command goes back to "${message.gateway}")`);
      }
      const outcome = await this.store(fromProtocolEvent(message, now), check.ok ? null : check.issue);
      if (outcome.status === 'stored' || outcome.status === 'duplicate') await this.ack(message, now);
      if (outcome.status === 'deferred') {
        this.logger.warn(`event ${message.id}: asset "${message.asset}" still has trigger "${message.trigger}" open as event ${outcome.openEventId}: not stored, not acknowledged (the gateway re-sends it)`);
      }
      return outcome;
    } catch (error) {
      this.logger.error(`event ${message.tenant}/${message.id} from ${message.gateway} not stored (not acknowledged: the gateway re-sends it): ${(error as Error).message}`);
      return { status: 'failed', eventId: message.id, error: (error as Error).message };
    }
  }

  /** A service requested by a planner. Throws 400/404/409 ApiErrors. */
  async createManual(principal: Principal, request: ManualTrigger): Promise<TriggerEventView> {
    const tenant = principal.tenant;
    const check = await this.check(tenant, request.asset, request.trigger);
    if (!check.ok) {
      if (check.issue.includes('is not registered')) throw notFound(`asset "${request.asset}"`);
      throw badRequest([{ path: `body.${check.field}`, message: check.issue }]);
    }
    const now = this.clock();
    const def = check.model.model.triggers.find((t) => t.id === request.trigger)!;
    const windowStart = now + Math.round(def.window.start * check.model.unitMs);
    const deadline = request.deadline ?? now + Math.round(def.window.deadline * check.model.unitMs);
    if (deadline < windowStart) throw badRequest([{ path: 'body.deadline', message: `must be >= the window start ${windowStart} (epoch ms)` }]);
    const outcome = await this.store(
      {
        tenant,
        eventId: `manual:${randomUUID()}`,
        gateway: check.asset.gateway,
        asset: request.asset,
        trigger: request.trigger,
        firedAt: now,
        windowStart,
        deadline,
        values: {},
        windowValues: null,
        source: 'manual',
        receivedAt: now,
      },
      null,
    );
    if (outcome.status === 'deferred') {
      throw conflict(`asset "${request.asset}" already has trigger "${request.trigger}" open as event ${outcome.openEventId}`, { openEvent: outcome.openEventId });
    }
    if (outcome.status !== 'stored') throw new Error(`manual event for ${request.asset}/${request.trigger} was not stored (${outcome.status})`);
    this.logger.log(`manual trigger ${outcome.event.eventId}: ${request.asset}/${request.trigger} by ${principal.subject}`);
    return outcome.event;
  }

  /** Puts a parked event back in line once its issue is fixed. 404 unknown, 409 not parked or still unplannable. */
  async replan(tenant: string, eventId: string): Promise<TriggerEventView> {
    const store = new TriggerStore(this.db);
    const event = await store.get(tenant, eventId);
    if (event === null) throw notFound(`trigger event "${eventId}"`);
    if (event.state !== 'unplanned') throw conflict(`trigger event "${eventId}" is ${event.state}, not unplanned`, { event });
    const check = await this.check(tenant, event.asset, event.trigger);
    if (!check.ok) throw conflict(`trigger event "${eventId}" still cannot be planned: ${check.issue}`, { event });
    const replanned = await store.replan(tenant, eventId);
    if (replanned === null) throw conflict(`trigger event "${eventId}" changed meanwhile`, { event: await store.get(tenant, eventId) });
    this.live.publish({ type: 'trigger', tenant, action: 'replanned', event: replanned, at: this.clock() });
    return replanned;
  }

  async get(tenant: string, eventId: string): Promise<TriggerEventView | null> {
    return new TriggerStore(this.db).get(tenant, eventId);
  }

  async list(tenant: string, filter: EventFilter, limit: number): Promise<TriggerEventView[]> {
    return new TriggerStore(this.db).list(tenant, filter, limit);
  }

  /** The live trigger matrix: per registered asset (and per unknown asset with events), its open services. */
  async matrix(tenant: string): Promise<MatrixRow[]> {
    const store = new TriggerStore(this.db);
    const assets = await store.listAssets(tenant);
    const active = await store.list(tenant, 'active', 100_000);
    const byAsset = new Map<string, TriggerEventView[]>();
    for (const e of active) byAsset.set(e.asset, [...(byAsset.get(e.asset) ?? []), e]);
    const open = (events: TriggerEventView[]): MatrixRow['open'] =>
      events.map((e) => ({ trigger: e.trigger, eventId: e.eventId, state: e.state, firedAt: e.firedAt, deadline: e.deadline, issue: e.issue }));

    const rows: MatrixRow[] = [];
    for (const asset of assets) {
      const events = byAsset.get(asset.id) ?? [];
      byAsset.delete(asset.id);
      const model = await this.catalog.get(tenant, asset.modelId, asset.modelVersion);
      const triggers = model.ok ? model.value.model.triggers.map((t) => t.id) : [...new Set(events.map((e) => e.trigger))].sort();
      const openTriggers = new Set(events.map((e) => e.trigger));
      rows.push({
        asset: asset.id,
        modelId: asset.modelId,
        modelVersion: asset.modelVersion,
        gateway: asset.gateway,
        triggers,
        vector: triggers.map((t) => (openTriggers.has(t) ? 1 : 0)),
        open: open(events),
        issue: model.ok ? null : model.issue,
      });
    }
    for (const [asset, events] of [...byAsset.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const triggers = [...new Set(events.map((e) => e.trigger))].sort();
      rows.push({ asset, modelId: null, modelVersion: null, gateway: events[0].gateway, triggers, vector: triggers.map(() => 1), open: open(events), issue: `asset "${asset}" is not registered` });
    }
    return rows;
  }

  /** Inserts an event (once) and parks it when `issue` says it cannot be planned, in one transaction. */
  private async store(event: NewTriggerEvent, issue: string | null): Promise<IngestOutcome> {
    const result = await this.db.transaction(async (tx) => {
      const inserted = await repositories(tx).events.insertIfNew(event);
      if (inserted.inserted && issue !== null) await new TriggerStore(tx).markUnplanned(event.tenant, event.eventId, issue);
      return inserted;
    });
    const at = this.clock();
    if (!result.inserted) {
      if (result.reason === 'duplicate') return { status: 'duplicate', eventId: event.eventId };
      return { status: 'deferred', eventId: event.eventId, openEventId: result.openEventId };
    }
    const stored = await new TriggerStore(this.db).get(event.tenant, event.eventId);
    if (stored === null) throw new Error(`event ${event.tenant}/${event.eventId} was stored but cannot be read back`);
    if (issue !== null) this.logger.warn(`event ${event.eventId} stored but cannot be planned: ${issue}`);
    this.live.publish({ type: 'trigger', tenant: event.tenant, action: issue === null ? 'received' : 'unplanned', event: stored, at });
    return { status: 'stored', event: stored };
  }

  /** EventAck to the gateway, after the commit. A lost ack only costs a re-send (acknowledged again). */
  private async ack(message: TriggerEvent, now: number): Promise<void> {
    const ack: EventAck = { schema: SCHEMAS.eventAck, tenant: message.tenant, gateway: message.gateway, ids: [message.id], time: now };
    const publications = toPublications(ack);
    if (!publications.ok) {
      this.logger.error(`event ack for ${message.id} cannot be encoded: ${publications.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
      return;
    }
    for (const p of publications.value) {
      try {
        await this.mqtt.publish(p.topic, p.payload, { qos: p.qos, retain: p.retain });
      } catch (error) {
        this.logger.warn(`event ack for ${message.id} not published (the gateway re-sends the event): ${(error as Error).message}`);
      }
    }
  }
}
