// The multilayer network of a model for the dashboard: the product layer (parts, part links, PartRank S_p), the
// service layer (triggers, activities with importance I_a, each flow's structure, compiled graph and
// alternatives), the resource layer (kinds, resources, who may do what), and the connection matrices. The same
// library calls as `pss network` and `pss importance` (apps/cli/src/commands), in one answer.
import {
  Activity,
  FlowBody,
  InteractionType,
  NamedMatrix,
  PssModel,
  ResourceCategory,
  ServiceGraph,
  StatusDef,
  Trigger,
  compileFlowGraph,
  formatBody,
  importance,
  linkWeight,
  multilayerMatrices,
  slDft,
} from '@pss/model';

export interface NetworkPart {
  id: string;
  name?: string;
  statuses: StatusDef[];
  /** PartRank S_p. */
  importance: number;
  /** 1 for the most important part. */
  rank: number;
}

export interface NetworkPartLink {
  from: string;
  to: string;
  types: InteractionType[];
  /** w_ij as PartRank uses it: the explicit weight, else the sum of the interaction weights of its types. */
  weight: number;
}

export interface NetworkActivity extends Activity {
  /** Normalized I_a in [0, 1]. */
  importance: number;
}

export interface NetworkFlow {
  trigger: string;
  body: FlowBody;
  /** The body as text: `seq(a, xor(b, c))`. */
  structure: string;
  graph: ServiceGraph;
  /** Every alternative set of activities (SL-DFT). */
  alternatives: string[][];
}

export interface NetworkResource {
  id: string;
  name?: string;
  kind: string;
  category: ResourceCategory;
  costRate: number;
}

export interface ModelNetwork {
  kind: 'MultilayerNetwork';
  model: { id: string; version: number; name: string; timeUnit: string; currency?: string };
  partRank: { iterations: number; converged: boolean };
  parts: NetworkPart[];
  partLinks: NetworkPartLink[];
  triggers: Trigger[];
  activities: NetworkActivity[];
  flows: NetworkFlow[];
  resourceKinds: PssModel['resourceKinds'];
  resources: NetworkResource[];
  assignable: PssModel['assignable'];
  matrices: NamedMatrix[];
}

export function buildNetwork(model: PssModel, stored: { id: string; version: number }): ModelNetwork {
  const result = importance(model);
  const byRank = [...model.parts].sort((a, b) => result.partRank[b.id] - result.partRank[a.id] || a.id.localeCompare(b.id));
  const rankOf = new Map(byRank.map((p, i) => [p.id, i + 1]));
  const categoryOf = new Map(model.resourceKinds.map((k) => [k.id, k.category]));
  return {
    kind: 'MultilayerNetwork',
    model: { id: stored.id, version: stored.version, name: model.name, timeUnit: model.timeUnit, ...(model.currency ? { currency: model.currency } : {}) },
    partRank: { iterations: result.iterations, converged: result.converged },
    parts: model.parts.map((p) => ({
      id: p.id,
      ...(p.name !== undefined ? { name: p.name } : {}),
      statuses: p.statuses,
      importance: result.partRank[p.id],
      rank: rankOf.get(p.id)!,
    })),
    partLinks: model.partLinks.map((l) => ({ from: l.from, to: l.to, types: l.types, weight: linkWeight(l, model) })),
    triggers: model.triggers,
    activities: model.activities.map((a) => ({ ...a, importance: result.activityImportance[a.id] })),
    flows: model.flows.map((f) => {
      const graph = compileFlowGraph(f.trigger, f.body);
      return { trigger: f.trigger, body: f.body, structure: formatBody(f.body), graph, alternatives: slDft(graph) };
    }),
    resourceKinds: model.resourceKinds,
    resources: model.resources.map((r) => ({
      id: r.id,
      ...(r.name !== undefined ? { name: r.name } : {}),
      kind: r.kind,
      category: categoryOf.get(r.kind)!,
      costRate: r.costRate,
    })),
    assignable: model.assignable,
    matrices: multilayerMatrices(model),
  };
}
