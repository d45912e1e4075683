// The multilayer network as the paper's connection matrices (seed 004, Figure 7): one matrix per
// layer and per pair of layers, with named rows and columns, for export and for the dashboard.
import { PssModel } from './types';
import { linkWeight } from './importance';
import { END_NODE, compileFlowGraph } from './service-graph';

export interface NamedMatrix {
  name: string;
  description: string;
  rows: string[];
  columns: string[];
  /** Non-zero entries only: [row index, column index, value]. */
  entries: [number, number, number][];
}

/** Cells given twice are summed, or with `combine: 'max'` the larger kept (an edge two flows share is one edge). */
function matrix(name: string, description: string, rows: string[], columns: string[], cells: Iterable<[string, string, number]>, combine: 'sum' | 'max' = 'sum'): NamedMatrix {
  const ri = new Map(rows.map((id, i) => [id, i]));
  const ci = new Map(columns.map((id, i) => [id, i]));
  const sum = new Map<string, number>();
  for (const [r, c, v] of cells) {
    const key = `${ri.get(r)}:${ci.get(c)}`;
    const prior = sum.get(key);
    sum.set(key, prior === undefined ? v : combine === 'max' ? Math.max(prior, v) : prior + v);
  }
  const entries = [...sum]
    .filter(([, v]) => v !== 0)
    .map(([key, v]) => {
      const [r, c] = key.split(':').map(Number);
      return [r, c, v] as [number, number, number];
    })
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return { name, description, rows, columns, entries };
}

export function toDense(m: NamedMatrix): number[][] {
  const dense = m.rows.map(() => m.columns.map(() => 0));
  for (const [r, c, v] of m.entries) dense[r][c] = v;
  return dense;
}

export function multilayerMatrices(model: PssModel): NamedMatrix[] {
  const parts = model.parts.map((p) => p.id);
  const activities = model.activities.map((a) => a.id);
  const triggers = model.triggers.map((t) => t.id);
  const kinds = model.resourceKinds.map((k) => k.id);
  const resources = model.resources.map((r) => r.id);
  const graphs = model.flows.map((f) => compileFlowGraph(f.trigger, f.body, END_NODE));
  const gateways = graphs.flatMap((g) => g.nodes.filter((n) => n.type === 'virtual').map((n) => n.id));
  const serviceNodes = [...triggers, ...activities, ...gateways, END_NODE];

  return [
    matrix('product', 'product layer: part i provides to part j with weight w_ij', parts, parts, model.partLinks.map((l) => [l.from, l.to, linkWeight(l, model)])),
    matrix('service', 'service layer: ss -> sa -> se edges with derived weights (1/n on selective branches)', serviceNodes, serviceNodes, graphs.flatMap((g) => g.edges.map((e) => [e.from, e.to, e.weight] as [string, string, number])), 'max'),
    matrix('resource', 'resource layer: resource kind kr contains resource pr/er', kinds, resources, model.resources.map((r) => [r.kind, r.id, 1])),
    matrix('monitors', 'product -> service: trigger ss monitors part p', parts, triggers, model.triggers.flatMap((t) => t.monitors.map((p) => [p, t.id, 1] as [string, string, number]))),
    matrix('objects', 'product -> service: activity sa operates on part p', parts, activities, model.activities.flatMap((a) => a.objects.map((p) => [p, a.id, 1] as [string, string, number]))),
    matrix('demands', 'service -> resource: activity sa demands qty of kind kr', activities, kinds, model.activities.flatMap((a) => a.demands.map((d) => [a.id, d.kind, d.qty] as [string, string, number]))),
    matrix('assignable', 'resource -> service: resource can do activity with reliability theta', resources, activities, model.assignable.map((e) => [e.resource, e.activity, e.theta])),
  ];
}
