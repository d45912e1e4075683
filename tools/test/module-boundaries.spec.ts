// The dependency rules are only worth something if the linter really fails on a violation.
// ESLint runs as its own process: its flat config is an ES module, which Jest's VM cannot import.
import { spawnSync } from 'child_process';
import { join } from 'path';

const root = join(__dirname, '..', '..');

async function ruleIdsFor(file: string, code: string): Promise<string[]> {
  const run = spawnSync(process.execPath, [join(root, 'node_modules/eslint/bin/eslint.js'), '--stdin', '--stdin-filename', file, '--format', 'json'], { cwd: root, input: code, encoding: 'utf8' });
  const [result] = JSON.parse(run.stdout) as { messages: { ruleId: string | null; message: string }[] }[];
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('module boundaries', () => {
  jest.setTimeout(60_000);

  it('forbids a domain library from importing an adapter library', async () => {
    const messages = await ruleIdsFor('libs/model/src/probe.ts', "import { loadDocument } from '@pss/documents';\nexport const x = loadDocument;\n");
    expect(messages.some((m) => m.startsWith('@nx/enforce-module-boundaries'))).toBe(true);
  });

  it('forbids a domain library from doing I/O with Node built-ins', async () => {
    const messages = await ruleIdsFor('libs/optimizer/src/probe.ts', "import { readFileSync } from 'fs';\nexport const x = readFileSync;\n");
    expect(messages.some((m) => m.startsWith('no-restricted-imports') && m.includes('Domain libraries do no I/O'))).toBe(true);
  });

  it('lets an adapter library use Node built-ins and domain libraries', async () => {
    const messages = await ruleIdsFor('libs/documents/src/probe.ts', "import { readFileSync } from 'fs';\nimport { parseText } from '@pss/model';\nexport const x = [readFileSync, parseText];\n");
    expect(messages).toEqual([]);
  });

  it('forbids a library from importing an application', async () => {
    const messages = await ruleIdsFor('libs/documents/src/probe.ts', "import { runCli } from '../../../apps/cli/src/cli';\nexport const x = runCli;\n");
    expect(messages.length).toBeGreaterThan(0);
  });
});
