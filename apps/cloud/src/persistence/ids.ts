// Batch, run and API key ids are uuids: an id from outside (a URL, a message) that is not one cannot name a row,
// and is answered as "not found" instead of reaching PostgreSQL as a type error.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}
