import { PssModel, formatIssue, mergeDemands, readPssModel, unknownStatusRefs } from './index';
import { Json, edit, getPath, setPath, shopModel } from './testing/arbitraries';

function load(doc: Json): PssModel {
  const r = readPssModel(doc);
  if (!r.ok) throw new Error(r.issues.map(formatIssue).join('\n'));
  return r.value;
}

function problems(doc: Json): string[] {
  const r = readPssModel(doc);
  return r.ok ? [] : r.issues.map(formatIssue);
}

describe('readPssModel: a valid model', () => {
  it('loads the shop model with references intact', () => {
    const m = load(shopModel());
    expect(m.name).toBe('shop');
    expect(m.parts.map((p) => p.id)).toEqual(['p.frame', 'p.axle']);
    expect(m.flows).toEqual([
      { trigger: 'ss.run', body: { seq: ['sa.inspect', { xor: ['sa.axle', 'sa.axle-replace'] }, 'sa.frame'] } },
      { trigger: 'ss.steer', body: { xor: ['sa.frame', 'sa.skip'] } },
    ]);
    expect(m.parts[0]).toEqual({ id: 'p.frame', name: 'Frame', info: { material: 'steel' }, statuses: [{ key: 'crack_len', unit: 'mm' }] });
  });

  it('fills the defaults: equal interaction weights, partRank settings, time unit, windows, clear, virtual values', () => {
    const m = load(edit(shopModel(), { timeUnit: undefined, 'triggers[1].window.start': undefined }));
    expect(m.interactionWeights).toEqual({ spatial: 0.25, energy: 0.25, information: 0.25, material: 0.25 });
    expect(m.partRank).toEqual({ alpha: 1, tolerance: 1e-12, maxIterations: 10000 });
    expect(m.timeUnit).toBe('h');
    expect(m.triggers[1].window).toEqual({ start: 0, deadline: 48 });
    expect(m.triggers[0].clear).toBe(0);
    expect(m.activities.find((a) => a.id === 'sa.skip')).toEqual({ id: 'sa.skip', time: 0, cost: 0, reliability: 1, objects: [], demands: [], virtual: true });
    expect(m.activities.find((a) => a.id === 'sa.frame')).toMatchObject({ objects: ['p.frame'], demands: [], virtual: false });
    expect(m.parts[1].statuses).toEqual([{ key: 'vib', unit: 'mm/s' }]);
  });

  it('fills only the missing partRank settings', () => {
    const m = load(setPath(shopModel(), 'partRank', { alpha: 0.5 }));
    expect(m.partRank).toEqual({ alpha: 0.5, tolerance: 1e-12, maxIterations: 10000 });
  });

  it('accepts interaction weights that sum to 1 within 1e-9', () => {
    const m = load(setPath(shopModel(), 'interactionWeights', { spatial: 0.1, energy: 0.2, information: 0.3, material: 0.4 + 5e-10 }));
    expect(m.interactionWeights.material).toBeCloseTo(0.4, 9);
  });

  it('sums several demands of the same kind in one activity', () => {
    const m = load(setPath(shopModel(), 'activities[2].demands', [{ kind: 'kr.mech', qty: 1 }, { kind: 'kr.lift', qty: 1 }, { kind: 'kr.mech', qty: 2 }]));
    expect(m.activities[2].demands).toEqual([{ kind: 'kr.mech', qty: 3 }, { kind: 'kr.lift', qty: 1 }]);
    expect(mergeDemands([{ kind: 'k', qty: 1 }, { kind: 'k', qty: 1 }])).toEqual([{ kind: 'k', qty: 2 }]);
  });

  it('accepts a link with an explicit weight and no types, and a theta of exactly 0 or 1', () => {
    const m = load(edit(shopModel(), { 'partLinks[0]': { from: 'p.axle', to: 'p.frame', weight: 0.3 }, 'assignable[0].theta': 0, 'assignable[1].theta': 1 }));
    expect(m.partLinks).toEqual([{ from: 'p.axle', to: 'p.frame', types: [], weight: 0.3 }]);
    expect(m.assignable.map((a) => a.theta).slice(0, 2)).toEqual([0, 1]);
  });

  it('reports unknown fields as warnings, not errors', () => {
    const r = readPssModel(edit(shopModel(), { colour: 'red', 'activities[0].tme': 3 }));
    expect(r.ok).toBe(true);
    expect((r.warnings ?? []).map(formatIssue)).toEqual([
      expect.stringMatching(/^colour: unknown field, ignored/),
      expect.stringMatching(/^activities\[0\]\.tme: unknown field, ignored/),
    ]);
  });
});

