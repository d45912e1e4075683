// The paper's service layer as a graph: trigger node ss -> activity nodes sa -> end node se, with
// split/join gateways. Bodies compile to it; graphs read back to bodies; SL-DFT enumerates the
// alternatives on it.
import { FlowBody } from './types';
import { BlockKind, blockOf, dedupeSets, makeBlock } from './flow-body';
import { ValidationIssue } from './issues';

export type GatewayKind = 'xor' | 'and';
export type ServiceNodeType = 'trigger' | 'activity' | 'virtual' | 'end';

export interface ServiceNode {
  id: string;
  type: ServiceNodeType;
}

export interface ServiceEdge {
  from: string;
  to: string;
  /** Derived: 1/n on the n branches of a selective split, 1 everywhere else. */
  weight: number;
}

export interface ServiceGraph {
  trigger: string;
  end: string;
  nodes: ServiceNode[];
  edges: ServiceEdge[];
  split: Record<string, GatewayKind>;
  join: Record<string, GatewayKind>;
}

export const END_NODE = 'se';

/**
 * Compiles a body into the service-layer graph. Every `and`/`xor` block gets its own split and join
 * gateway (a virtual node); the reader below also accepts the paper's compact form, where an
 * activity node itself splits or joins.
 */
export function compileFlowGraph(trigger: string, body: FlowBody, end = END_NODE): ServiceGraph {
  const nodes: ServiceNode[] = [{ id: trigger, type: 'trigger' }];
  const edges: ServiceEdge[] = [];
  const split: Record<string, GatewayKind> = {};
  const join: Record<string, GatewayKind> = {};
  let virtualCount = 0;
  const edge = (from: string, to: string, weight = 1) => edges.push({ from, to, weight });

  const compile = (b: FlowBody): { entry: string; exit: string } => {
    const block = blockOf(b);
    if (!block) {
      nodes.push({ id: b as string, type: 'activity' });
      return { entry: b as string, exit: b as string };
    }
    if (block.kind === 'seq') {
      const parts = block.children.map(compile);
      for (let i = 1; i < parts.length; i++) edge(parts[i - 1].exit, parts[i].entry);
      return { entry: parts[0].entry, exit: parts[parts.length - 1].exit };
    }
    const s = `${trigger}#v${++virtualCount}`;
    nodes.push({ id: s, type: 'virtual' });
    split[s] = block.kind;
    const parts = block.children.map(compile);
    const j = `${trigger}#v${++virtualCount}`;
    nodes.push({ id: j, type: 'virtual' });
    join[j] = block.kind;
    const w = block.kind === 'xor' ? 1 / parts.length : 1;
    for (const p of parts) {
      edge(s, p.entry, w);
      edge(p.exit, j);
    }
    return { entry: s, exit: j };
  };

  const { entry, exit } = compile(body);
  nodes.push({ id: end, type: 'end' });
  edge(trigger, entry);
  edge(exit, end);
  return { trigger, end, nodes, edges, split, join };
}

/** The graph form a model file may give instead of a body (MODEL.md 1.1). */
export interface FlowGraphInput {
  trigger: string;
  edges: [string, string][];
  split?: Record<string, GatewayKind>;
  join?: Record<string, GatewayKind>;
}

interface Adjacency {
  succ: Map<string, string[]>;
  pred: Map<string, string[]>;
  order: Map<string, number>;
}

function adjacency(nodeIds: Iterable<string>, edges: readonly (readonly [string, string])[]): Adjacency | string {
  const succ = new Map<string, string[]>();
  const pred = new Map<string, string[]>();
  for (const id of nodeIds) {
    succ.set(id, []);
    pred.set(id, []);
  }
  for (const [from, to] of edges) {
    succ.get(from)!.push(to);
    pred.get(to)!.push(from);
  }
  // Kahn's algorithm: a topological order, or proof of a cycle.
  const indeg = new Map([...pred].map(([id, p]) => [id, p.length]));
  const queue = [...indeg].filter(([, d]) => d === 0).map(([id]) => id);
  const order = new Map<string, number>();
  while (queue.length) {
    const id = queue.shift()!;
    order.set(id, order.size);
    for (const next of succ.get(id)!) {
      indeg.set(next, indeg.get(next)! - 1);
      if (indeg.get(next) === 0) queue.push(next);
    }
  }
  if (order.size !== succ.size) {
    const inCycle = [...succ.keys()].filter((id) => !order.has(id));
    return `has a cycle through ${inCycle.slice(0, 5).join(', ')}`;
  }
  return { succ, pred, order };
}

