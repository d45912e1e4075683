import fc from 'fast-check';
import { END_NODE, NamedMatrix, PssModel, bodyActivities, compileFlowGraph, formatIssue, linkWeight, multilayerMatrices, readPssModel, toDense } from './index';
import { Json, bodyArb, rawModelWithFlows, shopModel, workshopModel } from './testing/arbitraries';

function load(raw: Json): PssModel {
  const r = readPssModel(raw);
  if (!r.ok) throw new Error(r.issues.map(formatIssue).join('\n'));
  return r.value;
}

const byName = (matrices: NamedMatrix[], name: string) => {
  const m = matrices.find((x) => x.name === name);
  if (!m) throw new Error(`no matrix ${name}`);
  return m;
};

/** The value at (row id, column id), 0 when absent. */
const at = (m: NamedMatrix, row: string, column: string) => m.entries.find(([r, c]) => m.rows[r] === row && m.columns[c] === column)?.[2] ?? 0;

describe('multilayerMatrices', () => {
  const models: [string, PssModel][] = [
    ['shop', load(shopModel())],
    ['workshop', load(workshopModel())],
  ];

  it('gives the seven matrices of the multilayer network, in order', () => {
    expect(multilayerMatrices(models[0][1]).map((m) => m.name)).toEqual(['product', 'service', 'resource', 'monitors', 'objects', 'demands', 'assignable']);
  });

  it.each(models)('%s: the number of entries equals the number of links and edges of each layer', (_name, model) => {
    const ms = multilayerMatrices(model);
    expect(byName(ms, 'product').entries).toHaveLength(model.partLinks.length);
    const edges = model.flows.reduce((n, f) => n + compileFlowGraph(f.trigger, f.body, END_NODE).edges.length, 0);
    expect(byName(ms, 'service').entries).toHaveLength(edges);
    expect(byName(ms, 'resource').entries).toHaveLength(model.resources.length);
    expect(byName(ms, 'monitors').entries).toHaveLength(model.triggers.reduce((n, t) => n + t.monitors.length, 0));
    expect(byName(ms, 'objects').entries).toHaveLength(model.activities.reduce((n, a) => n + a.objects.length, 0));
    expect(byName(ms, 'demands').entries).toHaveLength(model.activities.reduce((n, a) => n + a.demands.length, 0));
    expect(byName(ms, 'assignable').entries).toHaveLength(model.assignable.length);
  });

  it.each(models)('%s: rows and columns are the node ids of the layers each matrix joins', (_name, model) => {
    const ms = multilayerMatrices(model);
    const parts = model.parts.map((p) => p.id);
    expect(byName(ms, 'product').rows).toEqual(parts);
    expect(byName(ms, 'product').columns).toEqual(parts);
    expect(byName(ms, 'resource').rows).toEqual(model.resourceKinds.map((k) => k.id));
    expect(byName(ms, 'resource').columns).toEqual(model.resources.map((r) => r.id));
    expect(byName(ms, 'demands').rows).toEqual(model.activities.map((a) => a.id));
    expect(byName(ms, 'assignable').columns).toEqual(model.activities.map((a) => a.id));
    const service = byName(ms, 'service');
    expect(service.rows).toEqual(service.columns);
    expect(service.rows[service.rows.length - 1]).toBe(END_NODE);
    expect(new Set(service.rows).size).toBe(service.rows.length);
  });

  it('puts the values where they belong', () => {
    const model = load(shopModel());
    const ms = multilayerMatrices(model);
    expect(at(byName(ms, 'product'), 'p.frame', 'p.axle')).toBe(linkWeight(model.partLinks[0], model));
    expect(at(byName(ms, 'product'), 'p.frame', 'p.axle')).toBe(0.5);
    expect(at(byName(ms, 'product'), 'p.axle', 'p.frame')).toBe(0);
    expect(at(byName(ms, 'resource'), 'kr.mech', 'pr.wang')).toBe(1);
    expect(at(byName(ms, 'monitors'), 'p.axle', 'ss.run')).toBe(1);
    expect(at(byName(ms, 'objects'), 'p.frame', 'sa.inspect')).toBe(1);
    expect(at(byName(ms, 'demands'), 'sa.axle', 'kr.mech')).toBe(2);
    expect(at(byName(ms, 'assignable'), 'pr.li', 'sa.inspect')).toBe(0.96);
    const service = byName(ms, 'service');
    expect(at(service, 'ss.run', 'sa.inspect')).toBe(1);
    expect(at(service, 'ss.run#v1', 'sa.axle')).toBe(0.5);
    expect(at(service, 'ss.steer#v1', 'sa.skip')).toBe(0.5);
    expect(at(service, 'sa.frame', END_NODE)).toBe(1);
  });

  // Found while writing these tests (fixed since): the weights of an edge two flows share were added up.
  it('counts an edge that two flows share once, with its weight', () => {
    const model = load(rawModelWithFlows([{ body: { seq: ['a', 'b'] } }, { body: { seq: ['a', 'b', 'c'] } }], ['a', 'b', 'c']));
    const service = byName(multilayerMatrices(model), 'service');
    expect(at(service, 'a', 'b')).toBe(1);
    expect(service.entries.every(([, , v]) => v > 0 && v <= 1)).toBe(true);
  });

  it('keeps entries sorted by row, then column', () => {
    for (const m of multilayerMatrices(load(workshopModel()))) {
      const keys = m.entries.map(([r, c]) => r * 1e6 + c);
      expect(keys).toEqual([...keys].sort((a, b) => a - b));
    }
  });

  it('compiles each random body into as many service entries as graph edges, xor rows summing to 1', () => {
    fc.assert(
      fc.property(bodyArb(3), (body) => {
        const model = load(rawModelWithFlows([{ body }], bodyActivities(body)));
        const graph = compileFlowGraph(model.flows[0].trigger, model.flows[0].body);
        const service = byName(multilayerMatrices(model), 'service');
        expect(service.entries).toHaveLength(graph.edges.length);
        const dense = toDense(service);
        service.rows.forEach((id, r) => {
          const sum = dense[r].reduce((a, b) => a + b, 0);
          if (graph.split[id] === 'xor') expect(sum).toBeCloseTo(1, 12);
          else if (graph.split[id] === 'and') expect(sum).toBe(graph.edges.filter((e) => e.from === id).length);
          else expect(sum).toBe(id === END_NODE ? 0 : 1);
        });
      }),
      { numRuns: 100 },
    );
  });
});

describe('toDense', () => {
  it('fills a rows × columns array with the entries and zeros elsewhere', () => {
    const m: NamedMatrix = { name: 'm', description: '', rows: ['a', 'b'], columns: ['x', 'y', 'z'], entries: [[0, 2, 0.5], [1, 0, 3]] };
    expect(toDense(m)).toEqual([
      [0, 0, 0.5],
      [3, 0, 0],
    ]);
  });

  it('keeps every entry and nothing else for every matrix of a model', () => {
    for (const m of multilayerMatrices(load(shopModel()))) {
      const dense = toDense(m);
      expect(dense).toHaveLength(m.rows.length);
      for (const row of dense) expect(row).toHaveLength(m.columns.length);
      for (const [r, c, v] of m.entries) expect(dense[r][c]).toBe(v);
      expect(dense.flat().filter((v) => v !== 0)).toHaveLength(m.entries.length);
    }
  });
});
