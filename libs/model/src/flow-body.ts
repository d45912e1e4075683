// Block-structured flow bodies (MODEL.md 1.1): reading, the alt() definition, canonical form.
import { FlowBody } from './types';
import { DocReader } from './read';
import { describe, isRecord, joinPath } from './issues';

export type BlockKind = 'seq' | 'and' | 'xor';
export const BLOCK_KINDS: readonly BlockKind[] = ['seq', 'and', 'xor'];

export function blockOf(body: FlowBody): { kind: BlockKind; children: FlowBody[] } | undefined {
  if (typeof body === 'string') return undefined;
  if ('seq' in body) return { kind: 'seq', children: body.seq };
  if ('and' in body) return { kind: 'and', children: body.and };
  return { kind: 'xor', children: body.xor };
}

export function makeBlock(kind: BlockKind, children: FlowBody[]): FlowBody {
  if (kind === 'seq') return { seq: children };
  if (kind === 'and') return { and: children };
  return { xor: children };
}

/** Every activity id of a body, in document order (with repeats, so callers can detect them). */
export function bodyActivities(body: FlowBody): string[] {
  const block = blockOf(body);
  if (!block) return [body as string];
  return block.children.flatMap(bodyActivities);
}

/**
 * Reads an untyped body, reporting shape errors at their path. `activityIds` are the ids the
 * model defines; unknown references are reported too.
 */
export function readFlowBody(value: unknown, path: string, reader: DocReader, activityIds: ReadonlySet<string>): FlowBody | undefined {
  if (typeof value === 'string') {
    if (!activityIds.has(value)) reader.issues.add(path, `unknown activity "${value}"`);
    return value;
  }
  if (!isRecord(value)) {
    reader.issues.add(path, `must be an activity id or one of {seq|and|xor: [...]}, got ${describe(value)}`);
    return undefined;
  }
  const keys = Object.keys(value);
  if (keys.length !== 1 || !BLOCK_KINDS.includes(keys[0] as BlockKind)) {
    reader.issues.add(path, `a block has exactly one key, seq, and or xor; got ${keys.length ? keys.join(', ') : 'none'}`);
    return undefined;
  }
  const kind = keys[0] as BlockKind;
  const at = joinPath(path, kind);
  const items = value[kind];
  if (!Array.isArray(items)) {
    reader.issues.add(at, `must be a list, got ${describe(items)}`);
    return undefined;
  }
  if (kind === 'seq' && items.length === 0) reader.issues.add(at, 'is empty');
  if (kind !== 'seq' && items.length < 2) reader.issues.add(at, `needs at least 2 branches, got ${items.length}`);
  const children = items.map((item, i) => readFlowBody(item, joinPath(at, i), reader, activityIds));
  if (children.some((c) => c === undefined)) return undefined;
  return makeBlock(kind, children as FlowBody[]);
}

/**
 * alt() of MODEL.md 1.1, straight from its definition: the activity sets that one complete path
 * through the body selects. Each set is returned sorted; the list has no duplicates.
 */
export function alternatives(body: FlowBody): string[][] {
  const block = blockOf(body);
  if (!block) return [[body as string]];
  const childAlts = block.children.map(alternatives);
  const sets: string[][] =
    block.kind === 'xor'
      ? childAlts.flat()
      : childAlts.reduce<string[][]>((acc, alts) => acc.flatMap((left) => alts.map((right) => [...left, ...right])), [[]]);
  return dedupeSets(sets);
}

/** The number of alternatives without listing them (for sizing a search space). */
export function countAlternatives(body: FlowBody): number {
  const block = blockOf(body);
  if (!block) return 1;
  const counts = block.children.map(countAlternatives);
  return block.kind === 'xor' ? counts.reduce((a, b) => a + b, 0) : counts.reduce((a, b) => a * b, 1);
}

export function dedupeSets(sets: string[][]): string[][] {
  const seen = new Map<string, string[]>();
  for (const set of sets) {
    const sorted = [...new Set(set)].sort();
    seen.set(sorted.join('\u0000'), sorted);
  }
  return [...seen.values()];
}

/**
 * Canonical form: nested seq flattened into its parent seq, one-element seq unwrapped. The graph
 * round trip (body -> service-layer graph -> body) yields exactly this form.
 */
export function canonicalBody(body: FlowBody): FlowBody {
  const block = blockOf(body);
  if (!block) return body;
  const children = block.children.map(canonicalBody);
  if (block.kind !== 'seq') return makeBlock(block.kind, children);
  const flat = children.flatMap((c) => {
    const inner = blockOf(c);
    return inner?.kind === 'seq' ? inner.children : [c];
  });
  return flat.length === 1 ? flat[0] : { seq: flat };
}

export function formatBody(body: FlowBody): string {
  const block = blockOf(body);
  if (!block) return body as string;
  const sep = block.kind === 'seq' ? ' → ' : block.kind === 'and' ? ' ∥ ' : ' | ';
  const inner = block.children.map(formatBody).join(sep);
  return block.kind === 'seq' ? `(${inner})` : `${block.kind}(${inner})`;
}
