import { ConfigurationProblem, PesProblem, formatIssue, readConfigurationProblem, readPesProblem, readPssModel } from './index';
import { Json, edit, setPath, shopModel } from './testing/arbitraries';

function problemDoc(): Json {
  return {
    apiVersion: 'pss/v1',
    kind: 'ConfigurationProblem',
    name: 'shop-today',
    model: shopModel(),
    triggered: [
      { asset: 'car-1', trigger: 'ss.run', start: 0, deadline: 72 },
      { asset: 'car-1', trigger: 'ss.steer', at: 10 },
      { asset: 'car-2', trigger: 'ss.run' },
    ],
    busy: [{ resource: 'pr.li', from: 0, to: 6 }],
  };
}

function loadProblem(doc: Json): ConfigurationProblem {
  const r = readConfigurationProblem(doc);
  if (!r.ok) throw new Error(r.issues.map(formatIssue).join('\n'));
  return r.value;
}

const lines = (r: { ok: true } | { ok: false; issues: { path: string; message: string }[] }): string[] => (r.ok ? [] : r.issues.map(formatIssue));

describe('readConfigurationProblem', () => {
  it('loads a problem with an inline model', () => {
    const p = loadProblem(problemDoc());
    expect(p.kind).toBe('ConfigurationProblem');
    expect(p.name).toBe('shop-today');
    expect(p.model.activities).toHaveLength(5);
    expect(p.busy).toEqual([{ resource: 'pr.li', from: 0, to: 6 }]);
    expect(p.reliabilityObjective).toBe('importance-weighted');
  });

  it('fills start and deadline from the trigger time and the trigger window', () => {
    const p = loadProblem(problemDoc());
    expect(p.triggered).toEqual([
      { asset: 'car-1', trigger: 'ss.run', at: 0, start: 0, deadline: 72 },
      // ss.steer's window is {start: 2, deadline: 48}
      { asset: 'car-1', trigger: 'ss.steer', at: 10, start: 12, deadline: 58 },
      { asset: 'car-2', trigger: 'ss.run', at: 0, start: 0, deadline: 72 },
    ]);
  });

  it('takes the document-level `at` as the default trigger time', () => {
    const p = loadProblem(setPath(problemDoc(), 'at', 5));
    expect(p.triggered.map((t) => [t.at, t.start, t.deadline])).toEqual([
      [5, 0, 72],
      [10, 12, 58],
      [5, 5, 77],
    ]);
  });

  it('uses a model given by the caller when the document names a file', () => {
    const model = readPssModel(shopModel());
    if (!model.ok) throw new Error('shop model is invalid');
    const r = readConfigurationProblem(edit(problemDoc(), { model: './shop.yaml' }), { model: model.value });
    expect(r.ok && r.value.model).toBe(model.value);
  });

  it('accepts reliabilityObjective: mean', () => {
    expect(loadProblem(setPath(problemDoc(), 'reliabilityObjective', 'mean')).reliabilityObjective).toBe('mean');
  });

  const cases: [string, Record<string, Json | undefined>, string][] = [
    ['the same asset twice with the same trigger', { 'triggered[2].asset': 'car-1' }, 'triggered[2]: asset "car-1" already has trigger "ss.run" (triggered[0])'],
    ['a deadline before the start', { 'triggered[0].deadline': -1, 'triggered[0].start': 3 }, 'triggered[0].deadline: must be >= 0, got -1'],
    ['a deadline before the start (both valid numbers)', { 'triggered[0]': { asset: 'car-1', trigger: 'ss.run', start: 10, deadline: 4 } }, 'triggered[0].deadline: must be >= start (10), got 4'],
    ['an unknown trigger', { 'triggered[1].trigger': 'ss.ghost' }, 'triggered[1].trigger: unknown trigger "ss.ghost"'],
    ['a row without an asset', { 'triggered[1].asset': undefined }, 'triggered[1].asset: is required'],
    ['an unknown resource in busy', { 'busy[0].resource': 'pr.ghost' }, 'busy[0].resource: unknown resource "pr.ghost"'],
    ['a busy interval that ends before it starts', { 'busy[0]': { resource: 'pr.li', from: 6, to: 2 } }, 'busy[0].to: must be >= from (6), got 2'],
    ['a busy interval without an end', { 'busy[0].to': undefined }, 'busy[0].to: is required'],
    ['an unknown reliability objective', { reliabilityObjective: 'min' }, 'reliabilityObjective: must be one of importance-weighted, mean, got the text "min"'],
    ['a model path with no loader', { model: './shop.yaml' }, 'model: refers to "./shop.yaml", but no file loader was given: load the document from a file, or give the model inline'],
    ['no model', { model: undefined }, 'model: is required (a path relative to this file, or the model inline)'],
    ['a fault inside the inline model', { 'model.assignable[0].theta': 1.2 }, 'model.assignable[0].theta: must be <= 1, got 1.2'],
    ['a wrong kind', { kind: 'Problem' }, 'kind: must be ConfigurationProblem, got the text "Problem"'],
    ['a wrong apiVersion', { apiVersion: 'pss/v2' }, 'apiVersion: must be pss/v1, got the text "pss/v2"'],
    ['no triggered list', { triggered: undefined }, 'triggered: is required'],
    ['a NaN start', { 'triggered[0].start': Number.NaN }, 'triggered[0].start: must be a finite number, got NaN'],
  ];
  it.each(cases)('rejects %s', (_name, edits, expected) => {
    expect(lines(readConfigurationProblem(edit(problemDoc(), edits)))).toContain(expected);
  });

  it('reports faults in the model and in the problem together', () => {
    const r = readConfigurationProblem(edit(problemDoc(), { 'model.activities[0].reliability': -0.1, 'triggered[2].asset': 'car-1', 'busy[0].to': -3 }));
    expect(lines(r).sort()).toEqual(
      [
        'model.activities[0].reliability: must be >= 0, got -0.1',
        'triggered[2]: asset "car-1" already has trigger "ss.run" (triggered[0])',
        'busy[0].to: must be >= from (0), got -3',
      ].sort(),
    );
  });

  it('reports all problem-level faults at once when the model is valid', () => {
    const r = readConfigurationProblem(edit(problemDoc(), { 'triggered[1].trigger': 'ss.ghost', 'triggered[2].asset': 'car-1', 'busy[0].resource': 'pr.ghost' }));
    expect(lines(r).sort()).toEqual(
      [
        'triggered[1].trigger: unknown trigger "ss.ghost"',
        'triggered[2]: asset "car-1" already has trigger "ss.run" (triggered[0])',
        'busy[0].resource: unknown resource "pr.ghost"',
      ].sort(),
    );
  });
});

