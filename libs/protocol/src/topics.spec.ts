import fc from 'fast-check';
import { ValidationError, formatIssue } from '@pss/model';
import {
  GATEWAY_TOPIC_KINDS,
  LIMITS,
  TOPIC_KINDS,
  TOPIC_SPECS,
  TopicAddress,
  buildFilter,
  buildTopic,
  checkSegment,
  cloudSubscriptions,
  filter,
  gatewaySubscriptions,
  parseTopic,
  resourceSubscriptions,
  topic,
  topicMatches,
  unshare,
} from './index';
import { address } from '../test/arbitraries';

const messages = (r: { ok: true } | { ok: false; issues: { path: string; message: string }[] }): string[] => (r.ok ? [] : r.issues.map(formatIssue));

const EXPECTED: [TopicAddress, string][] = [
  [{ kind: 'trigger-event', tenant: 'acme', gateway: 'gw-1' }, 'pss/v1/acme/gw-1/events/trigger'],
  [{ kind: 'event-ack', tenant: 'acme', gateway: 'gw-1' }, 'pss/v1/acme/gw-1/events/ack'],
  [{ kind: 'telemetry', tenant: 'acme', gateway: 'gw-1' }, 'pss/v1/acme/gw-1/telemetry'],
  [{ kind: 'status', tenant: 'acme', gateway: 'gw-1' }, 'pss/v1/acme/gw-1/status'],
  [{ kind: 'close-command', tenant: 'acme', gateway: 'gw-1' }, 'pss/v1/acme/gw-1/commands/close'],
  [{ kind: 'close-ack', tenant: 'acme', gateway: 'gw-1' }, 'pss/v1/acme/gw-1/commands/close/ack'],
  [{ kind: 'work-order', tenant: 'acme', resource: 'pr.li' }, 'pss/v1/acme/workorders/pr.li'],
  [{ kind: 'progress', tenant: 'acme', resource: 'pr.li' }, 'pss/v1/acme/workorders/pr.li/progress'],
];

