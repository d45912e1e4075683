// The small JSON path subset MQTT bindings use to find a value in a message:
//
//   $                 the whole message
//   .key              a member whose name is letters, digits, `_`, `$` or `-`
//   ['any key']       a member by any name (`p.axle.wear`, spaces); `\'` and `\\` escape inside
//   ["any key"]       the same with double quotes (`\"` and `\\` escape)
//   [3]               an array element by index
//
// Compiled once (at configuration time), read per message. Everything else JSONPath offers (wildcards,
// recursive descent, filters, slices) is refused with the position, so a configuration never silently reads less.

/** One step: a member name or an array index. */
export type JsonPathSegment = string | number;

export interface CompiledJsonPath {
  /** The path as written, for messages. */
  readonly source: string;
  readonly segments: readonly JsonPathSegment[];
}

/** A path outside the supported subset; `position` is the 0-based offset of the offending character. */
export class JsonPathError extends Error {
  constructor(
    readonly path: string,
    readonly position: number,
    readonly reason: string,
  ) {
    super(`JSON path ${JSON.stringify(path)} at position ${position}: ${reason} (supported: $, .key, ['key'], ["key"], [index])`);
    this.name = 'JsonPathError';
  }
}

const IDENT_CHAR = /[\p{L}\p{N}_$-]/u;

/** Parses a path of the supported subset, or throws JsonPathError naming the position. */
export function compileJsonPath(path: string): CompiledJsonPath {
  const fail = (position: number, reason: string): never => {
    throw new JsonPathError(path, position, reason);
  };
  if (path.length === 0) fail(0, 'the path is empty');
  if (path[0] !== '$') fail(0, `a path starts with "$", found ${JSON.stringify(path[0])}`);
  const segments: JsonPathSegment[] = [];
  let i = 1;
  while (i < path.length) {
    const c = path[i];
    if (c === '.') {
      if (path[i + 1] === '.') fail(i, 'recursive descent ("..") is not supported');
      const start = i + 1;
      let end = start;
      while (end < path.length && IDENT_CHAR.test(path[end])) end++;
      if (end === start) {
        const next = path[start];
        fail(start, next === undefined ? 'a member name is missing after "."' : next === '*' ? 'wildcards are not supported' : `${JSON.stringify(next)} cannot start a member name after "." (use ['...'] for any name)`);
      }
      segments.push(path.slice(start, end));
      i = end;
    } else if (c === '[') {
      const q = path[i + 1];
      if (q === "'" || q === '"') {
        let name = '';
        let j = i + 2;
        for (;;) {
          if (j >= path.length) fail(i + 1, `the quoted name is not closed with ${q}`);
          const ch = path[j];
          if (ch === '\\') {
            const escaped = path[j + 1];
            if (escaped !== q && escaped !== '\\') fail(j, `unsupported escape "\\${escaped ?? ''}" (only \\${q} and \\\\)`);
            name += escaped;
            j += 2;
          } else if (ch === q) {
            break;
          } else {
            name += ch;
            j++;
          }
        }
        if (path[j + 1] !== ']') fail(j + 1, `expected "]" after the quoted name`);
        segments.push(name);
        i = j + 2;
      } else {
        let j = i + 1;
        while (j < path.length && path[j] >= '0' && path[j] <= '9') j++;
        if (j === i + 1) {
          const next = path[i + 1];
          fail(i + 1, next === '*' ? 'wildcards are not supported' : next === '?' ? 'filters are not supported' : next === '-' ? 'negative indexes are not supported' : `expected an index or a quoted name after "["`);
        }
        if (path[j] === ':') fail(j, 'slices are not supported');
        if (path[j] !== ']') fail(j, `expected "]" after the index`);
        const index = Number(path.slice(i + 1, j));
        if (!Number.isSafeInteger(index)) fail(i + 1, 'the index is too large');
        segments.push(index);
        i = j + 1;
      }
    } else {
      fail(i, `unexpected ${JSON.stringify(c)} (a step starts with "." or "[")`);
    }
  }
  return { source: path, segments };
}

/** The value at the path, or undefined when a step finds nothing (JSON itself has no undefined). */
export function readJsonPath(path: CompiledJsonPath, root: unknown): unknown {
  let at: unknown = root;
  for (const segment of path.segments) {
    if (typeof segment === 'number') {
      if (!Array.isArray(at) || segment >= at.length) return undefined;
      at = at[segment];
    } else {
      // Own members only: a message must not reach Object.prototype through "constructor" or "__proto__".
      if (typeof at !== 'object' || at === null || Array.isArray(at) || !Object.prototype.hasOwnProperty.call(at, segment)) return undefined;
      at = (at as Record<string, unknown>)[segment];
    }
  }
  return at;
}

/** "a string (\"NaN\")", "a boolean (true)", "an object", ... for reject details. */
export function describeJsonValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return `a string (${JSON.stringify(value.length > 32 ? `${value.slice(0, 32)}…` : value)})`;
    case 'boolean':
      return `a boolean (${value})`;
    case 'number':
      return `a number (${value})`;
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}