function pesDoc(): Json {
  return {
    apiVersion: 'pss/v1',
    kind: 'PesProblem',
    attributes: [
      { id: 'TA1', weight: 0.25 },
      { id: 'TA2', weight: 0.75 },
    ],
    modules: [
      { id: 'M1', mandatory: true, instances: [{ id: 'M11', cost: 1, responseTime: 2, performance: 3 }, { id: 'M12', cost: 2, responseTime: 1, correlations: [9, 3] }] },
      { id: 'M2', mandatory: false, instances: [{ id: 'M21', cost: 0.5, responseTime: 0.5, performance: 1 }] },
    ],
    rules: [{ type: 'requires', a: 'M12', b: 'M21' }],
    limits: { profitMargin: 0.25, maxPrice: 10, maxResponseTime: 5 },
    publishedSchemes: [{ id: 'S1', instances: ['M11'], performance: 3, cost: 1, responseTime: 2 }],
  };
}

function loadPes(doc: Json): PesProblem {
  const r = readPesProblem(doc);
  if (!r.ok) throw new Error(r.issues.map(formatIssue).join('\n'));
  return r.value;
}

describe('readPesProblem', () => {
  it('loads modules, rules, limits and schemes; computes performance from correlations as Σ γ_l w_l', () => {
    const p = loadPes(pesDoc());
    expect(p.modules[0].instances[1]).toEqual({ id: 'M12', cost: 2, responseTime: 1, performance: 9 * 0.25 + 3 * 0.75 });
    expect(p.rules).toEqual([{ type: 'requires', a: 'M12', b: 'M21' }]);
    expect(p.limits).toEqual({ profitMargin: 0.25, maxPrice: 10, maxResponseTime: 5 });
    expect(p.publishedSchemes[0].instances).toEqual(['M11']);
  });

  it('defaults: mandatory modules, no margin, no rules', () => {
    const p = loadPes(edit(pesDoc(), { 'modules[1].mandatory': undefined, limits: undefined, rules: undefined }));
    expect(p.modules[1].mandatory).toBe(true);
    expect(p.limits).toEqual({ profitMargin: 0 });
    expect(p.rules).toEqual([]);
  });

  const cases: [string, Record<string, Json | undefined>, string][] = [
    ['a rule on an unknown instance', { 'rules[0].b': 'M99' }, 'rules[0].b: unknown instance "M99"'],
    ['a rule on the same instance twice', { 'rules[0].b': 'M12' }, 'rules[0]: a rule needs two different instances, got "M12" twice'],
    ['an unknown rule type', { 'rules[0].type': 'implies' }, 'rules[0].type: must be one of excludes, requires, inclusive, got the text "implies"'],
    ['weights not summing to 1', { 'attributes[1].weight': 0.5 }, 'attributes: weights must sum to 1 (±1e-9), got 0.75'],
    ['a weight on only some attributes', { 'attributes[1].weight': undefined }, 'attributes: give a weight to every attribute or to none'],
    ['a zero attribute weight', { 'attributes[0].weight': 0, 'attributes[1].weight': 1 }, 'attributes[0].weight: must be > 0, got 0'],
    ['a correlation level outside 0,1,3,9', { 'modules[0].instances[1].correlations': [9, 5] }, 'modules[0].instances[1].correlations[1]: must be one of 0, 1, 3, 9, got 5'],
    ['too few correlations', { 'modules[0].instances[1].correlations': [9] }, 'modules[0].instances[1].correlations: needs one value per attribute (2), got 1'],
    ['performance and correlations together', { 'modules[0].instances[1].performance': 4 }, 'modules[0].instances[1]: give performance or correlations, not both'],
    ['a module without instances', { 'modules[1].instances': [] }, 'modules[1].instances: needs at least one instance'],
    ['an instance id used in two modules', { 'modules[1].instances[0].id': 'M11' }, 'instances (across modules)[2].id: duplicate id "M11" (first at instances (across modules)[0])'],
    ['a negative cost', { 'modules[0].instances[0].cost': -1 }, 'modules[0].instances[0].cost: must be >= 0, got -1'],
    ['a scheme with an unknown instance', { 'publishedSchemes[0].instances[0]': 'M77' }, 'publishedSchemes[0].instances[0]: unknown instance "M77"'],
    ['a negative price limit', { 'limits.maxPrice': -1 }, 'limits.maxPrice: must be >= 0, got -1'],
    ['a wrong kind', { kind: 'Pes' }, 'kind: must be PesProblem, got the text "Pes"'],
    ['a wrong apiVersion', { apiVersion: 'v1' }, 'apiVersion: must be pss/v1, got the text "v1"'],
  ];
  it.each(cases)('rejects %s', (_name, edits, expected) => {
    expect(lines(readPesProblem(edit(pesDoc(), edits)))).toContain(expected);
  });

  it('reports all faults at once', () => {
    const r = readPesProblem(edit(pesDoc(), { 'rules[0].a': 'X1', 'modules[0].instances[0].responseTime': Number.NaN, 'limits.maxResponseTime': 'soon' }));
    expect(lines(r).sort()).toEqual(
      ['rules[0].a: unknown instance "X1"', 'modules[0].instances[0].responseTime: must be a finite number, got NaN', 'limits.maxResponseTime: must be a finite number, got the text "soon"'].sort(),
    );
  });
});