describe('topic builders and parser', () => {
  it.each(EXPECTED)('builds and parses %j as %s', (addr, name) => {
    expect(buildTopic(addr)).toEqual({ ok: true, value: name });
    expect(topic(addr)).toBe(name);
    expect(parseTopic(name)).toEqual({ ok: true, value: addr, warnings: [] });
  });

  it('covers every topic kind', () => {
    expect(EXPECTED.map(([a]) => a.kind).sort()).toEqual([...TOPIC_KINDS].sort());
  });

  it('round-trips every valid address (property)', () => {
    fc.assert(
      fc.property(address, (addr) => {
        const built = buildTopic(addr);
        expect(built.ok).toBe(true);
        const parsed = built.ok ? parseTopic(built.value) : undefined;
        expect(parsed).toEqual({ ok: true, value: addr, warnings: [] });
      }),
    );
  });

  it.each([
    ['', 'tenant: must not be empty'],
    ['a/b', 'tenant: must not contain "/" (the topic level separator), got "a/b"'],
    ['a+', 'tenant: must not contain "+" (an MQTT wildcard), got "a+"'],
    ['#', 'tenant: must not contain "#" (an MQTT wildcard), got "#"'],
    ['$SYS', 'tenant: may only contain letters A-Z a-z, digits, ".", "_" and "-", got "$SYS"'],
    ['a b', 'tenant: may only contain letters A-Z a-z, digits, ".", "_" and "-", got "a b"'],
    ['ü', 'tenant: may only contain letters A-Z a-z, digits, ".", "_" and "-", got "ü"'],
    ['x'.repeat(LIMITS.maxSegmentLength + 1), `tenant: must be at most ${LIMITS.maxSegmentLength} characters, got ${LIMITS.maxSegmentLength + 1}`],
  ])('rejects the tenant %j, naming the segment', (tenant, expected) => {
    expect(messages(buildTopic({ kind: 'status', tenant, gateway: 'gw-1' }))).toEqual([expected]);
  });

  it('names every bad segment at once', () => {
    expect(messages(buildTopic({ kind: 'telemetry', tenant: 'a/b', gateway: 'g+' }))).toEqual([
      'tenant: must not contain "/" (the topic level separator), got "a/b"',
      'gateway: must not contain "+" (an MQTT wildcard), got "g+"',
    ]);
    expect(messages(buildTopic({ kind: 'work-order', tenant: 'acme', resource: '' }))).toEqual(['resource: must not be empty']);
    expect(() => topic({ kind: 'progress', tenant: 'acme', resource: 'a#' })).toThrow(ValidationError);
    expect(() => topic({ kind: 'progress', tenant: 'acme', resource: 'a#' })).toThrow('resource: must not contain "#"');
  });

  it('reserves the names that would make wildcard filters ambiguous', () => {
    expect(messages(buildTopic({ kind: 'status', tenant: 'acme', gateway: 'workorders' }))).toEqual([
      'gateway: "workorders" is reserved (pss/v1/{tenant}/workorders/... carries work orders)',
    ]);
    expect(messages(buildTopic({ kind: 'work-order', tenant: 'acme', resource: 'status' }))).toEqual([
      'resource: "status" is reserved (pss/v1/+/+/status subscribes to every gateway\'s status)',
    ]);
    expect(checkSegment('resource', 'telemetry')).toMatch(/reserved/);
    expect(checkSegment('gateway', 'status')).toBeUndefined();
    expect(checkSegment('tenant', 'workorders')).toBeUndefined();
  });

  it.each([
    ['', 'topic must be a non-empty string'],
    ['mqtt/v1/acme/gw-1/status', 'not a PSS topic: must start with "pss/v1/", got "mqtt/v1/acme/gw-1/status"'],
    ['pss/v2/acme/gw-1/status', 'unsupported topic version v2 (this build speaks v1)'],
    ['pss/latest/acme/gw-1/status', 'not a PSS topic: the second level must be the version v1, got "latest"'],
    ['pss/v1/acme', 'topic too short: "pss/v1/acme" (known kinds: trigger-event, event-ack, telemetry, status, close-command, close-ack, work-order, progress)'],
    ['pss/v1/acme/gw-1/events', 'unknown topic: nothing ends in {gateway}/events (known: events/trigger, events/ack, telemetry, status, commands/close, commands/close/ack)'],
    ['pss/v1/acme/gw-1/status/', 'unknown topic: nothing ends in {gateway}/status/ (known: events/trigger, events/ack, telemetry, status, commands/close, commands/close/ack)'],
    ['pss/v1/acme/workorders', 'resource: is missing (pss/v1/{tenant}/workorders/{resource})'],
    ['pss/v1/acme/workorders/pr.li/done', 'unknown topic: nothing ends in workorders/{resource}/done (known: workorders/{resource}, workorders/{resource}/progress)'],
    ['pss/v1/+/gw-1/status', 'tenant: must not contain "+" (an MQTT wildcard), got "+"'],
    ['pss/v1/acme/#', 'gateway: must not contain "#" (an MQTT wildcard), got "#"'],
    ['pss/v1//gw-1/status', 'tenant: must not be empty'],
    ['pss/v1/acme/workorders/status', 'resource: "status" is reserved (pss/v1/+/+/status subscribes to every gateway\'s status)'],
  ])('rejects the topic %j', (name, expected) => {
    const result = parseTopic(name);
    expect(result.ok).toBe(false);
    expect(messages(result)).toContain(expected);
  });

  it('never throws on any string (property)', () => {
    const levels = fc.array(fc.oneof(fc.constantFrom('pss', 'v1', 'acme', 'gw-1', 'workorders', 'events', 'trigger', 'status', '+', '#', '', 'progress', 'commands', 'close', 'ack'), fc.string()), { maxLength: 8 });
    fc.assert(
      fc.property(fc.oneof(fc.string(), levels.map((l) => l.join('/'))), (name) => {
        const result = parseTopic(name);
        expect(typeof result.ok).toBe('boolean');
        if (result.ok) expect(buildTopic(result.value)).toEqual({ ok: true, value: name });
        else expect(result.issues.length).toBeGreaterThan(0);
      }),
    );
  });
});