function reachable(adj: Adjacency, start: string): Set<string> {
  const seen = new Set<string>([start]);
  const stack = [start];
  while (stack.length) {
    for (const next of adj.succ.get(stack.pop()!)!) {
      if (!seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
  return seen;
}

/** Where the branches leaving `node` meet again: the first node (topologically) on every branch. */
function confluence(adj: Adjacency, node: string): string | undefined {
  const sets = adj.succ.get(node)!.map((o) => reachable(adj, o));
  let best: string | undefined;
  for (const id of sets[0]) {
    if (sets.every((s) => s.has(id)) && (best === undefined || adj.order.get(id)! < adj.order.get(best)!)) best = id;
  }
  return best;
}

/**
 * Reads a service-layer graph back into a block-structured body. The graph must be acyclic, start
 * at the trigger, end at one end node, declare split/join kinds on nodes with several outputs or
 * inputs, and be block-structured: every edge taken exactly once by the structured traversal.
 */
export function graphToBody(input: FlowGraphInput, activityIds: ReadonlySet<string>, path = ''): { body?: FlowBody; issues: ValidationIssue[] } {
  const issues: ValidationIssue[] = [];
  const fail = (message: string, at = 'edges') => {
    issues.push({ path: path ? `${path}.${at}` : at, message });
    return { issues };
  };
  const ids = new Set<string>([input.trigger]);
  for (const [from, to] of input.edges) {
    ids.add(from);
    ids.add(to);
  }
  const adj = adjacency(ids, input.edges);
  if (typeof adj === 'string') return fail(adj);
  const sources = [...ids].filter((id) => adj.pred.get(id)!.length === 0);
  if (sources.length !== 1 || sources[0] !== input.trigger) {
    return fail(`must start only at the trigger ${input.trigger}; nodes without inputs: ${sources.join(', ')}`);
  }
  const sinks = [...ids].filter((id) => adj.succ.get(id)!.length === 0);
  if (sinks.length !== 1) return fail(`must have exactly one end node (a node without outputs); found ${sinks.join(', ') || 'none'}`);
  const end = sinks[0];
  if (activityIds.has(end)) return fail(`the end node "${end}" must not be an activity: add an edge from it to the end node`);
  const split = input.split ?? {};
  const join = input.join ?? {};
  // A node that is not an activity must say it is a gateway: otherwise a misspelt activity would
  // silently turn into one and drop out of the flow.
  for (const id of ids) {
    if (id === input.trigger || id === end || activityIds.has(id) || split[id] || join[id]) continue;
    fail(`node "${id}" is not an activity of the model; a gateway node must declare its split or join kind`);
  }
  for (const id of ids) {
    if (adj.succ.get(id)!.length > 1 && !split[id]) fail(`node "${id}" has ${adj.succ.get(id)!.length} outputs but no split kind (xor|and)`, 'split');
    if (adj.pred.get(id)!.length > 1 && !join[id]) fail(`node "${id}" has ${adj.pred.get(id)!.length} inputs but no join kind (xor|and)`, 'join');
  }
  for (const [key, kinds] of [['split', split], ['join', join]] as const) {
    for (const id of Object.keys(kinds)) if (!ids.has(id)) fail(`"${id}" is not a node of the graph`, key);
  }
  if (issues.length) return { issues };

  const usedEdges = new Map<string, number>();
  const visited = new Set<string>();
  const take = (from: string, to: string) => usedEdges.set(`${from}\u0000${to}`, (usedEdges.get(`${from}\u0000${to}`) ?? 0) + 1);

  const chain = (start: string, stop: string): FlowBody[] | undefined => {
    const items: FlowBody[] = [];
    let cur = start;
    while (cur !== stop) {
      if (visited.has(cur)) {
        fail(`is not block-structured: node "${cur}" is reached from two places that do not join first`);
        return undefined;
      }
      visited.add(cur);
      if (activityIds.has(cur)) items.push(cur);
      const outs = adj.succ.get(cur)!;
      if (outs.length === 0) {
        fail(`is not block-structured: the branch through "${start}" reaches the end without meeting its join "${stop}"`);
        return undefined;
      }
      if (outs.length === 1) {
        take(cur, outs[0]);
        cur = outs[0];
        continue;
      }
      const kind = split[cur] as BlockKind;
      const meet = confluence(adj, cur);
      if (meet === undefined) {
        fail(`is not block-structured: the branches of "${cur}" never meet`);
        return undefined;
      }
      if (join[meet] !== kind) {
        fail(`is not block-structured: "${cur}" splits as ${kind} but its branches meet at "${meet}", which joins as ${join[meet] ?? 'nothing'}`);
        return undefined;
      }
      const branches: FlowBody[] = [];
      for (const o of outs) {
        take(cur, o);
        const branch = chain(o, meet);
        if (!branch) return undefined;
        if (branch.length === 0) {
          fail(`the ${kind} split at "${cur}" has an empty branch: model a skip as a virtual activity`);
          return undefined;
        }
        branches.push(branch.length === 1 ? branch[0] : { seq: branch });
      }
      items.push(makeBlock(kind, branches));
      cur = meet;
    }
    return items;
  };

  const items = chain(input.trigger, end);
  if (!items) return { issues };
  for (const [from, to] of input.edges) {
    const key = `${from}\u0000${to}`;
    const used = usedEdges.get(key) ?? 0;
    if (used === 0) return fail(`is not block-structured: edge ${from} -> ${to} lies outside the split/join structure`);
    usedEdges.set(key, used - 1);
  }
  for (const [key, left] of usedEdges) if (left !== 0) return fail(`edge ${key.replace('\u0000', ' -> ')} is listed twice`);
  if (items.length === 0) return fail('has no activity between the trigger and the end node');
  return { body: items.length === 1 ? items[0] : { seq: items }, issues };
}

/**
 * SL-DFT (seed 004, 4.3.1): depth-first search over the graph from the trigger to the end node. A
 * selective split visits each branch in turn (each gives new paths); a parallel split visits all
 * branches up to their confluence node and combines them; then the search continues after it.
 * Returns the activity set of every complete path, each sorted.
 */
export function slDft(graph: ServiceGraph): string[][] {
  const activityIds = new Set(graph.nodes.filter((n) => n.type === 'activity').map((n) => n.id));
  const adj = adjacency(
    graph.nodes.map((n) => n.id),
    graph.edges.map((e) => [e.from, e.to] as [string, string]),
  );
  if (typeof adj === 'string') throw new Error(`service graph of ${graph.trigger} ${adj}`);

  const search = (node: string, stop: string): string[][] => {
    if (node === stop) return [[]];
    const here = activityIds.has(node) ? [node] : [];
    const outs = adj.succ.get(node)!;
    if (outs.length === 0) return [here];
    if (outs.length === 1) return search(outs[0], stop).map((rest) => [...here, ...rest]);
    const meet = confluence(adj, node)!;
    const branchPaths = outs.map((o) => search(o, meet));
    const middle =
      graph.split[node] === 'xor'
        ? branchPaths.flat()
        : branchPaths.reduce<string[][]>((acc, paths) => acc.flatMap((a) => paths.map((p) => [...a, ...p])), [[]]);
    const after = search(meet, stop);
    return middle.flatMap((m) => after.map((rest) => [...here, ...m, ...rest]));
  };
  return dedupeSets(search(graph.trigger, graph.end));
}
