#!/usr/bin/env node
// `npm start`. The platform's services (edge gateway, cloud service, dashboard) arrive with their
// issues; until then this runs the `pss` command line on the shipped examples and says so.
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(`npm start: runs the pss command line on the shipped examples.
The edge gateway, cloud service and dashboard are not part of this version yet (see README.md, "Status").
Try:  npm run -s pss -- --help`);
  process.exit(0);
}

const pss = (...argv) => {
  console.log(`\n$ npm run -s pss -- ${argv.join(' ')}`);
  const run = spawnSync(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), '--tsconfig', join(root, 'tsconfig.base.json'), join(root, 'apps/cli/src/main.ts'), ...argv], { cwd: root, stdio: 'inherit' });
  if (run.status !== 0) process.exit(run.status ?? 1);
};

console.log(`PSS platform — foundation release.
The services (edge gateway, cloud service, dashboard) are not built yet, so "npm start" shows what exists:
the PSS model library, the exact optimizer and the pss command line, run on the shipped examples.`);
pss('validate', 'examples/elevator-pes.json', 'examples/conformance/c1-two-flows.json');
pss('importance', 'examples/conformance/c1-two-flows.json', '--format', 'table');
pss('optimize', 'examples/conformance/c1-two-flows.json', '--format', 'table');
pss('optimize', 'examples/elevator-pes.json', '--format', 'table');
console.log(`
Where to look next:
  README.md            what the platform is, and the map of the repository
  docs/model.md        the PSS model: three layers, flows, PartRank, the configuration problem
  docs/cli.md          every pss command, with --format json for machines
  examples/            models and problems to try:  npm run -s pss -- optimize FILE --format table`);
