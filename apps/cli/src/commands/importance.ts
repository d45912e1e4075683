// pss importance MODEL: PartRank S_p of every part and the normalized importance I_a of every activity.
import { importance } from '@pss/model';
import { CliIo, EXIT, UsageError } from '../io';
import { parseCommand } from '../args';
import { renderTable } from '../table';
import { loadModel } from './load';

export const importanceHelp = `pss importance MODEL [--format json|table]
  PartRank S_p of the product layer and the cross-layer importance I_a of each service activity
  (MODEL.md 1.2). MODEL is a PssModel or a ConfigurationProblem file.`;

export function importanceCommand(argv: string[], io: CliIo): number {
  const { format, positionals } = parseCommand(argv, {}, 'json');
  if (positionals.length !== 1) throw new UsageError('importance takes one MODEL file');
  const model = loadModel(positionals[0]);
  const result = importance(model);
  if (format === 'json') {
    io.out(JSON.stringify({ partRank: result.partRank, iterations: result.iterations, converged: result.converged, activityImportance: result.activityImportance }, null, 2) + '\n');
    return EXIT.ok;
  }
  const parts = model.parts.map((p) => [p.id, p.name ?? '', result.partRank[p.id]] as (string | number)[]).sort((a, b) => (b[2] as number) - (a[2] as number));
  io.out(`PartRank (${result.iterations} iterations${result.converged ? '' : ', NOT converged'})\n`);
  io.out(renderTable(['part', 'name', 'S_p'], parts));
  const acts = model.activities.map((a) => [a.id, a.name ?? '', result.activityImportance[a.id]] as (string | number)[]).sort((a, b) => (b[2] as number) - (a[2] as number));
  io.out('\nActivity importance\n');
  io.out(renderTable(['activity', 'name', 'I_a'], acts));
  return EXIT.ok;
}
