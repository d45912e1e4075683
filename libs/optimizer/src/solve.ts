// One entry point for every caller (CLI, workers, the cloud service): which algorithm, with which
// settings, on which kind of problem; `auto` decides by size.
import { ConfigurationProblem, ParetoFront, PesProblem, ReliabilityObjective } from '@pss/model';
import { buildConfigurationSpace } from './configuration-space';
import { combinationCount } from './combinations';
import { solveConfigurationExact } from './exact-configuration';
import { pesSpaceSize, solvePesExact } from './exact-pes';
import { SelectionStrategy, solveConfigurationHybrid } from './hybrid';
import { solveConfigurationImodcs } from './imodcs';
import { solveConfigurationNsga2 } from './nsga2-configuration';
import { solvePesNsga2 } from './nsga2-pes';
import { Partition, ProgressReporter, SearchLimitError } from './run-control';

export const ALGORITHM_NAMES = ['auto', 'exact', 'hybrid', 'imodcs', 'nsga2'] as const;
export type AlgorithmName = (typeof ALGORITHM_NAMES)[number];
export type Preset = 'default' | 'paper';

export interface SolveRequest {
  algorithm?: AlgorithmName;
  seed?: number;
  timeLimitMs?: number;
  maxEvaluations?: number;
  /** 'paper': the seed papers' parameters (IMODCS 200 nests × 3000 iterations × 10 runs; NSGA-II 300 × 300). */
  preset?: Preset;
  /** Configuration problems: select and allocate jointly (default) or selection first (seed 004, 5.1). */
  strategy?: SelectionStrategy;
  /** Overrides the problem's reliabilityObjective (seed 004, 5.2 compares the two). */
  reliability?: ReliabilityObjective;
  /** Exact search limit: DP steps (configurations) or configurations (PES). */
  exactLimit?: number;
  /** One worker's share of a parallel run (see @pss/optimizer-pool). */
  partition?: Partition;
  onProgress?: ProgressReporter;
  now?: () => number;
}

/** Problems `auto` hands to the exact solver: a proven front costs little at these sizes. */
export const AUTO_EXACT = { maxCombinations: 2000, maxLog10Space: 9, maxPesConfigurations: 5e6 };

export function solveProblem(problem: ConfigurationProblem | PesProblem, request: SolveRequest = {}): ParetoFront {
  const algorithm = request.algorithm ?? 'auto';
  const base = { seed: request.seed, timeLimitMs: request.timeLimitMs, maxEvaluations: request.maxEvaluations, onProgress: request.onProgress, now: request.now, partition: request.partition };
  if (problem.kind === 'PesProblem') {
    if (request.strategy === 'sequential') throw new SearchLimitError('--strategy applies to configuration problems only');
    if (algorithm === 'imodcs' || algorithm === 'hybrid') throw new SearchLimitError(`${algorithm} solves configuration problems; for a PesProblem use exact or nsga2`);
    if (algorithm === 'nsga2') return labelled(solvePesNsga2(problem, { ...base, preset: request.preset }), 'nsga2', request);
    if (algorithm === 'exact' || pesSpaceSize(problem) <= AUTO_EXACT.maxPesConfigurations) {
      return labelled(solvePesExact(problem, { ...base, maxConfigurations: request.exactLimit }), algorithm === 'auto' ? 'auto:exact' : 'exact', request);
    }
    return labelled(solvePesNsga2(problem, base), 'auto:nsga2', request);
  }

  const configured: ConfigurationProblem = request.reliability ? { ...problem, reliabilityObjective: request.reliability } : problem;
  switch (algorithm) {
    case 'exact':
      if (request.strategy === 'sequential') throw new SearchLimitError('the sequential strategy is offered by hybrid and imodcs, not exact');
      return labelled(solveConfigurationExact(configured, { ...base, maxSteps: request.exactLimit }), 'exact', request);
    case 'hybrid':
      return labelled(solveConfigurationHybrid(configured, { ...base, strategy: request.strategy }), undefined, request);
    case 'imodcs':
      return labelled(solveConfigurationImodcs(configured, { ...base, preset: request.preset, strategy: request.strategy }), undefined, request);
    case 'nsga2':
      if (request.strategy === 'sequential') throw new SearchLimitError('the sequential strategy is offered by hybrid and imodcs, not nsga2');
      return labelled(solveConfigurationNsga2(configured, { ...base, preset: request.preset }), undefined, request);
    case 'auto': {
      if (request.strategy !== 'sequential' && smallEnoughForExact(configured)) {
        try {
          return labelled(solveConfigurationExact(configured, { ...base, maxSteps: request.exactLimit }), 'auto:exact', request);
        } catch (error) {
          if (!(error instanceof SearchLimitError)) throw error;
        }
      }
      return labelled(solveConfigurationHybrid(configured, { ...base, strategy: request.strategy }), 'auto:hybrid', request);
    }
  }
}

/** Small enough that `auto` solves it exactly (and quickly). */
export function smallEnoughForExact(problem: ConfigurationProblem): boolean {
  const space = buildConfigurationSpace(problem);
  return combinationCount(space) <= AUTO_EXACT.maxCombinations && space.log10Size <= AUTO_EXACT.maxLog10Space;
}

function labelled<F extends ParetoFront>(front: F, name: string | undefined, request: SolveRequest): F {
  if (name) front.stats.algorithm = name;
  if (request.seed !== undefined) front.stats.seed = request.seed;
  if (request.reliability) front.stats.reliability = request.reliability;
  if (request.strategy) front.stats.strategy = request.strategy;
  return front;
}
