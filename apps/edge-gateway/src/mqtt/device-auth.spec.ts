import { DeviceAclError, DeviceAuthenticator } from './device-auth';

describe('DeviceAuthenticator', () => {
  const devices = [
    { username: 'car-0001', password: 's3cret', publish: ['vehicles/{username}/#'], subscribe: ['vehicles/+/status', 'cmd/{username}'] },
    { username: 'car-0002', password: 'other', publish: ['vehicles/{username}/telemetry'], subscribe: [] },
  ];

  it('accepts the right password only, in constant time on digests', () => {
    const auth = new DeviceAuthenticator(devices, false);
    const ok = auth.authenticate('car-0001', Buffer.from('s3cret'));
    expect(ok).toEqual({ ok: true, identity: { kind: 'device', username: 'car-0001', publish: ['vehicles/car-0001/#'], subscribe: ['vehicles/+/status', 'cmd/car-0001'] } });
    expect(auth.authenticate('car-0001', Buffer.from('s3cre'))).toMatchObject({ ok: false, returnCode: 4 });
    expect(auth.authenticate('car-0001', Buffer.from('s3cret!'))).toMatchObject({ ok: false, returnCode: 4 });
    expect(auth.authenticate('car-0001', undefined)).toMatchObject({ ok: false, returnCode: 4 });
    expect(auth.authenticate('nobody', Buffer.from('s3cret'))).toMatchObject({ ok: false, returnCode: 4 });
    expect(auth.authenticate(undefined, undefined)).toMatchObject({ ok: false, returnCode: 5 });
  });

  it('lets anonymous clients in only when allowed, with full access but $SYS', () => {
    const auth = new DeviceAuthenticator(devices, true);
    const r = auth.authenticate(undefined, undefined);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(auth.mayPublish(r.identity, 'anything/at/all')).toBe(true);
    expect(auth.mayPublish(r.identity, '$SYS/broker/x')).toBe(false);
    expect(auth.maySubscribe(r.identity, '#')).toBe(true);
    // A known username with a wrong password is not anonymous.
    expect(auth.authenticate('car-0001', Buffer.from('nope')).ok).toBe(false);
  });

  it('enforces each device ACL with {username} substituted', () => {
    const auth = new DeviceAuthenticator(devices, false);
    const one = auth.authenticate('car-0001', Buffer.from('s3cret'));
    const two = auth.authenticate('car-0002', Buffer.from('other'));
    if (!one.ok || !two.ok) throw new Error('authentication failed');
    expect(auth.mayPublish(one.identity, 'vehicles/car-0001/telemetry')).toBe(true);
    expect(auth.mayPublish(one.identity, 'vehicles/car-0002/telemetry')).toBe(false);
    expect(auth.mayPublish(two.identity, 'vehicles/car-0002/telemetry')).toBe(true);
    expect(auth.mayPublish(two.identity, 'vehicles/car-0002/status')).toBe(false);
    expect(auth.maySubscribe(one.identity, 'vehicles/car-0002/status')).toBe(true);
    expect(auth.maySubscribe(one.identity, 'vehicles/+/status')).toBe(true);
    expect(auth.maySubscribe(one.identity, 'vehicles/#')).toBe(false);
    expect(auth.maySubscribe(one.identity, '$share/g/cmd/car-0001')).toBe(true);
    expect(auth.maySubscribe(two.identity, 'vehicles/car-0002/telemetry')).toBe(false);
  });

  it('refuses a device list it cannot enforce', () => {
    expect(() => new DeviceAuthenticator([devices[0], devices[0]], false)).toThrow(DeviceAclError);
    expect(() => new DeviceAuthenticator([{ ...devices[0], username: 'a/+' }], false)).toThrow(/cannot replace \{username\}/);
    expect(() => new DeviceAuthenticator([{ ...devices[0], publish: ['a/#/b'] }], false)).toThrow(/"#" must be/);
  });
});
