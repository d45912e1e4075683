// The PSS model and problem types of MODEL.md, after validation: every default filled in,
// every reference checked. Loaders produce these; everything else consumes them.

export type InteractionType = 'spatial' | 'energy' | 'information' | 'material';
export const INTERACTION_TYPES: readonly InteractionType[] = ['spatial', 'energy', 'information', 'material'];

export type ResourceCategory = 'personnel' | 'equipment';

export interface StatusDef {
  key: string;
  unit?: string;
  /** Optional plausible range; samples outside it are rejected at the edge. */
  min?: number;
  max?: number;
}

export interface Part {
  id: string;
  name?: string;
  info?: Record<string, unknown>;
  statuses: StatusDef[];
}

export interface PartLink {
  from: string;
  to: string;
  types: InteractionType[];
  weight?: number;
}

export interface ResourceKind {
  id: string;
  name?: string;
  category: ResourceCategory;
}

export interface Resource {
  id: string;
  name?: string;
  kind: string;
  costRate: number;
}

export interface TriggerWindow {
  start: number;
  deadline: number;
}

export interface Trigger {
  id: string;
  name?: string;
  monitors: string[];
  condition?: string;
  window: TriggerWindow;
  /** Hysteresis: how long the condition must stay false before the trigger can fire again. */
  clear: number;
}

export interface Demand {
  kind: string;
  qty: number;
}

export interface Activity {
  id: string;
  name?: string;
  time: number;
  cost: number;
  reliability: number;
  objects: string[];
  demands: Demand[];
  virtual: boolean;
}

export interface Assignable {
  resource: string;
  activity: string;
  theta: number;
}

/** A block-structured flow body: an activity id, or serial / parallel / selective composition. */
export type FlowBody = string | { seq: FlowBody[] } | { and: FlowBody[] } | { xor: FlowBody[] };

export interface Flow {
  trigger: string;
  body: FlowBody;
}

export interface PartRankSettings {
  alpha: number;
  tolerance: number;
  maxIterations: number;
}

export type InteractionWeights = Record<InteractionType, number>;

export interface PssModel {
  apiVersion: 'pss/v1';
  kind: 'PssModel';
  name: string;
  description?: string;
  timeUnit: string;
  currency?: string;
  interactionWeights: InteractionWeights;
  partRank: PartRankSettings;
  parts: Part[];
  partLinks: PartLink[];
  resourceKinds: ResourceKind[];
  resources: Resource[];
  triggers: Trigger[];
  activities: Activity[];
  assignable: Assignable[];
  flows: Flow[];
}

export type ReliabilityObjective = 'importance-weighted' | 'mean';

/** One row of the trigger matrix: a service flow triggered for an asset, with absolute times. */
export interface TriggeredFlow {
  asset: string;
  trigger: string;
  at: number;
  start: number;
  deadline: number;
}

export interface BusyInterval {
  resource: string;
  from: number;
  to: number;
}

export interface ConfigurationProblem {
  apiVersion: 'pss/v1';
  kind: 'ConfigurationProblem';
  name?: string;
  model: PssModel;
  triggered: TriggeredFlow[];
  busy: BusyInterval[];
  reliabilityObjective: ReliabilityObjective;
}

export interface PesAttribute {
  id: string;
  name?: string;
  weight?: number;
}

export interface PesInstance {
  id: string;
  name?: string;
  cost: number;
  responseTime: number;
  performance: number;
}

export interface PesModule {
  id: string;
  name?: string;
  mandatory: boolean;
  instances: PesInstance[];
}

export type PesRuleType = 'excludes' | 'requires' | 'inclusive';

export interface PesRule {
  type: PesRuleType;
  a: string;
  b: string;
}

export interface PesLimits {
  profitMargin: number;
  maxPrice?: number;
  maxResponseTime?: number;
}

export interface PesPublishedScheme {
  id: string;
  note?: string;
  instances: string[];
  performance: number;
  cost: number;
  responseTime: number;
}

export interface PesProblem {
  apiVersion: 'pss/v1';
  kind: 'PesProblem';
  name?: string;
  attributes: PesAttribute[];
  modules: PesModule[];
  rules: PesRule[];
  limits: PesLimits;
  publishedSchemes: PesPublishedScheme[];
}

export type ProblemDocument = PssModel | ConfigurationProblem | PesProblem;

// ---- Answers (MODEL.md section 4) ----

export interface Occurrence {
  asset: string;
  trigger: string;
  activity: string;
  start: number;
  end: number;
  resources: string[];
}

export interface ConfigurationObjectives {
  time: number;
  cost: number;
  reliability: number;
}

export interface ConfigurationSolution {
  objectives: ConfigurationObjectives;
  occurrences: Occurrence[];
}

export interface PesObjectives {
  performance: number;
  cost: number;
  responseTime: number;
}

export interface PesSolution {
  objectives: PesObjectives;
  instances: string[];
}

export interface FrontStats {
  algorithm: string;
  evaluations: number;
  wallMs: number;
  seed?: number;
  exact?: boolean;
  [extra: string]: unknown;
}

export interface ConfigurationFront {
  kind: 'ParetoFront';
  problem: 'ConfigurationProblem';
  objectives: ['time', 'cost', 'reliability'];
  solutions: ConfigurationSolution[];
  infeasible: string | null;
  stats: FrontStats;
}

export interface PesFront {
  kind: 'ParetoFront';
  problem: 'PesProblem';
  objectives: ['performance', 'cost', 'responseTime'];
  solutions: PesSolution[];
  infeasible: string | null;
  stats: FrontStats;
}

export type ParetoFront = ConfigurationFront | PesFront;
