import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ValidationError, formatIssue } from '@pss/model';
import { loadDocument, readRaw } from './load-document';

const dir = mkdtempSync(join(tmpdir(), 'pss-documents-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string) => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};
const model = `apiVersion: pss/v1
kind: PssModel
name: tiny
parts: [{ id: p.a, statuses: [{ key: temp }] }]
resourceKinds: [{ id: kr.t, category: personnel }]
resources: [{ id: pr.1, kind: kr.t, costRate: 50 }]
triggers: [{ id: ss.a, monitors: [p.a], condition: "p.a.temp > 80", window: { deadline: 8 } }]
activities: [{ id: sa.fix, time: 2, cost: 100, reliability: 0.9, objects: [p.a], demands: [{ kind: kr.t, qty: 1 }] }]
assignable: [{ resource: pr.1, activity: sa.fix, theta: 0.95 }]
flows: [{ trigger: ss.a, body: sa.fix }]
`;

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error.issues.map(formatIssue);
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('loadDocument', () => {
  mkdirSync(join(dir, 'models'));
  const modelFile = write('models/tiny.model.yaml', model);

  it('loads a model file', () => {
    const loaded = loadDocument(modelFile);
    expect(loaded.document.kind).toBe('PssModel');
    expect(loaded.warnings).toEqual([]);
  });

  it('resolves a problem’s model path relative to the problem file', () => {
    const problem = write('problem.yaml', 'kind: ConfigurationProblem\nmodel: ./models/tiny.model.yaml\ntriggered: [{ asset: a1, trigger: ss.a, at: 1 }]\n');
    const loaded = loadDocument(problem);
    if (loaded.document.kind !== 'ConfigurationProblem') throw new Error('wrong kind');
    expect(loaded.document.value.model.name).toBe('tiny');
    expect(loaded.document.value.triggered[0]).toMatchObject({ start: 1, deadline: 9 });
  });

  it('names the referenced model in its errors, and the file the error is about', () => {
    write('models/broken.model.yaml', model.replace('theta: 0.95', 'theta: 1.5'));
    const problem = write('broken-problem.yaml', 'kind: ConfigurationProblem\nmodel: ./models/broken.model.yaml\ntriggered: []\n');
    expect(issuesOf(() => loadDocument(problem))).toEqual(['model (./models/broken.model.yaml).assignable[0].theta: must be <= 1, got 1.5']);
    try {
      loadDocument(problem);
    } catch (error) {
      expect((error as ValidationError).source).toBe(problem);
    }
  });

  it('says when the referenced model file is missing', () => {
    const problem = write('orphan.yaml', 'kind: ConfigurationProblem\nmodel: ./nowhere.yaml\ntriggered: []\n');
    expect(issuesOf(() => loadDocument(problem))[0]).toMatch(/^model \(\.\/nowhere\.yaml\): cannot read .*nowhere\.yaml: no such file$/);
  });

  it('passes warnings on, also from the referenced model, and keeps them on failure', () => {
    write('models/typo.model.yaml', model.replace('name: tiny', 'name: tiny\nreliabilty: 0.9'));
    const problem = write('typo-problem.yaml', 'kind: ConfigurationProblem\nmodel: ./models/typo.model.yaml\ntriggered: []\n');
    expect(loadDocument(problem).warnings.map(formatIssue)).toEqual([expect.stringMatching(/^model \(\.\/models\/typo\.model\.yaml\)\.reliabilty: unknown field/)]);
    const bad = write('bad-with-typo.yaml', model.replace('name: tiny', 'name: tiny\nreliabilty: 0.9').replace('costRate: 50', 'costRate: -5'));
    try {
      loadDocument(bad);
      throw new Error('expected failure');
    } catch (error) {
      expect((error as ValidationError).warnings.map(formatIssue)).toEqual([expect.stringMatching(/^reliabilty: unknown field/)]);
    }
  });

  it('reads JSON and YAML by extension and reports unreadable files', () => {
    expect(readRaw(write('a.json', '{"kind": "PesProblem"}'))).toEqual({ ok: true, value: { kind: 'PesProblem' } });
    expect(readRaw(write('b.yml', 'kind: PesProblem\n'))).toEqual({ ok: true, value: { kind: 'PesProblem' } });
    const missing = readRaw(join(dir, 'missing.json'));
    expect(missing.ok ? [] : missing.issues.map(formatIssue)).toEqual([expect.stringMatching(/cannot read .*missing\.json: no such file/)]);
    const folder = readRaw(join(dir, 'models'));
    expect(folder.ok ? [] : folder.issues.map(formatIssue)).toEqual([expect.stringMatching(/is a directory/)]);
  });
});
