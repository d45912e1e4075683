// The gateway's Prometheus metrics. Counters on the hot path are plain numbers per label set; everything that other
// components already count (engine outcomes, spool, uplink, sources) is read when /metrics is scraped.
import { SampleOutcome } from '@pss/triggers';
import { MetricsRegistry } from './metrics';
import type { Gateway } from '../gateway';

export class GatewayMetrics {
  readonly registry = new MetricsRegistry();
  readonly samples = this.registry.counter('pss_gateway_samples_total', 'Samples handed to the trigger engine, by source and outcome (accepted, replaced, reordered, duplicate, late, non-finite, out-of-range, invalid-time, unknown-status, unknown-asset).', ['source', 'outcome']);
  readonly rejected = this.registry.counter('pss_gateway_input_rejected_total', 'Input that never became a sample, by source and cause (malformed-payload, unknown-topic, missing-value, not-a-number, invalid-time, bad-quality, unknown-status, sparkplug-sequence).', ['source', 'cause']);
  readonly firings = this.registry.counter('pss_gateway_triggers_fired_total', 'Trigger firings (trigger events created), by trigger.', ['trigger']);
  readonly eventsLost = this.registry.counter('pss_gateway_trigger_events_not_stored_total', 'Trigger events that could not be stored in the spool (an I/O error or a refused append); events dropped later by the disk bound are in pss_gateway_spool_dropped_records.');
  readonly closes = this.registry.counter('pss_gateway_close_commands_total', 'Close commands applied, by result (closed, already-closed, unknown).', ['result']);
  readonly telemetrySamples = this.registry.counter('pss_gateway_telemetry_samples_total', 'Samples (after downsampling) put into telemetry batches.');
  readonly telemetryDropped = this.registry.counter('pss_gateway_telemetry_samples_not_stored_total', 'Telemetry samples that could not be stored in the spool.');
  private readonly rate = this.registry.gauge('pss_gateway_samples_per_second', 'Samples handed to the trigger engine per second, over the time since the previous scrape (at least 1 s).');
  private readonly spoolDepth = this.registry.gauge('pss_gateway_spool_depth_records', 'Messages in the store-and-forward spool waiting for delivery, by class.', ['class']);
  private readonly spoolDropped = this.registry.gauge('pss_gateway_spool_dropped_records', 'Records the spool dropped unacknowledged because its disk budget was full (since start), by class.', ['class']);
  private readonly spoolBytes = this.registry.gauge('pss_gateway_spool_disk_bytes', 'Bytes of spool segment files.');
  private readonly spoolMax = this.registry.gauge('pss_gateway_spool_max_bytes', 'The spool disk budget.');
  private readonly uplinkUp = this.registry.gauge('pss_gateway_uplink_connected', '1 when the uplink to the cloud broker is connected.');
  private readonly uplinkCounts = this.registry.gauge('pss_gateway_uplink_messages', 'Uplink message counts since start, by kind (events-published, events-resent, events-acked, telemetry-published, close-commands, bad-messages, reconnects).', ['kind']);
  private readonly awaiting = this.registry.gauge('pss_gateway_events_awaiting_ack', 'Trigger events published and waiting for the cloud acknowledgement.');
  private readonly sourceUp = this.registry.gauge('pss_gateway_source_connected', '1 when a data source is connected (or listening), by source.', ['source', 'kind', 'state']);
  private readonly sourceItems = this.registry.gauge('pss_gateway_source_items', 'Monitored items (OPC UA) or subscriptions (MQTT) alive, by source.', ['source']);
  private readonly sourceReconnects = this.registry.gauge('pss_gateway_source_reconnects', 'Reconnections of a data source since start.', ['source']);
  private readonly latched = this.registry.gauge('pss_gateway_triggers_latched', 'Triggers latched now (the trigger matrix ones), over all assets.');
  private readonly assets = this.registry.gauge('pss_gateway_assets', 'Assets with trigger state.');
  private readonly children = new Map<string, { value: number }>();
  private lastScrape = { time: 0, total: 0 };

  sample(source: string, outcome: SampleOutcome): void {
    const key = `${source}\u0000${outcome}`;
    let c = this.children.get(key);
    if (!c) {
      c = this.samples.child({ source, outcome });
      this.children.set(key, c);
    }
    c.value++;
  }

  inputRejected(source: string, cause: string): void {
    this.rejected.inc({ source, cause });
  }

  fired(trigger: string): void {
    this.firings.inc({ trigger });
  }

  /** Reads live state from the gateway at every scrape. */
  bind(gateway: Gateway): void {
    this.registry.onCollect(() => {
      const now = Date.now();
      const total = this.samples.total();
      const dt = (now - this.lastScrape.time) / 1000;
      if (this.lastScrape.time > 0 && dt >= 1) this.rate.set({}, Math.round((total - this.lastScrape.total) / dt));
      if (this.lastScrape.time === 0 || dt >= 1) this.lastScrape = { time: now, total };

      const spool = gateway.spoolMetrics;
      for (const [cls, m] of Object.entries(spool.classes)) {
        this.spoolDepth.set({ class: cls }, m.depthRecords);
        this.spoolDropped.set({ class: cls }, m.dropped);
      }
      this.spoolBytes.set({}, spool.diskBytes);
      this.spoolMax.set({}, spool.maxBytes);

      const u = gateway.uplinkStats;
      this.uplinkUp.set({}, u.connected ? 1 : 0);
      for (const [kind, v] of [
        ['events-published', u.eventsPublished], ['events-resent', u.eventsResent], ['events-acked', u.eventsAcked], ['telemetry-published', u.telemetryPublished],
        ['close-commands', u.closeCommands], ['bad-messages', u.badMessages], ['reconnects', u.reconnects],
      ] as const) this.uplinkCounts.set({ kind }, v);
      this.awaiting.set({}, u.awaitingAck);

      // A source's state is a label: drop the old series so that only the current state is exported.
      this.sourceUp.clear();
      for (const s of gateway.sourceStatuses()) {
        this.sourceUp.set({ source: s.name, kind: s.kind, state: s.state }, s.state === 'connected' || s.state === 'listening' ? 1 : 0);
        this.sourceItems.set({ source: s.name }, s.items);
        this.sourceReconnects.set({ source: s.name }, s.reconnects);
      }
      const ids = gateway.engine.assetIds();
      let latched = 0;
      for (const a of ids) for (const v of gateway.engine.matrix(a)) latched += v;
      this.latched.set({}, latched);
      this.assets.set({}, ids.length);
    });
  }

  render(): string {
    return this.registry.render();
  }
}