describe('subscription filters', () => {
  it('puts + where the scope leaves a segment open', () => {
    expect(filter('trigger-event')).toBe('pss/v1/+/+/events/trigger');
    expect(filter('telemetry', { tenant: 'acme' })).toBe('pss/v1/acme/+/telemetry');
    expect(filter('close-command', { tenant: 'acme', gateway: 'gw-1' })).toBe('pss/v1/acme/gw-1/commands/close');
    expect(filter('work-order', { tenant: 'acme' })).toBe('pss/v1/acme/workorders/+');
    expect(filter('progress')).toBe('pss/v1/+/workorders/+/progress');
  });

  it('builds MQTT v5 shared subscriptions', () => {
    expect(filter('trigger-event', {}, { share: 'cloud' })).toBe('$share/cloud/pss/v1/+/+/events/trigger');
    expect(unshare('$share/cloud/pss/v1/+/+/events/trigger')).toEqual({ group: 'cloud', filter: 'pss/v1/+/+/events/trigger' });
    expect(unshare('pss/v1/#')).toEqual({ filter: 'pss/v1/#' });
    expect(messages(buildFilter('telemetry', {}, { share: 'a/b' }))).toEqual(['group: must not contain "/" (the topic level separator), got "a/b"']);
  });

  it('rejects bad scopes, naming the segment', () => {
    expect(messages(buildFilter('telemetry', { gateway: 'gw+' }))).toEqual(['gateway: must not contain "+" (an MQTT wildcard), got "gw+"']);
    expect(messages(buildFilter('telemetry', { resource: 'pr.li' }))).toEqual(['resource: is not part of a telemetry topic']);
    expect(messages(buildFilter('work-order', { gateway: 'gw-1' }))).toEqual(['gateway: is not part of a work-order topic']);
    expect(() => filter('status', { tenant: '' })).toThrow('tenant: must not be empty');
  });

  it('matches exactly the topics of its own kind (property: no two kinds overlap)', () => {
    fc.assert(
      fc.property(address, fc.constantFrom(...TOPIC_KINDS), fc.boolean(), (addr, kind, scoped) => {
        const name = topic(addr);
        const scope = scoped ? ('gateway' in addr ? { tenant: addr.tenant, gateway: addr.gateway } : { tenant: addr.tenant, resource: addr.resource }) : {};
        const f = buildFilter(kind, addr.kind === kind || !scoped ? scope : { tenant: addr.tenant });
        expect(f.ok).toBe(true);
        if (f.ok) expect(topicMatches(f.value, name)).toBe(addr.kind === kind);
      }),
    );
  });

  it('matches by the MQTT rules', () => {
    expect(topicMatches('pss/v1/#', 'pss/v1/acme/gw-1/status')).toBe(true);
    expect(topicMatches('pss/#', 'pss')).toBe(true);
    expect(topicMatches('#', '$SYS/broker/uptime')).toBe(false);
    expect(topicMatches('+/broker/uptime', '$SYS/broker/uptime')).toBe(false);
    expect(topicMatches('$SYS/#', '$SYS/broker/uptime')).toBe(true);
    expect(topicMatches('pss/v1/+/+/status', 'pss/v1/acme/gw-1/status')).toBe(true);
    expect(topicMatches('pss/v1/+/+/status', 'pss/v1/acme/gw-1/status/x')).toBe(false);
    expect(topicMatches('pss/v1/+/+/commands/close', 'pss/v1/acme/gw-1/commands/close/ack')).toBe(false);
    expect(topicMatches('$share/g/pss/v1/+/+/telemetry', 'pss/v1/acme/gw-1/telemetry')).toBe(true);
    expect(topicMatches('a/#/b', 'a/x/b')).toBe(false);
  });

  it('lists what the cloud, a gateway and a resource subscribe to', () => {
    expect(cloudSubscriptions({ group: 'pss-cloud' })).toEqual([
      { kind: 'trigger-event', filter: '$share/pss-cloud/pss/v1/+/+/events/trigger', qos: 1 },
      { kind: 'telemetry', filter: '$share/pss-cloud/pss/v1/+/+/telemetry', qos: 1 },
      { kind: 'status', filter: 'pss/v1/+/+/status', qos: 1 },
      { kind: 'close-ack', filter: '$share/pss-cloud/pss/v1/+/+/commands/close/ack', qos: 1 },
      { kind: 'progress', filter: '$share/pss-cloud/pss/v1/+/workorders/+/progress', qos: 1 },
    ]);
    expect(cloudSubscriptions({ tenant: 'acme' }).map((s) => s.filter)).toEqual([
      'pss/v1/acme/+/events/trigger',
      'pss/v1/acme/+/telemetry',
      'pss/v1/acme/+/status',
      'pss/v1/acme/+/commands/close/ack',
      'pss/v1/acme/workorders/+/progress',
    ]);
    expect(gatewaySubscriptions('acme', 'gw-1')).toEqual([
      { kind: 'event-ack', filter: 'pss/v1/acme/gw-1/events/ack', qos: 1 },
      { kind: 'close-command', filter: 'pss/v1/acme/gw-1/commands/close', qos: 1 },
    ]);
    expect(resourceSubscriptions('acme', 'pr.li')).toEqual([{ kind: 'work-order', filter: 'pss/v1/acme/workorders/pr.li', qos: 1 }]);
  });

  it('gives every kind a QoS and retain flag, retaining only status', () => {
    for (const kind of TOPIC_KINDS) expect(TOPIC_SPECS[kind].qosAllowed).toContain(TOPIC_SPECS[kind].qos);
    expect(TOPIC_KINDS.filter((k) => TOPIC_SPECS[k].retain)).toEqual(['status']);
    expect(GATEWAY_TOPIC_KINDS.filter((k) => TOPIC_SPECS[k].qos === 0)).toEqual(['telemetry']);
  });
});
