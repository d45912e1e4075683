// The command exactly as MODEL.md section 5 and the README give it: through npm, stdout only JSON.
import { spawnSync } from 'child_process';
import { join } from 'path';

const root = join(__dirname, '..', '..', '..');

describe('npm run -s pss', () => {
  jest.setTimeout(60_000);

  it('prints only the ParetoFront JSON on stdout for the elevator PES case', () => {
    const run = spawnSync('npm', ['run', '-s', 'pss', '--', 'optimize', 'examples/elevator-pes.json', '--format', 'json'], { cwd: root, encoding: 'utf8' });
    expect(run.status).toBe(0);
    const front = JSON.parse(run.stdout) as { kind: string; solutions: unknown[]; stats: { exact: boolean } };
    expect(front.kind).toBe('ParetoFront');
    expect(front.solutions.length).toBeGreaterThan(0);
    expect(front.stats.exact).toBe(true);
  });

  it('waits for worker threads: --workers 2 prints the whole front before exiting', () => {
    const run = spawnSync('npm', ['run', '-s', 'pss', '--', 'optimize', 'examples/conformance/c2-fleet.json', '--algorithm', 'exact', '--workers', '2', '--quiet'], { cwd: root, encoding: 'utf8' });
    expect(run.status).toBe(0);
    const front = JSON.parse(run.stdout) as { solutions: unknown[]; stats: { workers: number; exact: boolean } };
    expect(front.stats.workers).toBe(2);
    expect(front.stats.exact).toBe(true);
    expect(front.solutions).toHaveLength(9);
  });

  it('exits 2 with a one-line error on stderr for a missing file', () => {
    const run = spawnSync('npm', ['run', '-s', 'pss', '--', 'optimize', 'examples/missing.json'], { cwd: root, encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim()).toMatch(/^pss optimize: examples\/missing\.json: cannot read .*: no such file$/);
  });
});
