// The JSON Schemas in libs/model/schema describe the same documents as the TypeScript validator
// (which stays the authority). This proves that they agree: every shipped example is accepted by its
// schema (and by the validator), the library's own answers fit the ParetoFront schema, and broken
// documents are rejected by both, at the same place.
import Ajv2020, { ErrorObject, ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { readFileSync, readdirSync } from 'fs';
import { join, relative } from 'path';
import { parse } from 'yaml';
// The tools project (tag type:tooling) has no dependency constraint in eslint.config.mjs yet, so the
// boundary rule refuses any library import; this test exists to tie the schemas to the libraries.
import { isRecord, readPssDocument } from '@pss/model';
import { loadDocument } from '@pss/documents';
import { solveConfigurationExact, solvePesExact } from '@pss/optimizer';

const root = join(__dirname, '..', '..');
const schemaDir = join(root, 'libs', 'model', 'schema');
const examplesDir = join(root, 'examples');

const SCHEMA_FILES = ['pss-model.schema.json', 'configuration-problem.schema.json', 'pes-problem.schema.json', 'pareto-front.schema.json'] as const;
type SchemaFile = (typeof SCHEMA_FILES)[number];

const SCHEMA_OF_KIND: Readonly<Record<string, SchemaFile>> = {
  PssModel: 'pss-model.schema.json',
  ConfigurationProblem: 'configuration-problem.schema.json',
  PesProblem: 'pes-problem.schema.json',
  ParetoFront: 'pareto-front.schema.json',
};

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8')) as unknown;
}

const schemas = new Map<SchemaFile, unknown>(SCHEMA_FILES.map((f) => [f, readJson(join(schemaDir, f))]));

// strict: unknown keywords, ignored keywords and loose types in the schemas are errors. (strictRequired stays
// off: `anyOf: [{ required: [a] }, { required: [b] }]` names properties that the enclosing schema defines.)
const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true });
addFormats(ajv);
for (const [file, schema] of schemas) {
  if (!isRecord(schema)) throw new Error(`${file} is not a JSON object`);
  ajv.addSchema(schema);
}

function validatorFor(file: SchemaFile): ValidateFunction {
  const validate = ajv.getSchema(file);
  if (!validate) throw new Error(`no schema with $id ${file}`);
  return validate;
}

/** A JSON pointer (`/flows/0/body`) as the validator writes paths (`flows[0].body`). */
function pointerToPath(pointer: string): string {
  let path = '';
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path = /^\d+$/.test(key) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
  }
  return path;
}

/** Where a schema error points, down to the missing property for `required`. */
function errorPath(error: ErrorObject): string {
  const missing = error.keyword === 'required' ? (error.params as { missingProperty?: string }).missingProperty : undefined;
  return pointerToPath(missing ? `${error.instancePath}/${missing.replace(/~/g, '~0').replace(/\//g, '~1')}` : error.instancePath);
}

function describeErrors(errors: readonly ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => `${errorPath(e) || '(document)'}: ${e.keyword} ${e.message ?? ''}`);
}

function schemaErrors(file: SchemaFile, document: unknown): string[] {
  const validate = validatorFor(file);
  return validate(document) ? [] : describeErrors(validate.errors);
}

function isAtOrBelow(path: string, expected: string): boolean {
  return path === expected || path.startsWith(`${expected}.`) || path.startsWith(`${expected}[`);
}

// ---- The examples, read from the directory at run time ----

const INVALID_DIR = join(examplesDir, 'invalid');
/** Edge gateway configurations: not PSS documents (apps/edge-gateway/src/config/load.spec.ts reads them). */
const GATEWAY_DIR = join(examplesDir, 'gateway');

function listExamples(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return full === INVALID_DIR || full === GATEWAY_DIR ? [] : listExamples(full);
    return [full];
  });
}

