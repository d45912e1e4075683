// The placement's solution (placement.ts) joined to the optimizer's front.
import { ConfigurationFront, ConfigurationProblem, Occurrence, evaluateConfiguration } from '@pss/model';
import { finishConfigurationFront } from '@pss/optimizer';

/**
 * The optimizer's front with the placement's solution added (then filtered again): a batch whose flows can all be
 * staffed has a plan even when the heuristic found no feasible solution in its time, or failed. `stats.witness`
 * says what became of it.
 */
export function withWitness(problem: ConfigurationProblem, optimized: ConfigurationFront | null, witness: Occurrence[], optimizerError: string | null): ConfigurationFront {
  const base: ConfigurationFront = optimized ?? {
    kind: 'ParetoFront',
    problem: 'ConfigurationProblem',
    objectives: ['time', 'cost', 'reliability'],
    solutions: [],
    infeasible: null,
    stats: { algorithm: 'placement', evaluations: 0, wallMs: 0, optimizerError },
  };
  const evaluation = evaluateConfiguration(problem, witness);
  if (!evaluation.feasible) {
    const why = evaluation.violations.slice(0, 3).map((v) => `${v.rule} ${v.path}: ${v.message}`).join('; ');
    return { ...base, stats: { ...base.stats, witness: `infeasible (${why})` } };
  }
  const merged = finishConfigurationFront([...base.solutions, { objectives: evaluation.objectives, occurrences: witness }], { infeasible: null, stats: base.stats });
  const kept = merged.solutions.some((s) => s.occurrences === witness);
  return { ...merged, stats: { ...merged.stats, witness: kept ? 'on the front' : 'dominated' } };
}
