// MQTT topic names and filters (MQTT 3.1.1 section 4.7): `+` matches one level, `#` the rest (including the parent
// level), and neither matches a first level starting with `$` (`$SYS/...`). Used for device ACLs and to check the
// filters a source subscribes to.

/** Why a topic filter is invalid, or undefined when it is valid. */
export function topicFilterProblem(filter: string): string | undefined {
  if (filter.length === 0) return 'a topic filter is empty';
  if (filter.includes('\u0000')) return `topic filter ${JSON.stringify(filter)} contains a NUL character`;
  const levels = filter.split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i];
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) return `topic filter ${JSON.stringify(filter)}: "#" must be a whole level and the last one`;
    if (level.includes('+') && level !== '+') return `topic filter ${JSON.stringify(filter)}: "+" must be a whole level`;
  }
  return undefined;
}

/** Why a topic name (of a PUBLISH) is invalid, or undefined when it is valid. */
export function topicNameProblem(topic: string): string | undefined {
  if (topic.length === 0) return 'a topic is empty';
  if (topic.includes('+') || topic.includes('#') || topic.includes('\u0000')) return `topic ${JSON.stringify(topic)} contains a wildcard or NUL character`;
  return undefined;
}

/** A shared subscription `$share/{group}/{filter}` stands for its filter. */
export function stripSharedPrefix(filter: string): string {
  if (!filter.startsWith('$share/')) return filter;
  const slash = filter.indexOf('/', '$share/'.length);
  return slash < 0 ? filter : filter.slice(slash + 1);
}

/**
 * Whether every topic `requested` can match is also matched by `allowed` (both valid filters). A topic name is a
 * filter without wildcards, so this is also "does the filter match the topic". `a/#` covers `a`, `a/+` and `a/b/#`;
 * `a/+` covers `a/b` and `a/+` but not `a/#`.
 */
export function filterCovers(allowed: string, requested: string): boolean {
  const a = allowed.split('/');
  const r = requested.split('/');
  if (r[0].startsWith('$') && (a[0] === '+' || a[0] === '#')) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '#') return true;
    if (i >= r.length) return false;
    if (r[i] === '#') return false;
    if (a[i] === '+') continue;
    if (r[i] === '+' || a[i] !== r[i]) return false;
  }
  return a.length === r.length;
}
