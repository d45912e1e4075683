// pss network MODEL: the multilayer network as connection matrices, and each flow's service-layer
// graph with its alternatives (SL-DFT).
import { compileFlowGraph, formatBody, multilayerMatrices, slDft, toDense } from '@pss/model';
import { CliIo, EXIT, UsageError } from '../io';
import { parseCommand } from '../args';
import { loadModel } from './load';

export const networkHelp = `pss network MODEL [--dense] [--format json|table]
  The multilayer network of a model: the connection matrices of the product, service and resource
  layers and between them (sparse [row, column, value] entries; --dense for full matrices), and per
  service flow its compiled service-layer graph and alternatives.`;

export function networkCommand(argv: string[], io: CliIo): number {
  const { format, positionals, values } = parseCommand(argv, { dense: { type: 'boolean' } }, 'json');
  if (positionals.length !== 1) throw new UsageError('network takes one MODEL file');
  const model = loadModel(positionals[0]);
  const matrices = multilayerMatrices(model);
  const flows = model.flows.map((f) => {
    const graph = compileFlowGraph(f.trigger, f.body);
    return { trigger: f.trigger, body: f.body, graph, alternatives: slDft(graph) };
  });
  if (format === 'json') {
    const out = matrices.map((m) => (values.dense ? { name: m.name, description: m.description, rows: m.rows, columns: m.columns, dense: toDense(m) } : m));
    io.out(JSON.stringify({ kind: 'MultilayerNetwork', model: model.name, matrices: out, flows }, null, 2) + '\n');
    return EXIT.ok;
  }
  for (const m of matrices) io.out(`${m.name.padEnd(10)} ${m.rows.length} × ${m.columns.length}, ${m.entries.length} non-zero: ${m.description}\n`);
  for (const f of flows) {
    io.out(`\n${f.trigger}: ${formatBody(f.body)}\n  ${f.alternatives.length} alternative${f.alternatives.length === 1 ? '' : 's'}:\n`);
    for (const alt of f.alternatives) io.out(`    {${alt.join(', ')}}\n`);
  }
  return EXIT.ok;
}
