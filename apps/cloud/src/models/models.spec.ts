// Models, problems, assets and the network view through the real service (PGlite, embedded broker), with the
// shipped example documents.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { compileFlowGraph, importance, readPssModel, slDft } from '@pss/model';
import { TestCloud, startTestCloud } from '../platform/testing/cloud-harness';
import { ModelNetwork } from './network';

jest.setTimeout(120_000);

const EXAMPLES = join(__dirname, '..', '..', '..', '..', 'examples');
const modelYaml = readFileSync(join(EXAMPLES, 'elevator-fleet.model.yaml'), 'utf8');
const modelDoc = parse(modelYaml) as Record<string, unknown>;
const problemYaml = readFileSync(join(EXAMPLES, 'elevator-fleet.problem.yaml'), 'utf8');
const pesDoc = JSON.parse(readFileSync(join(EXAMPLES, 'elevator-pes.json'), 'utf8')) as Record<string, unknown>;

interface ErrorBody {
  error: string;
  issues: { path: string; message: string }[];
  warnings?: { path: string; message: string }[];
}

describe('models, problems and assets', () => {
  let cloud: TestCloud;
  let planner: string;
  let viewer: string;

  beforeAll(async () => {
    cloud = await startTestCloud();
    planner = (await cloud.createKey('planner')).key;
    viewer = (await cloud.createKey('viewer')).key;
  });

  afterAll(async () => {
    await cloud?.close();
  });

  describe('POST /api/models', () => {
    it('stores a YAML model as version 1, then version 2, and a JSON model under an id from its name', async () => {
      const first = await cloud.request('POST', '/api/models?id=elevator', { key: planner, body: modelYaml, contentType: 'text/yaml' });
      expect(first.status).toBe(201);
      expect(first.body).toEqual({ id: 'elevator', version: 1, name: 'elevator-fleet', kind: 'model', createdAt: expect.any(Number), warnings: [] });
      const second = await cloud.request('POST', '/api/models?id=elevator', { key: planner, body: modelYaml, contentType: 'application/yaml' });
      expect(second.body).toMatchObject({ id: 'elevator', version: 2 });
      const car = parse(readFileSync(join(EXAMPLES, 'passenger-car.model.yaml'), 'utf8')) as Record<string, unknown>;
      const json = await cloud.request('POST', '/api/models', { key: planner, body: car });
      expect(json.status).toBe(201);
      expect(json.body).toMatchObject({ id: String(car.name).toLowerCase().replace(/[^a-z0-9._-]+/g, '-'), version: 1 });
    });

    it('answers every problem of an invalid model at once, each naming its field', async () => {
      const activities = (modelDoc.activities as Record<string, unknown>[]).map((a, i) => (i === 0 ? { ...a, time: -1 } : a));
      const resources = (modelDoc.resources as Record<string, unknown>[]).map((r, i) => (i === 1 ? { ...r, costRate: 'cheap' } : r));
      const answer = await cloud.request('POST', '/api/models', { key: planner, body: { ...modelDoc, activities, resources, colour: 'blue' } });
      expect(answer.status).toBe(400);
      const body = answer.body as ErrorBody;
      expect(body.error).toBe('invalid model');
      expect(body.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['activities[0].time', 'resources[1].costRate']));
      expect(body.issues.find((i) => i.path === 'activities[0].time')!.message).toMatch(/>= 0|> 0/);
      expect(body.warnings).toEqual(expect.arrayContaining([{ path: 'colour', message: expect.stringContaining('unknown field') }]));
    });

    it('refuses resource ids that cannot be MQTT topic segments', async () => {
      const resources = (modelDoc.resources as Record<string, unknown>[]).map((r, i) => (i === 0 ? { ...r, id: 'status' } : r));
      const renamed = (modelDoc.resources as { id: string }[])[0].id;
      const assignable = (modelDoc.assignable as { resource: string }[]).map((a) => (a.resource === renamed ? { ...a, resource: 'status' } : a));
      const answer = await cloud.request('POST', '/api/models', { key: planner, body: { ...modelDoc, resources, assignable } });
      expect(answer.status).toBe(400);
      expect((answer.body as ErrorBody).issues).toEqual([{ path: 'resources[0].id', message: expect.stringContaining('"status" is reserved') }]);
    });

    it('names the line of a YAML syntax error, the kind of a problem sent as a model, and a bad id', async () => {
      const yaml = await cloud.request('POST', '/api/models', { key: planner, body: 'kind: PssModel\nparts: [a, b\n', contentType: 'text/yaml' });
      expect(yaml.status).toBe(400);
      expect((yaml.body as ErrorBody).issues[0].message).toMatch(/^invalid YAML at line \d+, column \d+/);
      const kind = await cloud.request('POST', '/api/models', { key: planner, body: pesDoc });
      expect(kind.body).toEqual({ error: 'invalid model', issues: [{ path: 'kind', message: expect.stringContaining('must be PssModel, got "PesProblem"') }] });
      const id = await cloud.request('POST', '/api/models?id=../etc', { key: planner, body: modelYaml });
      expect(id.body).toEqual({ error: 'invalid id', issues: [{ path: 'query.id', message: expect.stringContaining('must be 1 to 128 letters') }] });
      const empty = await cloud.request('POST', '/api/models', { key: planner });
      expect(empty.status).toBe(400);
      expect((empty.body as ErrorBody).issues[0].path).toBe('body');
    });
  });

  describe('GET /api/models', () => {
    it('lists the newest version of each model and reads one version', async () => {
      const list = await cloud.request('GET', '/api/models', { key: viewer });
      expect(list.body).toEqual(expect.arrayContaining([{ id: 'elevator', version: 2, name: 'elevator-fleet', kind: 'model', createdAt: expect.any(Number) }]));
      const newest = await cloud.request('GET', '/api/models/elevator', { key: viewer });
      expect(newest.body).toMatchObject({ id: 'elevator', version: 2, document: { kind: 'PssModel', name: 'elevator-fleet' } });
      const first = await cloud.request('GET', '/api/models/elevator?version=1', { key: viewer });
      expect(first.body).toMatchObject({ id: 'elevator', version: 1 });
      expect((await cloud.request('GET', '/api/models/elevator?version=9', { key: viewer })).status).toBe(404);
      const bad = await cloud.request('GET', '/api/models/elevator?version=two', { key: viewer });
      expect(bad.body).toEqual({ error: 'invalid query parameter version', issues: [{ path: 'query.version', message: expect.stringContaining('must be an integer >= 1') }] });
      expect((await cloud.request('GET', '/api/models/nothing-here', { key: viewer })).status).toBe(404);
    });

    it('serves the multilayer network with the library\'s PartRank, importance and alternatives', async () => {
      const answer = await cloud.request('GET', '/api/models/elevator/network', { key: viewer });
      expect(answer.status).toBe(200);
      const network = answer.body as ModelNetwork;
      const read = readPssModel(modelDoc);
      if (!read.ok) throw new Error('the example model must read');
      const model = read.value;
      const expected = importance(model);
      expect(network.model).toEqual({ id: 'elevator', version: 2, name: 'elevator-fleet', timeUnit: model.timeUnit, currency: model.currency });
      expect(Object.fromEntries(network.parts.map((p) => [p.id, p.importance]))).toEqual(expected.partRank);
      expect(Object.fromEntries(network.activities.map((a) => [a.id, a.importance]))).toEqual(expected.activityImportance);
      expect(network.parts.find((p) => p.rank === 1)!.importance).toBe(Math.max(...Object.values(expected.partRank)));
      expect(network.partLinks).toHaveLength(model.partLinks.length);
      expect(network.flows.map((f) => [f.trigger, f.alternatives])).toEqual(model.flows.map((f) => [f.trigger, slDft(compileFlowGraph(f.trigger, f.body))]));
      expect(network.flows.every((f) => typeof f.structure === 'string' && f.graph.nodes.length > 0)).toBe(true);
      expect(network.resources.map((r) => r.id)).toEqual(model.resources.map((r) => r.id));
      expect(network.matrices.map((m) => m.name)).toEqual(['product', 'service', 'resource', 'monitors', 'objects', 'demands', 'assignable']);
    });
  });

  describe('POST /api/problems', () => {
    it('stores a ConfigurationProblem that names a stored model, pinned to its newest version', async () => {
      const body = problemYaml.replace('model: ./elevator-fleet.model.yaml', 'model: elevator');
      const answer = await cloud.request('POST', '/api/problems?id=fleet-demo', { key: planner, body, contentType: 'text/yaml' });
      expect(answer.status).toBe(201);
      expect(answer.body).toMatchObject({ id: 'fleet-demo', version: 1, kind: 'problem', model: { id: 'elevator', version: 2 } });
      const stored = await cloud.request('GET', '/api/problems/fleet-demo', { key: viewer });
      expect(stored.body).toMatchObject({ kind: 'problem', document: { kind: 'ConfigurationProblem', model: 'elevator@2' } });
    });

    it('names a missing model, an unknown trigger of the model, and refuses an id taken by a model', async () => {
      const missing = await cloud.request('POST', '/api/problems', { key: planner, body: problemYaml.replace('model: ./elevator-fleet.model.yaml', 'model: nope@3'), contentType: 'text/yaml' });
      expect(missing.body).toEqual({ error: 'invalid problem', issues: [{ path: 'model', message: expect.stringContaining('no stored model "nope@3"') }] });
      const trigger = await cloud.request('POST', '/api/problems', {
        key: planner,
        body: problemYaml.replace('model: ./elevator-fleet.model.yaml', 'model: elevator@1').replace('trigger: ss.brake', 'trigger: ss.nothing'),
        contentType: 'text/yaml',
      });
      expect(trigger.status).toBe(400);
      expect((trigger.body as ErrorBody).issues).toEqual([{ path: 'triggered[1].trigger', message: 'unknown trigger "ss.nothing"' }]);
      const taken = await cloud.request('POST', '/api/problems?id=elevator', { key: planner, body: pesDoc });
      expect(taken.status).toBe(409);
    });

    it('stores a PesProblem and lists problems apart from models', async () => {
      const answer = await cloud.request('POST', '/api/problems?id=elevator-pes', { key: planner, body: pesDoc });
      expect(answer.body).toMatchObject({ id: 'elevator-pes', version: 1, kind: 'pes-problem' });
      const problems = await cloud.request('GET', '/api/problems', { key: viewer });
      expect((problems.body as { id: string }[]).map((p) => p.id).sort()).toEqual(['elevator-pes', 'fleet-demo']);
      const models = await cloud.request('GET', '/api/models', { key: viewer });
      expect((models.body as { id: string }[]).map((m) => m.id)).not.toContain('elevator-pes');
      expect((await cloud.request('GET', '/api/models/elevator-pes', { key: viewer })).status).toBe(404);
    });
  });

  describe('assets', () => {
    it('registers an asset with its contract, lists and reads it, and moves it to another model version', async () => {
      const put = await cloud.request('PUT', '/api/assets/elevator-01', { key: planner, body: { model: 'elevator', modelVersion: 1, gateway: 'gw-site-a', triggers: ['ss.doors', 'ss.brake'] } });
      expect(put.status).toBe(200);
      expect(put.body).toEqual({ id: 'elevator-01', model: { id: 'elevator', version: 1 }, gateway: 'gw-site-a', triggers: ['ss.doors', 'ss.brake'], createdAt: expect.any(Number) });
      const moved = await cloud.request('PUT', '/api/assets/elevator-01', { key: planner, body: { model: 'elevator', gateway: 'gw-site-a' } });
      expect(moved.body).toMatchObject({ model: { id: 'elevator', version: 2 }, triggers: null });
      await cloud.request('PUT', '/api/assets/elevator-02', { key: planner, body: { model: 'elevator', gateway: 'gw-site-b' } });
      const all = await cloud.request('GET', '/api/assets', { key: viewer });
      expect((all.body as { id: string }[]).map((a) => a.id)).toEqual(['elevator-01', 'elevator-02']);
      const behind = await cloud.request('GET', '/api/assets?gateway=gw-site-b', { key: viewer });
      expect((behind.body as { id: string }[]).map((a) => a.id)).toEqual(['elevator-02']);
      expect((await cloud.request('GET', '/api/assets/elevator-02', { key: viewer })).body).toMatchObject({ id: 'elevator-02', gateway: 'gw-site-b' });
      expect((await cloud.request('GET', '/api/assets/elevator-99', { key: viewer })).status).toBe(404);
    });

    it('names every field that is wrong: the gateway, unknown and repeated triggers, a missing model', async () => {
      const bad = await cloud.request('PUT', '/api/assets/elevator-03', { key: planner, body: { model: 'elevator', gateway: 'gw/3', triggers: ['ss.doors', 42] } });
      expect(bad.body).toEqual({
        error: 'invalid asset',
        issues: [
          { path: 'body.triggers[1]', message: 'must be a non-empty string, got number 42' },
          { path: 'body.gateway', message: expect.stringContaining('must not contain "/"') },
        ],
      });
      const triggers = await cloud.request('PUT', '/api/assets/elevator-03', { key: planner, body: { model: 'elevator', gateway: 'gw-3', triggers: ['ss.doors', 'ss.wings', 'ss.doors'] } });
      expect(triggers.body).toEqual({
        error: 'invalid asset',
        issues: [
          { path: 'body.triggers[1]', message: expect.stringMatching(/^unknown trigger "ss.wings" \(model elevator@2 has: .*ss\.doors/) },
          { path: 'body.triggers[2]', message: '"ss.doors" is listed twice' },
        ],
      });
      const model = await cloud.request('PUT', '/api/assets/elevator-03', { key: planner, body: { model: 'elevator-pes', gateway: 'gw-3' } });
      expect(model.body).toEqual({ error: 'invalid asset', issues: [{ path: 'body.model', message: 'no stored model "elevator-pes"' }] });
      const missing = await cloud.request('PUT', '/api/assets/elevator-03', { key: planner, body: {} });
      expect((missing.body as ErrorBody).issues.map((i) => i.path)).toEqual(['body.model', 'body.gateway']);
    });
  });
});