const allExampleFiles = listExamples(examplesDir).sort();
/** PartRank reference values of the conformance cases: not a document kind, no schema. */
const isImportanceFile = (file: string) => file.endsWith('.importance.json');
const isDocumentFile = (file: string) => /\.(json|ya?ml)$/i.test(file) && !isImportanceFile(file);
const exampleFiles = allExampleFiles.filter(isDocumentFile);

function parseFile(file: string): unknown {
  const text = readFileSync(file, 'utf8');
  return /\.ya?ml$/i.test(file) ? (parse(text) as unknown) : (JSON.parse(text) as unknown);
}

function kindOf(document: unknown): string {
  return isRecord(document) && typeof document.kind === 'string' ? document.kind : '(no kind)';
}

const rel = (file: string) => relative(root, file);

describe('JSON Schemas (libs/model/schema)', () => {
  it('are valid draft 2020-12 schemas that compile in strict mode, with matching $id and file name', () => {
    for (const [file, schema] of schemas) {
      expect(isRecord(schema) && schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(isRecord(schema) && schema.$id).toBe(file);
      expect(ajv.validateSchema(schema as object)).toBe(true);
      expect(() => validatorFor(file)).not.toThrow();
    }
  });

  it('describe every property (the text an editor shows as a tooltip)', () => {
    const undocumented: string[] = [];
    const visit = (node: unknown, at: string, underProperties: boolean): void => {
      if (Array.isArray(node)) return node.forEach((item, i) => visit(item, `${at}/${i}`, false));
      if (!isRecord(node)) return;
      for (const [key, value] of Object.entries(node)) {
        if (underProperties && !(isRecord(value) && typeof value.description === 'string' && value.description.length > 0)) {
          // Inside if/then and anyOf/oneOf, `properties` only narrows a property described elsewhere.
          if (!/\/(then|else|if|anyOf\/\d+|oneOf\/\d+|allOf\/\d+\/(if|then))\/properties$/.test(at)) undocumented.push(`${at}/${key}`);
        }
        visit(value, `${at}/${key}`, key === 'properties' && !underProperties);
      }
    };
    for (const [file, schema] of schemas) visit(schema, file, false);
    expect(undocumented).toEqual([]);
  });
});

describe('every example document validates against its kind\'s schema', () => {
  it('finds the examples', () => {
    expect(exampleFiles.length).toBeGreaterThanOrEqual(5);
    // Every JSON/YAML file in examples/ (but examples/invalid and examples/gateway) is checked, except the PartRank reference files.
    const dataFiles = allExampleFiles.filter((f) => /\.(json|ya?ml)$/i.test(f));
    expect(dataFiles.filter((f) => !exampleFiles.includes(f)).every(isImportanceFile)).toBe(true);
  });

  it.each(exampleFiles.map((f) => [rel(f), f]))('%s', (_name, file) => {
    const document = parseFile(file);
    expect(Object.keys(SCHEMA_OF_KIND)).toContain(kindOf(document));
    if (file.endsWith('.front.json')) expect(kindOf(document)).toBe('ParetoFront');
    const schemaFile = SCHEMA_OF_KIND[kindOf(document)];
    expect(schemaErrors(schemaFile, document)).toEqual([]);
    // ... and the validator, the authority, accepts it too (answers have no reader: their schema is all).
    if (schemaFile !== 'pareto-front.schema.json') expect(() => loadDocument(file)).not.toThrow();
  });
});

describe('the fronts the library produces validate against the ParetoFront schema', () => {
  const conformanceProblems = exampleFiles.filter((f) => f.startsWith(join(examplesDir, 'conformance')) && kindOf(parseFile(f)) === 'ConfigurationProblem');
  const pesProblems = [join(examplesDir, 'elevator-pes.json')];

  it('has problems to solve', () => {
    expect(conformanceProblems.length).toBeGreaterThanOrEqual(2);
  });

  it.each(conformanceProblems.map((f) => [rel(f), f]))('solveConfigurationExact on %s', (_name, file) => {
    const { document } = loadDocument(file);
    if (document.kind !== 'ConfigurationProblem') throw new Error(`${file} is a ${document.kind}`);
    const front: unknown = JSON.parse(JSON.stringify(solveConfigurationExact(document.value)));
    expect(isRecord(front) && Array.isArray(front.solutions) && front.solutions.length).toBeGreaterThan(0);
    expect(schemaErrors('pareto-front.schema.json', front)).toEqual([]);
  });

  it.each(pesProblems.map((f) => [rel(f), f]))('solvePesExact on %s', (_name, file) => {
    const { document } = loadDocument(file);
    if (document.kind !== 'PesProblem') throw new Error(`${file} is a ${document.kind}`);
    const front: unknown = JSON.parse(JSON.stringify(solvePesExact(document.value)));
    expect(isRecord(front) && Array.isArray(front.solutions) && front.solutions.length).toBeGreaterThan(0);
    expect(schemaErrors('pareto-front.schema.json', front)).toEqual([]);
  });

  it('an infeasible front (no solutions, with the reason) validates too', () => {
    const { document } = loadDocument(conformanceProblems[0]);
    if (document.kind !== 'ConfigurationProblem') throw new Error(`${conformanceProblems[0]} is a ${document.kind}`);
    const tooSoon = { ...document.value, triggered: document.value.triggered.map((t) => ({ ...t, deadline: t.start })) };
    const front: unknown = JSON.parse(JSON.stringify(solveConfigurationExact(tooSoon)));
    expect(isRecord(front) && front.solutions).toEqual([]);
    expect(isRecord(front) && typeof front.infeasible).toBe('string');
    expect(schemaErrors('pareto-front.schema.json', front)).toEqual([]);
  });
});

// ---- Broken documents: both the schema and the validator reject them, at the same place ----

type Key = string | number;

/** A deep copy of `document` with the value at `path` replaced (or removed, for `undefined`). */
function changed(document: unknown, path: readonly Key[], value: unknown): unknown {
  const copy: unknown = structuredClone(document);
  let node: unknown = copy;
  for (const key of path.slice(0, -1)) {
    node = Array.isArray(node) && typeof key === 'number' ? node[key] : isRecord(node) && typeof key === 'string' ? node[key] : undefined;
    if (node === undefined) throw new Error(`no ${path.join('.')} in the base document`);
  }
  const last = path[path.length - 1];
  if (Array.isArray(node) && typeof last === 'number') node[last] = value;
  else if (isRecord(node) && typeof last === 'string') {
    if (value === undefined) delete node[last];
    else node[last] = value;
  } else throw new Error(`cannot set ${path.join('.')}`);
  return copy;
}

const baseModel = {
  apiVersion: 'pss/v1',
  kind: 'PssModel',
  name: 'schema-test',
  timeUnit: 'h',
  interactionWeights: { spatial: 0.4, energy: 0.3, information: 0.2, material: 0.1 },
  partRank: { alpha: 1, tolerance: 1e-12, maxIterations: 1000 },
  parts: [
    { id: 'p.a', name: 'Part A', statuses: [{ key: 'wear', unit: '%' }] },
    { id: 'p.b', statuses: [] },
  ],
  partLinks: [{ from: 'p.a', to: 'p.b', types: ['spatial', 'energy'] }],
  resourceKinds: [{ id: 'kr.mech', category: 'personnel' }],
  resources: [
    { id: 'pr.1', kind: 'kr.mech', costRate: 50 },
    { id: 'pr.2', kind: 'kr.mech', costRate: 40 },
  ],
  triggers: [{ id: 'ss.1', monitors: ['p.a'], condition: 'p.a.wear > 30', window: { start: 0, deadline: 10 }, clear: 0 }],
  activities: [
    { id: 'sa.1', time: 1, cost: 10, reliability: 0.9, objects: ['p.a'], demands: [{ kind: 'kr.mech', qty: 1 }] },
    { id: 'sa.2', time: 2, cost: 20, reliability: 0.8, objects: ['p.b'], demands: [{ kind: 'kr.mech', qty: 1 }] },
    { id: 'sa.3', time: 1.5, cost: 30, reliability: 0.95, objects: ['p.b'], demands: [] },
    { id: 'sa.v', virtual: true },
  ],
  assignable: [
    { resource: 'pr.1', activity: 'sa.1', theta: 0.9 },
    { resource: 'pr.2', activity: 'sa.1', theta: 0.8 },
    { resource: 'pr.2', activity: 'sa.2', theta: 0.85 },
  ],
  flows: [{ trigger: 'ss.1', body: { seq: ['sa.1', { xor: ['sa.2', 'sa.3'] }] } }],
};

/** The same model with its flow in the graph form. */
const graphModel = changed(baseModel, ['flows', 0], {
  trigger: 'ss.1',
  edges: [['ss.1', 'sa.1'], ['sa.1', 'sa.2'], ['sa.1', 'sa.3'], ['sa.2', 'se'], ['sa.3', 'se']],
  split: { 'sa.1': 'xor' },
  join: { se: 'xor' },
});

const baseProblem = {
  apiVersion: 'pss/v1',
  kind: 'ConfigurationProblem',
  model: baseModel,
  at: 0,
  triggered: [{ asset: 'a1', trigger: 'ss.1', start: 0, deadline: 10 }],
  busy: [{ resource: 'pr.1', from: -1, to: 0.5, workOrder: 'WO-1' }],
  reliabilityObjective: 'mean',
};

const basePes = {
  apiVersion: 'pss/v1',
  kind: 'PesProblem',
  attributes: [
    { id: 'TA1', weight: 0.4 },
    { id: 'TA2', weight: 0.6 },
  ],
  modules: [
    {
      id: 'M1',
      mandatory: true,
      instances: [
        { id: 'M11', cost: 1, responseTime: 1, performance: 2 },
        { id: 'M12', cost: 2, responseTime: 0.5, correlations: [9, 3] },
      ],
    },
    { id: 'M2', mandatory: false, instances: [{ id: 'M21', cost: 1.5, responseTime: 2, performance: 1 }] },
  ],
  rules: [{ type: 'excludes', a: 'M11', b: 'M21' }],
  limits: { profitMargin: 0.25, maxPrice: 10, maxResponseTime: 5 },
  publishedSchemes: [{ id: 'S1', instances: ['M12', 'M21'], performance: 6.6, cost: 3.5, responseTime: 2.5 }],
};

interface Broken {
  name: string;
  base: unknown;
  path: readonly Key[];
  value: unknown;
  /** Where both must report it, as the validator writes paths. */
  at: string;
}

const schemaOf = (document: unknown): SchemaFile => SCHEMA_OF_KIND[kindOf(document)];

const broken: Broken[] = [
  // Flow bodies
  { name: 'xor with one branch', base: baseModel, path: ['flows', 0, 'body', 'seq', 1], value: { xor: ['sa.2'] }, at: 'flows[0].body.seq[1].xor' },
  { name: 'and with one branch', base: baseModel, path: ['flows', 0, 'body', 'seq', 1], value: { and: ['sa.2'] }, at: 'flows[0].body.seq[1].and' },
  { name: 'empty seq', base: baseModel, path: ['flows', 0, 'body'], value: { seq: [] }, at: 'flows[0].body.seq' },
  { name: 'body block with two keys', base: baseModel, path: ['flows', 0, 'body'], value: { seq: ['sa.1'], xor: ['sa.2', 'sa.3'] }, at: 'flows[0].body' },
  { name: 'body block with an unknown key', base: baseModel, path: ['flows', 0, 'body'], value: { par: ['sa.1', 'sa.2'] }, at: 'flows[0].body' },
  { name: 'body block whose branches are not a list', base: baseModel, path: ['flows', 0, 'body', 'seq', 1], value: { xor: 'sa.2' }, at: 'flows[0].body.seq[1].xor' },
  { name: 'body that is a number', base: baseModel, path: ['flows', 0, 'body', 'seq', 0], value: 7, at: 'flows[0].body.seq[0]' },
  { name: 'flow with both body and edges', base: baseModel, path: ['flows', 0, 'edges'], value: [['ss.1', 'sa.1'], ['sa.1', 'se']], at: 'flows[0]' },
  { name: 'flow with neither body nor edges', base: baseModel, path: ['flows', 0, 'body'], value: undefined, at: 'flows[0]' },
  { name: 'flow without a trigger', base: baseModel, path: ['flows', 0, 'trigger'], value: undefined, at: 'flows[0].trigger' },
  // Graph form
  { name: 'graph edge with a hand-entered weight', base: graphModel, path: ['flows', 0, 'edges', 0], value: ['ss.1', 'sa.1', 1], at: 'flows[0].edges[0]' },
  { name: 'graph edge with one node', base: graphModel, path: ['flows', 0, 'edges', 0], value: ['ss.1'], at: 'flows[0].edges[0]' },
  { name: 'graph split kind "or"', base: graphModel, path: ['flows', 0, 'split', 'sa.1'], value: 'or', at: 'flows[0].split.sa.1' },
  { name: 'graph join that is a list', base: graphModel, path: ['flows', 0, 'join'], value: ['xor'], at: 'flows[0].join' },
  // Activities, demands, assignable
  { name: 'qty 0', base: baseModel, path: ['activities', 0, 'demands', 0, 'qty'], value: 0, at: 'activities[0].demands[0].qty' },
  { name: 'qty not an integer', base: baseModel, path: ['activities', 0, 'demands', 0, 'qty'], value: 1.5, at: 'activities[0].demands[0].qty' },
  { name: 'theta 1.5', base: baseModel, path: ['assignable', 0, 'theta'], value: 1.5, at: 'assignable[0].theta' },
  { name: 'assignable without theta', base: baseModel, path: ['assignable', 0, 'theta'], value: undefined, at: 'assignable[0].theta' },
  { name: 'reliability above 1', base: baseModel, path: ['activities', 1, 'reliability'], value: 1.2, at: 'activities[1].reliability' },
  { name: 'negative time', base: baseModel, path: ['activities', 1, 'time'], value: -1, at: 'activities[1].time' },
  { name: 'time given as text', base: baseModel, path: ['activities', 1, 'time'], value: '2h', at: 'activities[1].time' },
  { name: 'infinite time (YAML .inf)', base: baseModel, path: ['activities', 1, 'time'], value: Infinity, at: 'activities[1].time' },
  { name: 'activity without cost', base: baseModel, path: ['activities', 1, 'cost'], value: undefined, at: 'activities[1].cost' },
  { name: 'virtual activity with a time', base: baseModel, path: ['activities', 3, 'time'], value: 1, at: 'activities[3].time' },
  { name: 'virtual activity with demands', base: baseModel, path: ['activities', 3, 'demands'], value: [{ kind: 'kr.mech', qty: 1 }], at: 'activities[3].demands' },
  { name: 'virtual that is not a boolean', base: baseModel, path: ['activities', 3, 'virtual'], value: 'yes', at: 'activities[3].virtual' },
  { name: 'activity with an empty id', base: baseModel, path: ['activities', 2, 'id'], value: ' ', at: 'activities[2].id' },
  // Triggers
  { name: 'missing window.deadline', base: baseModel, path: ['triggers', 0, 'window'], value: { start: 0 }, at: 'triggers[0].window.deadline' },
  { name: 'missing window', base: baseModel, path: ['triggers', 0, 'window'], value: undefined, at: 'triggers[0].window' },
  { name: 'negative window.start', base: baseModel, path: ['triggers', 0, 'window', 'start'], value: -1, at: 'triggers[0].window.start' },
  { name: 'negative clear', base: baseModel, path: ['triggers', 0, 'clear'], value: -5, at: 'triggers[0].clear' },
  { name: 'empty condition', base: baseModel, path: ['triggers', 0, 'condition'], value: '', at: 'triggers[0].condition' },
  // Product layer, resources, settings
  { name: 'interaction weight above 1', base: baseModel, path: ['interactionWeights'], value: { spatial: 1.5, energy: -0.5, information: 0, material: 0 }, at: 'interactionWeights.spatial' },
  { name: 'link without types or weight', base: baseModel, path: ['partLinks', 0, 'types'], value: undefined, at: 'partLinks[0]' },
  { name: 'link weight above 1', base: baseModel, path: ['partLinks', 0, 'weight'], value: 2, at: 'partLinks[0].weight' },
  { name: 'unknown interaction type', base: baseModel, path: ['partLinks', 0, 'types', 0], value: 'magnetic', at: 'partLinks[0].types[0]' },
  { name: 'interaction type listed twice', base: baseModel, path: ['partLinks', 0, 'types'], value: ['energy', 'energy'], at: 'partLinks[0].types' },
  { name: 'status key starting with a digit', base: baseModel, path: ['parts', 0, 'statuses', 0, 'key'], value: '1wear', at: 'parts[0].statuses[0].key' },
  { name: 'part info that is not an object', base: baseModel, path: ['parts', 0, 'info'], value: 'steel', at: 'parts[0].info' },
  { name: 'unknown resource category', base: baseModel, path: ['resourceKinds', 0, 'category'], value: 'robot', at: 'resourceKinds[0].category' },
  { name: 'negative costRate', base: baseModel, path: ['resources', 0, 'costRate'], value: -10, at: 'resources[0].costRate' },
  { name: 'partRank tolerance 0', base: baseModel, path: ['partRank', 'tolerance'], value: 0, at: 'partRank.tolerance' },
  { name: 'partRank maxIterations not an integer', base: baseModel, path: ['partRank', 'maxIterations'], value: 10.5, at: 'partRank.maxIterations' },
  { name: 'apiVersion pss/v2', base: baseModel, path: ['apiVersion'], value: 'pss/v2', at: 'apiVersion' },
  { name: 'model without parts', base: baseModel, path: ['parts'], value: undefined, at: 'parts' },
  { name: 'model whose flows are not a list', base: baseModel, path: ['flows'], value: { trigger: 'ss.1', body: 'sa.1' }, at: 'flows' },
  // ConfigurationProblem
  { name: 'unknown reliabilityObjective', base: baseProblem, path: ['reliabilityObjective'], value: 'worst-case', at: 'reliabilityObjective' },
  { name: 'problem without a model', base: baseProblem, path: ['model'], value: undefined, at: 'model' },
  { name: 'problem whose model is a number', base: baseProblem, path: ['model'], value: 3, at: 'model' },
  { name: 'inline model with qty 0', base: baseProblem, path: ['model', 'activities', 0, 'demands', 0, 'qty'], value: 0, at: 'model.activities[0].demands[0].qty' },
  { name: 'inline model with an xor of one branch', base: baseProblem, path: ['model', 'flows', 0, 'body', 'seq', 1], value: { xor: ['sa.3'] }, at: 'model.flows[0].body.seq[1].xor' },
  { name: 'triggered row without asset', base: baseProblem, path: ['triggered', 0, 'asset'], value: undefined, at: 'triggered[0].asset' },
  { name: 'negative deadline', base: baseProblem, path: ['triggered', 0, 'deadline'], value: -1, at: 'triggered[0].deadline' },
  { name: 'negative trigger time', base: baseProblem, path: ['at'], value: -2, at: 'at' },
  { name: 'problem without triggered', base: baseProblem, path: ['triggered'], value: undefined, at: 'triggered' },
  { name: 'busy interval without to', base: baseProblem, path: ['busy', 0, 'to'], value: undefined, at: 'busy[0].to' },
  // PesProblem
  { name: 'rule with a bad type', base: basePes, path: ['rules', 0, 'type'], value: 'forbids', at: 'rules[0].type' },
  { name: 'rule without b', base: basePes, path: ['rules', 0, 'b'], value: undefined, at: 'rules[0].b' },
  { name: 'correlations value 2', base: basePes, path: ['modules', 0, 'instances', 1, 'correlations'], value: [2, 3], at: 'modules[0].instances[1].correlations[0]' },
  { name: 'instance with performance and correlations', base: basePes, path: ['modules', 0, 'instances', 1, 'performance'], value: 4, at: 'modules[0].instances[1]' },
  { name: 'instance with neither performance nor correlations', base: basePes, path: ['modules', 0, 'instances', 0, 'performance'], value: undefined, at: 'modules[0].instances[0].performance' },
  { name: 'negative instance cost', base: basePes, path: ['modules', 0, 'instances', 0, 'cost'], value: -1, at: 'modules[0].instances[0].cost' },
  { name: 'module without instances', base: basePes, path: ['modules', 1, 'instances'], value: [], at: 'modules[1].instances' },
  { name: 'mandatory given as text', base: basePes, path: ['modules', 1, 'mandatory'], value: 'no', at: 'modules[1].mandatory' },
  { name: 'attribute weight 0', base: basePes, path: ['attributes', 0, 'weight'], value: 0, at: 'attributes[0].weight' },
  { name: 'negative profitMargin', base: basePes, path: ['limits', 'profitMargin'], value: -0.1, at: 'limits.profitMargin' },
  { name: 'negative maxResponseTime', base: basePes, path: ['limits', 'maxResponseTime'], value: -3, at: 'limits.maxResponseTime' },
  { name: 'published scheme without cost', base: basePes, path: ['publishedSchemes', 0, 'cost'], value: undefined, at: 'publishedSchemes[0].cost' },
  { name: 'PES problem without modules', base: basePes, path: ['modules'], value: undefined, at: 'modules' },
];

describe('broken documents are rejected by both the schema and the validator', () => {
  it.each([
    ['the base model', baseModel],
    ['the base model in the graph form', graphModel],
    ['the base ConfigurationProblem (inline model)', baseProblem],
    ['the base PesProblem', basePes],
  ])('%s is accepted by both (so each broken case fails for its one change)', (_name, document) => {
    expect(schemaErrors(schemaOf(document), document)).toEqual([]);
    const read = readPssDocument(document);
    expect(read.ok ? [] : read.issues).toEqual([]);
  });

  it('has at least 10 cases', () => {
    expect(broken.length).toBeGreaterThanOrEqual(10);
    expect(new Set(broken.map((b) => b.name)).size).toBe(broken.length);
  });

  it.each(broken.map((b) => [b.name, b]))('%s', (_name, b) => {
    const document = changed(b.base, b.path, b.value);
    const fromSchema = schemaErrors(schemaOf(document), document);
    const read = readPssDocument(document);
    const fromValidator = read.ok ? [] : read.issues.map((i) => `${i.path || '(document)'}: ${i.message}`);
    expect(fromSchema.length).toBeGreaterThan(0);
    expect(fromValidator.length).toBeGreaterThan(0);
    // Both name the place that was broken.
    expect({ at: b.at, schema: fromSchema.some((e) => isAtOrBelow(e.split(': ')[0], b.at)) }).toEqual({ at: b.at, schema: true });
    expect({ at: b.at, validator: read.ok || read.issues.some((i) => isAtOrBelow(i.path, b.at)) }).toEqual({ at: b.at, validator: true });
  });
});

/** Every path in a document, parents before children. */
function leafPaths(value: unknown, path: Key[] = []): Key[][] {
  const below = Array.isArray(value)
    ? value.flatMap((item, i) => leafPaths(item, [...path, i]))
    : isRecord(value)
      ? Object.entries(value).flatMap(([key, item]) => leafPaths(item, [...path, key]))
      : [];
  return path.length ? [path, ...below] : below;
}

describe('the schema accepts whatever the validator accepts (one field changed at a time)', () => {
  const probes: unknown[] = [undefined, -1, 0, 0.5, 1, 1.5, 10, '', ' ', 'x', 'sa.1', 'p.a', 'xor', true, null, [], ['sa.1'], {}, { seq: ['sa.1'] }];
  /**
   * Where the schema is stricter on purpose: the validator silently ignores a name, unit or timeUnit
   * that is not a string, and does not look at a problem's apiVersion at all.
   */
  const deliberatelyStricter = (kind: string, path: readonly Key[]) =>
    ['name', 'unit', 'timeUnit'].includes(String(path[path.length - 1])) || (kind !== 'PssModel' && path.length === 1 && path[0] === 'apiVersion');

  it.each([
    ['model', baseModel],
    ['graph-form model', graphModel],
    ['ConfigurationProblem', baseProblem],
    ['PesProblem', basePes],
  ])('%s', (_name, base) => {
    const disagreements: string[] = [];
    for (const path of leafPaths(base)) {
      for (const value of probes) {
        const document = changed(base, path, value);
        if (!readPssDocument(document).ok || deliberatelyStricter(kindOf(document), path)) continue;
        const errors = schemaErrors(schemaOf(document), document);
        if (errors.length) disagreements.push(`${path.join('.')} = ${JSON.stringify(value)}: ${errors[0]}`);
      }
    }
    expect(disagreements).toEqual([]);
  });
});

describe('broken answers are rejected by the ParetoFront schema', () => {
  const good = {
    kind: 'ParetoFront',
    problem: 'PesProblem',
    objectives: ['performance', 'cost', 'responseTime'],
    solutions: [{ objectives: { performance: 3, cost: 2, responseTime: 1 }, instances: ['M11', 'M21'] }],
    infeasible: null,
    stats: { algorithm: 'exact', evaluations: 4, wallMs: 1, exact: true },
  };
  const cases: [string, readonly Key[], unknown][] = [
    ['configuration objectives on a PES front', ['objectives'], ['time', 'cost', 'reliability']],
    ['a PES solution without instances', ['solutions', 0, 'instances'], undefined],
    ['an occurrence-style solution on a PES front', ['solutions', 0], { objectives: { time: 1, cost: 1, reliability: 1 }, occurrences: [] }],
    ['infeasible that is not text or null', ['infeasible'], false],
    ['stats without algorithm', ['stats', 'algorithm'], undefined],
    ['unknown problem kind', ['problem'], 'RoutingProblem'],
  ];

  it('accepts the good front', () => {
    expect(schemaErrors('pareto-front.schema.json', good)).toEqual([]);
  });

  it.each(cases)('%s', (_name, path, value) => {
    expect(schemaErrors('pareto-front.schema.json', changed(good, path, value)).length).toBeGreaterThan(0);
  });

  it('rejects a configuration front with reliability above 1 or a resource listed twice', () => {
    const front = {
      kind: 'ParetoFront',
      problem: 'ConfigurationProblem',
      objectives: ['time', 'cost', 'reliability'],
      solutions: [{ objectives: { time: 1, cost: 60, reliability: 0.9 }, occurrences: [{ asset: 'a1', trigger: 'ss.1', activity: 'sa.1', start: 0, end: 1, resources: ['pr.1'] }] }],
      infeasible: null,
      stats: { algorithm: 'exact', evaluations: 1, wallMs: 0 },
    };
    expect(schemaErrors('pareto-front.schema.json', front)).toEqual([]);
    expect(schemaErrors('pareto-front.schema.json', changed(front, ['solutions', 0, 'objectives', 'reliability'], 1.1)).length).toBeGreaterThan(0);
    expect(schemaErrors('pareto-front.schema.json', changed(front, ['solutions', 0, 'occurrences', 0, 'resources'], ['pr.1', 'pr.1'])).length).toBeGreaterThan(0);
  });
});
