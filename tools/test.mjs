#!/usr/bin/env node
// `npm test`: system packages -> lint -> type check -> every Jest project, then one closing line
// "N passed, N failed" that CI reads. Fails (non-zero) when any step fails or no test ran.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false', NX_NO_CLOUD: 'true', FORCE_COLOR: process.env.CI ? '0' : process.env.FORCE_COLOR };
const started = Date.now();

function step(title, command, args) {
  const t = Date.now();
  process.stdout.write(`\n▶ ${title}\n`);
  const run = spawnSync(command, args, { cwd: root, env, stdio: 'inherit' });
  const seconds = ((Date.now() - t) / 1000).toFixed(1);
  if (run.status !== 0) {
    process.stdout.write(`✖ ${title} failed after ${seconds} s\n`);
    process.exit(run.status ?? 1);
  }
  process.stdout.write(`✔ ${title} (${seconds} s)\n`);
}

step('system packages', 'bash', [join(root, 'tools/system-deps.sh')]);
step('lint (module boundaries included)', 'npx', ['nx', 'run-many', '-t', 'lint', '--outputStyle=static']);
step('type check', 'npx', ['nx', 'run-many', '-t', 'typecheck', '--outputStyle=static']);

const out = mkdtempSync(join(tmpdir(), 'pss-jest-'));
const resultsFile = join(out, 'results.json');
const jestArgs = ['jest', '--ci', '--json', `--outputFile=${resultsFile}`, ...process.argv.slice(2)];
process.stdout.write('\n▶ tests\n');
const jest = spawnSync('npx', jestArgs, { cwd: root, env, stdio: 'inherit' });
let summary;
try {
  summary = JSON.parse(readFileSync(resultsFile, 'utf8'));
} catch {
  summary = undefined;
}
rmSync(out, { recursive: true, force: true });
const minutes = ((Date.now() - started) / 60000).toFixed(1);
if (!summary) {
  process.stdout.write(`✖ tests did not report results (jest exit ${jest.status}) after ${minutes} min\n`);
  process.exit(jest.status || 1);
}
const { numPassedTests: passed, numFailedTests: failed, numPendingTests: skipped, numTotalTests: total } = summary;
process.stdout.write(`\n${summary.numTotalTestSuites} suites, ${minutes} min\n`);
process.stdout.write(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
if (total === 0) {
  process.stdout.write('✖ no test ran\n');
  process.exit(1);
}
process.exit(jest.status === 0 && failed === 0 ? 0 : jest.status || 1);
