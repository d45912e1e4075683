// The embedded broker's ACL, table-driven: who may publish and subscribe to what.
import { BrokerIdentity, mayConnect, mayPublish, maySubscribe } from './broker-acl';
import { Role } from './tokens';

const key = (role: Role, tenant = 'acme', resource?: string): BrokerIdentity => ({ kind: 'key', principal: { tenant, role, subject: `${role}-key`, ...(resource ? { resource } : {}) } });
const internal: BrokerIdentity = { kind: 'internal' };
const gateway = key('gateway');
const technician = key('technician', 'acme', 'pr.li');
const admin = key('admin');

describe('broker ACL', () => {
  it('lets gateway, technician and admin keys and the cloud connect, not viewers or planners', () => {
    expect([internal, gateway, technician, admin].map(mayConnect)).toEqual([true, true, true, true]);
    expect([key('viewer'), key('planner')].map(mayConnect)).toEqual([false, false]);
  });

  test.each([
    // identity, topic, allowed
    ['gateway', gateway, 'pss/v1/acme/gw-1/events/trigger', true],
    ['gateway', gateway, 'pss/v1/acme/gw-1/telemetry', true],
    ['gateway', gateway, 'pss/v1/acme/gw-1/status', true],
    ['gateway', gateway, 'pss/v1/acme/gw-1/commands/close/ack', true],
    ['gateway', gateway, 'pss/v1/other/gw-1/events/trigger', false],
    ['gateway', gateway, 'pss/v1/acme/gw-1/events/ack', false],
    ['gateway', gateway, 'pss/v1/acme/gw-1/commands/close', false],
    ['gateway', gateway, 'pss/v1/acme/workorders/pr.li', false],
    ['gateway', gateway, 'pss/v1/acme/workorders/pr.li/progress', false],
    ['gateway', gateway, 'pss/v1/acme/gw-1/anything', false],
    ['gateway', gateway, 'elsewhere/topic', false],
    ['gateway', gateway, '$SYS/broker/x', false],
    ['technician', technician, 'pss/v1/acme/workorders/pr.li/progress', true],
    ['technician', technician, 'pss/v1/acme/workorders/pr.wang/progress', false],
    ['technician', technician, 'pss/v1/other/workorders/pr.li/progress', false],
    ['technician', technician, 'pss/v1/acme/workorders/pr.li', false],
    ['technician', technician, 'pss/v1/acme/gw-1/events/trigger', false],
    ['admin', admin, 'pss/v1/acme/gw-1/commands/close', true],
    ['admin', admin, 'pss/v1/acme/workorders/pr.li', true],
    ['admin', admin, 'pss/v1/other/gw-1/commands/close', false],
    ['viewer', key('viewer'), 'pss/v1/acme/gw-1/events/trigger', false],
    ['cloud', internal, 'pss/v1/other/gw-1/events/ack', true],
    ['cloud', internal, '$SYS/x', false],
  ] as const)('%s publishes %s → %s', (_who, identity, topic, allowed) => {
    expect(mayPublish(identity, topic)).toBe(allowed);
  });

  test.each([
    ['gateway', gateway, 'pss/v1/acme/gw-1/events/ack', true],
    ['gateway', gateway, 'pss/v1/acme/gw-1/commands/close', true],
    ['gateway', gateway, 'pss/v1/acme/+/commands/close', true],
    ['gateway', gateway, 'pss/v1/acme/gw-1/#', false],
    ['gateway', gateway, 'pss/v1/acme/#', false],
    ['gateway', gateway, 'pss/v1/+/gw-1/events/ack', false],
    ['gateway', gateway, 'pss/v1/other/gw-1/events/ack', false],
    ['gateway', gateway, 'pss/v1/acme/gw-1/events/trigger', false],
    ['gateway', gateway, 'pss/v1/acme/workorders/commands/close', false],
    ['gateway', gateway, '$share/g/pss/v1/acme/gw-1/events/ack', false],
    ['technician', technician, 'pss/v1/acme/workorders/pr.li', true],
    ['technician', technician, 'pss/v1/acme/workorders/+', false],
    ['technician', technician, 'pss/v1/acme/workorders/pr.wang', false],
    ['technician', technician, 'pss/v1/acme/workorders/pr.li/#', false],
    ['admin', admin, 'pss/v1/acme/#', true],
    ['admin', admin, 'pss/v1/+/#', false],
    ['admin', admin, '#', false],
    ['cloud', internal, '$share/pss-cloud/pss/v1/+/+/events/trigger', true],
    ['cloud', internal, '#', true],
    ['cloud', internal, '$SYS/#', false],
  ] as const)('%s subscribes %s → %s', (_who, identity, topicFilter, allowed) => {
    expect(maySubscribe(identity, topicFilter)).toBe(allowed);
  });
});
