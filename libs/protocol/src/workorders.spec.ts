import { formatIssue } from '@pss/model';
import { EXAMPLES, ProgressReport, SCHEMAS, WorkOrderMessage, applyProgress, supersedes } from './index';

const order = EXAMPLES[SCHEMAS.workOrder];
const report = EXAMPLES[SCHEMAS.progressReport];
const issues = (r: ReturnType<typeof applyProgress>): string[] => (r.ok ? [] : r.issues.map(formatIssue));

describe('work order concurrency', () => {
  it('applies a report made against the current version: new state, version + 1', () => {
    expect(applyProgress(order, report)).toEqual({ ok: true, value: { ...order, state: 'accepted', version: 2 } });
  });

  it('walks a work order to done', () => {
    let current: WorkOrderMessage = order;
    const steps: [ProgressReport['from'], ProgressReport['to']][] = [
      ['assigned', 'accepted'],
      ['accepted', 'in_progress'],
      ['in_progress', 'done'],
    ];
    for (const [from, to] of steps) {
      const next = applyProgress(current, { ...report, from, to, version: current.version });
      expect(next.ok).toBe(true);
      if (next.ok) current = next.value;
    }
    expect(current).toMatchObject({ state: 'done', version: 4 });
  });

  it('accepts a redelivered report again without changing anything', () => {
    const applied = applyProgress(order, report);
    if (!applied.ok) throw new Error('must apply');
    const again = applyProgress(applied.value, report);
    expect(again.ok && again.value).toBe(applied.value);
    expect((again.warnings ?? []).map(formatIssue)).toEqual(['version: already applied (work order wo-2026-000123 is at version 2, state accepted)']);
  });

  it('rejects stale, foreign and impossible reports', () => {
    const v3: WorkOrderMessage = { ...order, version: 3, state: 'accepted' };
    expect(issues(applyProgress(v3, { ...report, version: 1, from: 'accepted', to: 'in_progress' }))).toEqual([
      'version: stale: made against version 1, work order wo-2026-000123 is at version 3 (state accepted)',
    ]);
    expect(issues(applyProgress(order, { ...report, resource: 'pr.zhao' }))).toEqual(['resource: "pr.zhao" is not on work order "wo-2026-000123"']);
    expect(issues(applyProgress(order, { ...report, workOrder: 'wo-1' }))).toEqual(['workOrder: "wo-1" is not work order "wo-2026-000123"']);
    expect(issues(applyProgress(order, { ...report, tenant: 'other' }))).toEqual(['tenant: "other" is not the work order\'s tenant "acme"']);
    expect(issues(applyProgress(order, { ...report, from: 'accepted', to: 'in_progress' }))).toEqual(['from: accepted is not the work order\'s state assigned']);
    expect(issues(applyProgress(order, { ...report, to: 'done' }))).toEqual(['to: assigned → done is not a valid transition']);
  });

  it('tells a resource whether an update supersedes what it holds', () => {
    expect(supersedes(order, undefined)).toBe(true);
    expect(supersedes({ ...order, version: 2 }, order)).toBe(true);
    expect(supersedes(order, { ...order, version: 2 })).toBe(false);
    expect(supersedes(order, order)).toBe(false);
    expect(supersedes({ ...order, id: 'wo-2', version: 9 }, order)).toBe(false);
  });
});