describe('readPssModel: every validation rule names the path and the rule', () => {
  const cases: [string, Record<string, Json | undefined>, string][] = [
    // flow bodies
    ['an xor with one branch', { 'flows[0].body.seq[1].xor': ['sa.axle'] }, 'flows[0].body.seq[1].xor: needs at least 2 branches, got 1'],
    ['an and with one branch', { 'flows[1].body': { and: ['sa.frame'] } }, 'flows[1].body.and: needs at least 2 branches, got 1'],
    ['an empty body', { 'flows[0].body': { seq: [] } }, 'flows[0].body.seq: is empty'],
    ['an unknown activity in a body', { 'flows[0].body.seq[0]': 'sa.nope' }, 'flows[0].body.seq[0]: unknown activity "sa.nope"'],
    ['an activity used twice in one flow', { 'flows[0].body.seq[2]': 'sa.inspect' }, 'flows[0]: activity "sa.inspect" is used twice in one flow'],
    ['a flow without a body', { 'flows[1].body': undefined }, 'flows[1]: needs a body (or the graph form: edges with split/join)'],
    ['a flow that is not an object', { 'flows[1]': 'ss.steer' }, 'flows[1]: must be an object, got the text "ss.steer"'],
    // flows and triggers
    ['a trigger with no flow', { 'flows[1]': undefined }, 'triggers[1]: trigger "ss.steer" has no flow'],
    ['a flow for an unknown trigger', { 'flows[1].trigger': 'ss.ghost' }, 'flows[1].trigger: unknown trigger "ss.ghost"'],
    ['two flows for one trigger', { 'flows[1].trigger': 'ss.run' }, 'flows[1].trigger: trigger "ss.run" already has a flow (flows[0])'],
    ['a monitor of an unknown part', { 'triggers[0].monitors[1]': 'p.wheel' }, 'triggers[0].monitors[1]: unknown part "p.wheel"'],
    ['a condition on an unknown status', { 'triggers[0].condition': 'p.axle.temp > 3' }, 'triggers[0].condition: refers to unknown status "p.axle.temp"'],
    ['a deadline before the window start', { 'triggers[1].window': { start: 5, deadline: 4 } }, 'triggers[1].window.deadline: must be >= window.start (5), got 4'],
    ['a trigger without a deadline', { 'triggers[1].window': { start: 1 } }, 'triggers[1].window.deadline: is required'],
    // duplicate ids
    ['a duplicate activity id', { 'activities[1].id': 'sa.inspect' }, 'activities[1].id: duplicate id "sa.inspect" (first at activities[0])'],
    ['a duplicate part id', { 'parts[1].id': 'p.frame' }, 'parts[1].id: duplicate id "p.frame" (first at parts[0])'],
    ['a duplicate resource id', { 'resources[2].id': 'pr.li' }, 'resources[2].id: duplicate id "pr.li" (first at resources[0])'],
    ['a duplicate resource kind id', { 'resourceKinds[1].id': 'kr.mech' }, 'resourceKinds[1].id: duplicate id "kr.mech" (first at resourceKinds[0])'],
    ['a duplicate trigger id', { 'triggers[1].id': 'ss.run' }, 'triggers[1].id: duplicate id "ss.run" (first at triggers[0])'],
    ['an activity with a trigger id', { 'activities[4].id': 'ss.steer' }, 'activities[4].id: "ss.steer" is also a trigger id'],
    ['a duplicate assignable edge', { 'assignable[1]': { resource: 'pr.li', activity: 'sa.inspect', theta: 0.5 } }, 'assignable[1]: duplicate edge pr.li -> sa.inspect (first at assignable[0])'],
    ['a duplicate status key', { 'parts[0].statuses[1]': { key: 'crack_len' } }, 'parts[0].statuses[1].key: duplicate status "crack_len"'],
    // unknown references
    ['a link to an unknown part', { 'partLinks[0].to': 'p.wheel' }, 'partLinks[0].to: unknown part "p.wheel"'],
    ['a link from an unknown part', { 'partLinks[0].from': 'p.wheel' }, 'partLinks[0].from: unknown part "p.wheel"'],
    ['a part linked to itself', { 'partLinks[0].to': 'p.frame' }, 'partLinks[0]: a part cannot link to itself ("p.frame")'],
    ['an unknown interaction type', { 'partLinks[0].types[1]': 'thermal' }, 'partLinks[0].types[1]: must be one of spatial, energy, information, material, got "thermal"'],
    ['a link with neither types nor weight', { 'partLinks[0].types': [] }, 'partLinks[0]: needs interaction types or an explicit weight'],
    ['a resource of an unknown kind', { 'resources[0].kind': 'kr.ghost' }, 'resources[0].kind: unknown resource kind "kr.ghost"'],
    ['an object that is not a part', { 'activities[0].objects[0]': 'p.ghost' }, 'activities[0].objects[0]: unknown part "p.ghost"'],
    ['a demand of an unknown kind', { 'activities[0].demands[0].kind': 'kr.ghost' }, 'activities[0].demands[0].kind: unknown resource kind "kr.ghost"'],
    ['an assignable edge from an unknown resource', { 'assignable[0].resource': 'pr.ghost' }, 'assignable[0].resource: unknown resource "pr.ghost"'],
    ['an assignable edge to an unknown activity', { 'assignable[0].activity': 'sa.ghost' }, 'assignable[0].activity: unknown activity "sa.ghost"'],
    ['an unknown resource category', { 'resourceKinds[0].category': 'robot' }, 'resourceKinds[0].category: must be one of personnel, equipment, got the text "robot"'],
    // numbers and ranges
    ['a demand with qty 0', { 'activities[0].demands[0].qty': 0 }, 'activities[0].demands[0].qty: must be >= 1, got 0'],
    ['a demand with qty 1.5', { 'activities[0].demands[0].qty': 1.5 }, 'activities[0].demands[0].qty: must be an integer, got 1.5'],
    ['theta 1.2', { 'assignable[0].theta': 1.2 }, 'assignable[0].theta: must be <= 1, got 1.2'],
    ['theta -0.1', { 'assignable[0].theta': -0.1 }, 'assignable[0].theta: must be >= 0, got -0.1'],
    ['reliability -0.1', { 'activities[0].reliability': -0.1 }, 'activities[0].reliability: must be >= 0, got -0.1'],
    ['reliability 1.01', { 'activities[0].reliability': 1.01 }, 'activities[0].reliability: must be <= 1, got 1.01'],
    ['a link weight above 1', { 'partLinks[0].weight': 1.5 }, 'partLinks[0].weight: must be <= 1, got 1.5'],
    ['an interaction weight below 0', { interactionWeights: { spatial: -0.25, energy: 0.75, information: 0.25, material: 0.25 } }, 'interactionWeights.spatial: must be >= 0, got -0.25'],
    ['interaction weights not summing to 1', { interactionWeights: { spatial: 0.3, energy: 0.3, information: 0.2, material: 0.1 } }, 'interactionWeights: must sum to 1 (±1e-9), got 0.9'],
    ['interaction weights with one missing', { interactionWeights: { spatial: 0.5, energy: 0.25 } }, 'interactionWeights: must sum to 1 (±1e-9), got 0.75'],
    ['a negative time', { 'activities[0].time': -1 }, 'activities[0].time: must be >= 0, got -1'],
    ['a negative cost rate', { 'resources[0].costRate': -5 }, 'resources[0].costRate: must be >= 0, got -5'],
    ['NaN where a number belongs', { 'activities[0].time': Number.NaN }, 'activities[0].time: must be a finite number, got NaN'],
    ['Infinity where a number belongs', { 'activities[0].cost': Number.POSITIVE_INFINITY }, 'activities[0].cost: must be a finite number, got Infinity'],
    ['a string where a number belongs', { 'resources[0].costRate': '80' }, 'resources[0].costRate: must be a finite number, got the text "80"'],
    ['a boolean where a number belongs', { 'assignable[0].theta': true }, 'assignable[0].theta: must be a finite number, got boolean true'],
    ['a missing time', { 'activities[0].time': undefined }, 'activities[0].time: is required'],
    ['a zero partRank tolerance', { partRank: { tolerance: 0 } }, 'partRank.tolerance: must be > 0, got 0'],
    ['a fractional maxIterations', { partRank: { maxIterations: 2.5 } }, 'partRank.maxIterations: must be an integer, got 2.5'],
    ['a non-boolean virtual flag', { 'activities[4].virtual': 'yes' }, 'activities[4].virtual: must be true or false, got the text "yes"'],
    // virtual activities
    ['a virtual activity with time', { 'activities[4].time': 1 }, 'activities[4].time: a virtual activity takes no time, got 1'],
    ['a virtual activity with cost', { 'activities[4].cost': 5 }, 'activities[4].cost: a virtual activity costs nothing, got 5'],
    ['a virtual activity with objects', { 'activities[4].objects': ['p.axle'] }, 'activities[4].objects: a virtual activity has no service objects'],
    ['a virtual activity with demands', { 'activities[4].demands': [{ kind: 'kr.mech', qty: 1 }] }, 'activities[4].demands: a virtual activity demands no resources'],
    // the document
    ['a wrong kind', { kind: 'PssModle' }, 'kind: must be PssModel, got the text "PssModle"'],
    ['a wrong apiVersion', { apiVersion: 'pss/v2' }, 'apiVersion: must be pss/v1, got the text "pss/v2"'],
    ['no parts list', { parts: undefined }, 'parts: is required'],
    ['activities that are not a list', { activities: { id: 'x' } }, 'activities: must be a list, got an object'],
    ['an id that is not a string', { 'parts[1].id': 7 }, 'parts[1].id: must be a non-empty string, got number 7'],
    ['a status key that is not an identifier', { 'parts[1].statuses[0].key': '9lives' }, 'parts[1].statuses[0].key: must be letters, digits or _ (not starting with a digit), got "9lives"'],
  ];

  it.each(cases)('%s', (_name, edits, expected) => {
    // Some messages go on after the rule (a list of the known values): match the start of a line.
    const got = problems(edit(shopModel(), edits));
    expect(got.find((line) => line.startsWith(expected)) ?? got).toEqual(expect.stringContaining(expected));
  });

  it('rejects a document that is not an object', () => {
    expect(problems([])).toEqual(['must be an object, got a list']);
    expect(readPssModel('x', 'model')).toEqual({ ok: false, issues: [{ path: 'model', message: 'must be an object, got the text "x"' }], warnings: [] });
  });

  it('reports every fault of a document at once, and loads nothing', () => {
    const doc = edit(shopModel(), {
      'flows[0].body.seq[1].xor': ['sa.axle'],
      'assignable[0].theta': 1.2,
      'activities[1].reliability': Number.NaN,
      'activities[4].cost': 5,
    });
    const r = readPssModel(doc);
    expect(r.ok).toBe(false);
    expect('value' in r).toBe(false);
    expect(r.ok ? [] : r.issues.map(formatIssue).sort()).toEqual(
      [
        'activities[1].reliability: must be a finite number, got NaN',
        'activities[4].cost: a virtual activity costs nothing, got 5',
        'assignable[0].theta: must be <= 1, got 1.2',
        'flows[0].body.seq[1].xor: needs at least 2 branches, got 1',
      ].sort(),
    );
  });

  it('keeps going after a fault in one item: the next items are still checked', () => {
    const doc = edit(shopModel(), { 'activities[0].time': 'long', 'activities[1].cost': -1, 'activities[2].demands[1].qty': 0 });
    expect(problems(doc)).toEqual([
      'activities[0].time: must be a finite number, got the text "long"',
      'activities[1].cost: must be >= 0, got -1',
      'activities[2].demands[1].qty: must be >= 1, got 0',
    ]);
  });

  it('prefixes every path with the given base path', () => {
    const r = readPssModel(setPath(shopModel(), 'assignable[0].theta', 2), 'model');
    expect(r.ok ? [] : r.issues.map(formatIssue)).toEqual(['model.assignable[0].theta: must be <= 1, got 2']);
  });

  it('leaves the input document untouched', () => {
    const doc = shopModel();
    const before = JSON.stringify(doc);
    load(doc);
    expect(JSON.stringify(doc)).toBe(before);
    expect(getPath(doc, 'activities[4].virtual')).toBe(true);
  });
});

describe('unknownStatusRefs', () => {
  const known = new Set(['p.a.x', 'p.b.y', 'p-c.z']);
  it('finds dotted words that name no known status', () => {
    expect(unknownStatusRefs('p.a.x > 1 && p.a.w < 2 || p.q.x', known)).toEqual(['p.a.w', 'p.q.x']);
  });
  it('reads a hyphen between two known statuses as a subtraction, and ignores quoted text and plain words', () => {
    expect(unknownStatusRefs("p.a.x-p.b.y > 0 && avg(p-c.z, '10m') > 1 && 'p.not.real' == x", known)).toEqual([]);
  });
});
