import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ConfigurationFront, PesFront, readPesProblem } from '@pss/model';
import { solvePesExact } from '@pss/optimizer';
import { runCli } from './cli';
import { EXIT } from './io';

const root = join(__dirname, '..', '..', '..');
const example = (name: string) => join(root, 'examples', name);

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { out: (t) => (stdout += t), err: (t) => (stderr += t), now: () => Date.now(), errIsTty: false });
  return { code, stdout, stderr };
}

const tmp = mkdtempSync(join(tmpdir(), 'pss-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const write = (name: string, content: unknown) => {
  const file = join(tmp, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
};

describe('pss optimize', () => {
  it('prints the exact front of the elevator PES case as JSON only', async () => {
    const { code, stdout, stderr } = await run('optimize', example('elevator-pes.json'), '--format', 'json');
    expect(code).toBe(EXIT.ok);
    expect(stderr).toBe('');
    const front = JSON.parse(stdout) as PesFront;
    expect(front.kind).toBe('ParetoFront');
    expect(front.problem).toBe('PesProblem');
    const problem = readPesProblem(JSON.parse(readFileSync(example('elevator-pes.json'), 'utf8')));
    if (!problem.ok) throw new Error('example invalid');
    const expected = solvePesExact(problem.value);
    expect(front.solutions.map((s) => s.objectives)).toEqual(expected.solutions.map((s) => s.objectives));
    expect(front.stats.exact).toBe(true);
  });

  it('matches the conformance front of c1 with the exact algorithm', async () => {
    const { code, stdout } = await run('optimize', example('conformance/c1-two-flows.json'), '--algorithm', 'exact', '--seed', '7');
    expect(code).toBe(EXIT.ok);
    const front = JSON.parse(stdout) as ConfigurationFront;
    const want = (JSON.parse(readFileSync(example('conformance/c1-two-flows.front.json'), 'utf8')) as ConfigurationFront).solutions.map((s) => s.objectives);
    expect(front.solutions).toHaveLength(want.length);
    for (const w of want) {
      expect(front.solutions.some((s) => Math.abs(s.objectives.time - w.time) < 1e-9 && Math.abs(s.objectives.cost - w.cost) < 1e-6 && Math.abs(s.objectives.reliability - w.reliability) < 1e-12)).toBe(true);
    }
    expect(front.stats.seed).toBe(7);
    expect(front.stats.algorithm).toBe('exact');
  });

  it('prints a table for people', async () => {
    const { code, stdout } = await run('optimize', example('conformance/c2-fleet.json'), '--format', 'table');
    expect(code).toBe(EXIT.ok);
    expect(stdout).toMatch(/non-dominated solutions/);
    expect(stdout).toMatch(/time\s+cost\s+reliability/);
  });

  it('answers an infeasible problem with an empty front and the reason, exit 0', async () => {
    const problem = JSON.parse(readFileSync(example('conformance/c1-two-flows.json'), 'utf8')) as { triggered: { deadline: number }[] };
    problem.triggered[0].deadline = 1;
    const { code, stdout } = await run('optimize', write('tight.json', problem));
    expect(code).toBe(EXIT.ok);
    const front = JSON.parse(stdout) as ConfigurationFront;
    expect(front.solutions).toEqual([]);
    expect(front.infeasible).toMatch(/elevator-01\/ss\.1 cannot meet its deadline 1/);
  });

  it('refuses a space larger than --exact-limit with exit 3', async () => {
    const { code, stderr } = await run('optimize', example('elevator-pes.json'), '--exact-limit', '1000');
    expect(code).toBe(EXIT.tooLarge);
    expect(stderr).toMatch(/configurations \(limit 1e\+3\)/);
    const car = await run('optimize', example('passenger-car.problem.yaml'), '--algorithm', 'exact', '--exact-limit', '1000', '--workers', '1');
    expect(car.code).toBe(EXIT.tooLarge);
    expect(car.stderr).toMatch(/needs more than 1e\+3 steps \(space of about 1e\d+\.\d configurations before pruning\)/);
  });

  it('gives a one-line error and exit 2 for an invalid file', async () => {
    const { code, stdout, stderr } = await run('optimize', write('bad.json', { kind: 'PesProblem', modules: [{ id: 'M', instances: [] }] }));
    expect(code).toBe(EXIT.invalid);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/modules\[0\]\.instances: needs at least one instance/);
  });

  it('rejects unknown algorithms and bad numbers with usage errors', async () => {
    expect((await run('optimize', example('elevator-pes.json'), '--algorithm', 'magic')).stderr).toMatch(/--algorithm must be one of/);
    expect((await run('optimize', example('elevator-pes.json'), '--seed', 'x')).code).toBe(EXIT.invalid);
    expect((await run('optimize', example('elevator-pes.json'), '--frobnicate')).stderr).toMatch(/Unknown option '--frobnicate'/);
    expect((await run('optimize')).code).toBe(EXIT.invalid);
  });

  it('refuses a bare model: optimize needs a problem', async () => {
    const model = (JSON.parse(readFileSync(example('conformance/c1-two-flows.json'), 'utf8')) as { model: unknown }).model;
    const { code, stderr } = await run('optimize', write('model.json', model));
    expect(code).toBe(EXIT.invalid);
    expect(stderr).toMatch(/is PssModel: give a ConfigurationProblem/);
  });
});

describe('pss optimize: algorithms and options', () => {
  jest.setTimeout(60_000);
  const c1 = () => example('conformance/c1-two-flows.json');
  const exactVectors = (JSON.parse(readFileSync(example('conformance/c1-two-flows.front.json'), 'utf8')) as ConfigurationFront).solutions.map((s) => s.objectives);
  const onExactFront = (o: { time: number; cost: number; reliability: number }) =>
    exactVectors.some((w) => Math.abs(o.time - w.time) < 1e-9 && Math.abs(o.cost - w.cost) < 1e-6 && Math.abs(o.reliability - w.reliability) < 1e-12);

  it.each(['hybrid', 'imodcs', 'nsga2'])('runs --algorithm %s and answers only points of the exact front', async (algorithm) => {
    const { code, stdout } = await run('optimize', c1(), '--algorithm', algorithm, '--seed', '5', '--max-evaluations', '20000', '--workers', '1');
    expect(code).toBe(EXIT.ok);
    const front = JSON.parse(stdout) as ConfigurationFront;
    expect(front.stats.algorithm).toBe(algorithm);
    expect(front.solutions.length).toBeGreaterThan(0);
    expect(front.solutions.every((s) => onExactFront(s.objectives))).toBe(true);
  });

  it('compares the sequential strategy and the plain mean, as seed 004 does', async () => {
    const sequential = JSON.parse((await run('optimize', c1(), '--algorithm', 'hybrid', '--strategy', 'sequential')).stdout) as ConfigurationFront;
    expect(sequential.stats.strategy).toBe('sequential');
    expect(sequential.solutions.length).toBeGreaterThan(0);
    expect(sequential.solutions.length).toBeLessThanOrEqual(exactVectors.length);
    const mean = JSON.parse((await run('optimize', c1(), '--reliability', 'mean')).stdout) as ConfigurationFront;
    expect(mean.stats.reliability).toBe('mean');
    expect(mean.solutions.map((s) => s.objectives.reliability)).not.toEqual(exactVectors.map((o) => o.reliability));
  });

  it('solves in worker threads with --workers 2 and still proves the exact front', async () => {
    const { code, stdout } = await run('optimize', c1(), '--algorithm', 'exact', '--workers', '2');
    expect(code).toBe(EXIT.ok);
    const front = JSON.parse(stdout) as ConfigurationFront;
    expect(front.stats.workers).toBe(2);
    expect(front.stats.exact).toBe(true);
    expect(front.solutions.map((s) => s.objectives)).toHaveLength(exactVectors.length);
  });

  it('rejects bad option values by name', async () => {
    expect((await run('optimize', c1(), '--preset', 'fast')).stderr).toMatch(/--preset must be one of default, paper, got "fast"/);
    expect((await run('optimize', c1(), '--strategy', 'x')).stderr).toMatch(/--strategy must be one of joint, sequential/);
    expect((await run('optimize', c1(), '--reliability', 'max')).code).toBe(EXIT.invalid);
    expect((await run('optimize', c1(), '--workers', '0')).stderr).toMatch(/--workers must be an integer >= 1/);
    expect((await run('optimize', example('elevator-pes.json'), '--algorithm', 'imodcs')).stderr).toMatch(/imodcs solves configuration problems/);
  });
});

describe('pss importance', () => {
  it('reproduces the conformance importances', async () => {
    const { code, stdout } = await run('importance', example('conformance/c1-two-flows.json'));
    expect(code).toBe(EXIT.ok);
    const got = JSON.parse(stdout) as { partRank: Record<string, number>; activityImportance: Record<string, number>; iterations: number };
    const want = JSON.parse(readFileSync(example('conformance/c1-two-flows.importance.json'), 'utf8')) as typeof got;
    expect(got.iterations).toBe(want.iterations);
    for (const [k, v] of Object.entries(want.partRank)) expect(got.partRank[k]).toBeCloseTo(v, 12);
    for (const [k, v] of Object.entries(want.activityImportance)) expect(got.activityImportance[k]).toBeCloseTo(v, 12);
  });

  it('prints ranked tables', async () => {
    const { stdout } = await run('importance', example('conformance/c2-fleet.json'), '--format', 'table');
    expect(stdout).toMatch(/PartRank \(\d+ iterations\)/);
    expect(stdout).toMatch(/Activity importance/);
  });
});

describe('pss evaluate', () => {
  it('finds every conformance front solution feasible with its stated objectives', async () => {
    const { code, stdout } = await run('evaluate', example('conformance/c2-fleet.json'), example('conformance/c2-fleet.front.json'));
    expect(code).toBe(EXIT.ok);
    const report = JSON.parse(stdout) as { allFeasible: boolean; solutions: { statedMatches: boolean }[] };
    expect(report.allFeasible).toBe(true);
    expect(report.solutions.every((s) => s.statedMatches)).toBe(true);
  });

  it('reports violations and wrong stated objectives with exit 1', async () => {
    const front = JSON.parse(readFileSync(example('conformance/c1-two-flows.front.json'), 'utf8')) as ConfigurationFront;
    const broken = front.solutions[0];
    broken.objectives.cost += 1;
    broken.occurrences[0].resources = [];
    const { code, stdout } = await run('evaluate', example('conformance/c1-two-flows.json'), write('broken.json', [broken]), '--format', 'table');
    expect(code).toBe(EXIT.failedCheck);
    expect(stdout).toMatch(/A9 occurrences\[0\]\.resources: sa\.1\.01 needs 1 × kr\.p02, got 0/);
    expect(stdout).toMatch(/DIFFERS/);
  });

  it('checks PES schemes', async () => {
    const pes = JSON.parse(readFileSync(example('elevator-pes.json'), 'utf8')) as { publishedSchemes: { instances: string[] }[] };
    const { code, stdout } = await run('evaluate', example('elevator-pes.json'), write('schemes.json', pes.publishedSchemes.map((s) => ({ instances: s.instances }))));
    expect(code).toBe(EXIT.ok);
    expect((JSON.parse(stdout) as { solutions: unknown[] }).solutions).toHaveLength(7);
  });

  it('names malformed solutions files precisely', async () => {
    const { code, stderr } = await run('evaluate', example('conformance/c1-two-flows.json'), write('malformed.json', { solutions: [{ occurrences: [{ asset: 1, trigger: 'ss.1', activity: 'sa.1.01', start: 'soon' }] }] }));
    expect(code).toBe(EXIT.invalid);
    expect(stderr).toMatch(/solutions\[0\]\.occurrences\[0\]\.asset: must be a string/);
    expect(stderr).toMatch(/and 1 more/);
  });
});

describe('pss validate', () => {
  it('accepts every shipped example', async () => {
    const files = readdirSync(join(root, 'examples'))
      .filter((f) => /\.(json|ya?ml)$/.test(f))
      .map((f) => example(f));
    const { code, stdout } = await run('validate', ...files);
    expect(stdout.split('\n').filter(Boolean).every((l) => l.includes(': valid '))).toBe(true);
    expect(code).toBe(EXIT.ok);
  });

  it('lists every problem of a broken file and exits 2', async () => {
    const file = write('broken.yaml', 'apiVersion: pss/v1\nkind: PssModel\nparts: [{id: p1}, {id: p1}]\ntriggers: [{id: t, window: {deadline: 3}}]\nactivities: [{id: a, time: -1, cost: 1, reliability: 2}]\nflows: [{trigger: t, body: {xor: [a]}}]\n');
    const { code, stdout } = await run('validate', file);
    expect(code).toBe(EXIT.invalid);
    expect(stdout).toMatch(/parts\[1\]\.id: duplicate id "p1"/);
    expect(stdout).toMatch(/activities\[0\]\.time: must be >= 0, got -1/);
    expect(stdout).toMatch(/activities\[0\]\.reliability: must be <= 1, got 2/);
    expect(stdout).toMatch(/flows\[0\]\.body\.xor: needs at least 2 branches, got 1/);
  });

  const invalidDir = join(root, 'examples', 'invalid');
  const invalid = existsSync(invalidDir) ? readdirSync(invalidDir).filter((f) => /\.(json|ya?ml)$/.test(f)) : [];
  it('has a folder of broken models', () => expect(invalid.length).toBeGreaterThanOrEqual(10));
  it.each(invalid)('rejects examples/invalid/%s with its expected error', async (name) => {
    const file = join(invalidDir, name);
    const text = readFileSync(file, 'utf8');
    const sibling = file.replace(/\.(json|ya?ml)$/, '.expect');
    const expected = (existsSync(sibling) ? readFileSync(sibling, 'utf8') : /^# expect: (.*)$/m.exec(text)?.[1] ?? '').trim();
    expect(expected).not.toBe('');
    const { code, stdout } = await run('validate', file);
    expect(code).toBe(EXIT.invalid);
    expect(stdout).toContain(expected);
  });
});

describe('pss network and usage', () => {
  it('exports the multilayer matrices and each flow alternatives', async () => {
    const { code, stdout } = await run('network', example('conformance/c1-two-flows.json'));
    expect(code).toBe(EXIT.ok);
    const net = JSON.parse(stdout) as { matrices: { name: string }[]; flows: { trigger: string; alternatives: string[][] }[] };
    expect(net.matrices.map((m) => m.name)).toEqual(['product', 'service', 'resource', 'monitors', 'objects', 'demands', 'assignable']);
    expect(net.flows.find((f) => f.trigger === 'ss.1')?.alternatives).toHaveLength(3);
    expect(net.flows.find((f) => f.trigger === 'ss.2')?.alternatives).toHaveLength(4);
  });

  it('prints usage and rejects unknown commands', async () => {
    expect((await run('--help')).stdout).toMatch(/pss optimize FILE/);
    expect((await run('frob')).code).toBe(EXIT.invalid);
    expect((await run('optimize', '--help')).stdout).toMatch(/--time-limit-ms/);
  });
});
