// Contract-time configuration through the real service: seed 003's elevator case (examples/elevator-pes.json)
// solved in the optimizer worker pool must give the front an exact run of solveProblem gives in process, and
// place the paper's published schemes on or behind it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { PesFront, PesObjectives, dominates, evaluatePes, readPesProblem } from '@pss/model';
import { solveProblem } from '@pss/optimizer';
import { TestCloud, startTestCloud } from '../platform/testing/cloud-harness';
import { ContractSummary, ContractView } from './contracts.service';
import { standingOfSchemes } from './schemes';

jest.setTimeout(180_000);

const pesDoc = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', '..', 'examples', 'elevator-pes.json'), 'utf8')) as Record<string, unknown>;
const read = readPesProblem(pesDoc);
if (!read.ok) throw new Error('examples/elevator-pes.json must read');
const elevator = read.value;

const vector = (o: PesObjectives): number[] => [-o.performance, o.cost, o.responseTime];
const key = (o: PesObjectives): string => vector(o).map((x) => x.toFixed(9)).join(' ');

describe('contracts (seed 003 elevator case)', () => {
  let cloud: TestCloud;
  let planner: string;
  let viewer: string;
  const exact = solveProblem(elevator, { algorithm: 'exact' }) as PesFront;

  beforeAll(async () => {
    cloud = await startTestCloud();
    planner = (await cloud.createKey('planner')).key;
    viewer = (await cloud.createKey('viewer')).key;
  });

  afterAll(async () => {
    await cloud?.close();
  });

  it('answers the front of an exact in-process run, and stores it as a contract', async () => {
    const answer = await cloud.request('POST', '/api/contracts/configure', { key: planner, body: pesDoc });
    expect(answer.status).toBe(201);
    const contract = answer.body as ContractView;
    expect(contract).toMatchObject({ name: elevator.name, problem: null, algorithm: 'auto:exact', exact: true, createdBy: expect.any(String) });
    expect(contract.front.problem).toBe('PesProblem');
    expect(contract.front.solutions.length).toBe(exact.solutions.length);
    expect(contract.front.solutions.map((s) => key(s.objectives)).sort()).toEqual(exact.solutions.map((s) => key(s.objectives)).sort());

    const stored = await cloud.request('GET', `/api/contracts/${contract.id}`, { key: viewer });
    expect(stored.status).toBe(200);
    expect((stored.body as ContractView).front).toEqual(contract.front);
    expect((stored.body as ContractView).problemDocument).toEqual(pesDoc);
    const list = await cloud.request('GET', '/api/contracts', { key: viewer });
    expect((list.body as ContractSummary[]).find((c) => c.id === contract.id)).toEqual({
      id: contract.id,
      name: elevator.name,
      problem: null,
      algorithm: 'auto:exact',
      solutions: exact.solutions.length,
      exact: true,
      createdBy: contract.createdBy,
      createdAt: contract.createdAt,
    });
  });

  it('places every published scheme on the front or behind a solution that dominates it', async () => {
    const answer = await cloud.request('POST', '/api/contracts/configure', { key: planner, body: stringify(pesDoc), contentType: 'text/yaml' });
    expect(answer.status).toBe(201);
    const contract = answer.body as ContractView;
    expect(contract.schemes.map((s) => s.id)).toEqual(elevator.publishedSchemes.map((s) => s.id));
    for (const scheme of contract.schemes) {
      expect(['on-front', 'dominated']).toContain(scheme.status);
      expect(scheme.solutions.length).toBeGreaterThan(0);
      for (const index of scheme.solutions) {
        const solution = contract.front.solutions[index].objectives;
        if (scheme.status === 'dominated') expect(dominates(vector(solution), vector(scheme.objectives))).toBe(true);
        else expect(key(solution)).toBe(key(scheme.objectives));
      }
    }
    // The same standings as the exact front gives in process.
    expect(contract.schemes.map((s) => [s.id, s.status])).toEqual(standingOfSchemes(elevator, exact).map((s) => [s.id, s.status]));
    // The weighted-sum GA schemes of the paper are behind the front.
    expect(contract.schemes.filter((s) => s.id.startsWith('WS-')).every((s) => s.status === 'dominated')).toBe(true);
  });

  it('configures from a stored PesProblem by id, and records which version', async () => {
    const stored = await cloud.request('POST', '/api/problems?id=elevator-pes', { key: planner, body: pesDoc });
    expect(stored.status).toBe(201);
    const answer = await cloud.request('POST', '/api/contracts/configure?algorithm=exact', { key: planner, body: { problem: 'elevator-pes' } });
    expect(answer.status).toBe(201);
    const contract = answer.body as ContractView;
    expect(contract.problem).toEqual({ id: 'elevator-pes', version: 1 });
    expect(contract.algorithm).toBe('exact');
    expect(contract.front.solutions.map((s) => key(s.objectives)).sort()).toEqual(exact.solutions.map((s) => key(s.objectives)).sort());
  });

  it('runs NSGA-II on request: every point it answers is feasible and none dominates the exact front', async () => {
    const answer = await cloud.request('POST', '/api/contracts/configure?algorithm=nsga2&seed=7', { key: planner, body: pesDoc });
    expect(answer.status).toBe(201);
    const contract = answer.body as ContractView;
    expect(contract.algorithm).toBe('nsga2');
    expect(contract.front.solutions.length).toBeGreaterThan(0);
    const exactVectors = exact.solutions.map((s) => vector(s.objectives));
    for (const s of contract.front.solutions) {
      expect(evaluatePes(elevator, s.instances).violations).toEqual([]);
      expect(exactVectors.some((e) => dominates(vector(s.objectives), e))).toBe(false);
    }
  });

  it('names what is wrong with a request', async () => {
    const invalid = await cloud.request('POST', '/api/contracts/configure', { key: planner, body: { ...pesDoc, limits: { profitMargin: 'a lot' } } });
    expect(invalid.status).toBe(400);
    expect((invalid.body as { issues: { path: string }[] }).issues.map((i) => i.path)).toContain('limits.profitMargin');
    const kind = await cloud.request('POST', '/api/contracts/configure', { key: planner, body: { kind: 'PssModel' } });
    expect(kind.body).toEqual({ error: 'invalid PES problem', issues: [{ path: 'kind', message: expect.stringContaining('must be PesProblem') }] });
    const reference = await cloud.request('POST', '/api/contracts/configure', { key: planner, body: { problem: 3, extra: true } });
    expect(reference.body).toEqual({
      error: 'invalid contract request',
      issues: [
        { path: 'body.extra', message: 'unknown field (known: problem, version)' },
        { path: 'body.problem', message: 'must be the id of a stored PesProblem' },
      ],
    });
    expect((await cloud.request('POST', '/api/contracts/configure', { key: planner, body: { problem: 'nothing' } })).status).toBe(404);
    const algorithm = await cloud.request('POST', '/api/contracts/configure?algorithm=imodcs', { key: planner, body: pesDoc });
    expect(algorithm.body).toEqual({ error: 'invalid query parameter algorithm', issues: [{ path: 'query.algorithm', message: 'must be one of auto, exact, nsga2, got "imodcs"' }] });
    expect((await cloud.request('GET', '/api/contracts/not-a-uuid', { key: viewer })).status).toBe(404);
  });
});
