// The shipped example models: every condition compiles, and an elevator's day at the edge
// produces the firings its conditions promise.
import { readFileSync } from 'fs';
import { join } from 'path';
import { PssModel, formatIssue, parseText, readPssModel } from '@pss/model';
import { TriggerEngine, TriggerFired, checkTriggerConditions } from './index';
import { HOUR, MINUTE, SECOND, sample } from './testing/samples';

function loadModel(file: string): PssModel {
  const parsed = parseText(readFileSync(join(__dirname, '..', '..', '..', 'examples', file), 'utf8'), 'yaml');
  if (!parsed.ok) throw new Error(parsed.issues.map(formatIssue).join('\n'));
  const model = readPssModel(parsed.value);
  if (!model.ok) throw new Error(model.issues.map(formatIssue).join('\n'));
  return model.value;
}

describe('example models', () => {
  it.each(['elevator-fleet.model.yaml', 'passenger-car.model.yaml'])('%s: every condition compiles', (file) => {
    const model = loadModel(file);
    expect(checkTriggerConditions(model)).toEqual([]);
    expect(new TriggerEngine(model).triggerIds).toEqual(model.triggers.map((t) => t.id));
  });

  it('elevator: vibration average, door obstruction held 5 minutes, door-cycle delta; hysteresis of 30 minutes', () => {
    const model = loadModel('elevator-fleet.model.yaml');
    const e = new TriggerEngine(model, { gateway: 'edge-01' });
    const T0 = Date.UTC(2024, 5, 3, 8);
    const fired: TriggerFired[] = [];
    const push = (ref: string, time: number, value: number) => fired.push(...e.ingest(sample('lift-3', ref, time, value)).fired);

    // Traction: one vibration sample every 10 s; a single spike does not move the 10-minute average.
    for (let i = 0; i <= 60; i++) push('p.traction.vibration_rms', T0 + i * 10 * SECOND, i === 30 ? 40 : 3);
    expect(fired).toEqual([]);
    // A sustained rise does: 3 -> 12 mm/s from minute 10 on.
    for (let i = 61; i <= 120 && fired.length === 0; i++) push('p.traction.vibration_rms', T0 + i * 10 * SECOND, 12);
    expect(fired.map((f) => f.trigger)).toEqual(['ss.traction']);
    const traction = fired[0];
    expect(traction.values["avg(p.traction.vibration_rms, '10m')"]).toBeGreaterThan(7.1);
    expect(traction.window).toEqual({ start: traction.time, deadline: traction.time + 48 * HOUR });
    expect(traction.id).toBe(`edge-01:lift-3:ss.traction:${traction.time}:1`);

    // Doors: the light curtain is blocked from 09:00; the gateway ticks every minute.
    fired.length = 0;
    const nine = T0 + HOUR;
    push('p.doors.door_obstruction', nine, 2);
    for (let m = 1; m <= 6; m++) fired.push(...e.tick(nine + m * MINUTE));
    expect(fired.map((f) => [f.trigger, f.time])).toEqual([['ss.doors', nine + 5 * MINUTE]]);
    expect(fired[0].values["for(p.doors.door_obstruction > 0, '5m')"]).toBe(300);
    expect(e.matrix('lift-3')).toEqual([1, 0, 1, 0, 0]);

    // The door service is done at 09:20; the curtain cleared at 09:10. clear: 0.5 h -> free at 09:40.
    push('p.doors.door_obstruction', nine + 10 * MINUTE, 0);
    expect(e.close('lift-3', 'ss.doors', fired[0].id)).toMatchObject({ ok: true, unlatched: false });
    fired.length = 0;
    e.tick(nine + 39 * MINUTE);
    expect(e.matrix('lift-3')[2]).toBe(1);
    e.tick(nine + 40 * MINUTE);
    expect(e.matrix('lift-3')[2]).toBe(0);

    // Door cycles: more than 500 in an hour fires the same trigger again.
    for (let m = 0; m <= 60; m++) push('p.doors.door_cycles', nine + HOUR + m * MINUTE, 200_000 + m * 9);
    expect(fired.map((f) => f.trigger)).toEqual(['ss.doors']);
    expect(fired[0].values["delta(p.doors.door_cycles, '1h')"]).toBe(504);

    // A broken sensor reading is refused, not evaluated.
    expect(e.ingest(sample('lift-3', 'p.traction.vibration_rms', nine + 3 * HOUR, 900))).toMatchObject({ outcome: 'out-of-range', fired: [] });
  });
});
