// Ids of stored documents (models, problems) and assets as the API accepts them.
import { hasControlCharacter } from '@pss/protocol';

/** Model and problem ids: they appear in URLs and in the assets table, so a safe, readable alphabet. */
export const DOCUMENT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
export const DOCUMENT_ID_TEXT = '1 to 128 letters, digits, ".", "_" or "-", starting with a letter or digit';

export function checkDocumentId(id: string): string | undefined {
  return DOCUMENT_ID.test(id) ? undefined : `must be ${DOCUMENT_ID_TEXT}, got ${JSON.stringify(id.length > 140 ? id.slice(0, 140) + '…' : id)}`;
}

/** An id from a document's name when the client gave none: "Elevator fleet (2026)" → "elevator-fleet-2026". */
export function idFromName(name: string): string {
  const slug = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-._]+|[-._]+$/g, '')
    .slice(0, 128);
  return slug === '' ? 'model' : slug;
}

/** Asset ids travel in protocol messages: the protocol's entity id rule (1 to 128 characters, no control characters, no surrounding white space). */
export function checkAssetId(id: string): string | undefined {
  if (id.length === 0 || id.length > 128) return `must be 1 to 128 characters, got ${id.length}`;
  if (id.trim() !== id) return 'must not start or end with white space';
  if (hasControlCharacter(id)) return 'must not contain control characters';
  return undefined;
}

/** A reference to a stored model: "id" (the newest version) or "id@version". */
export interface DocumentReference {
  id: string;
  version?: number;
}

export function parseReference(text: string): DocumentReference | string {
  const at = text.lastIndexOf('@');
  const id = at < 0 ? text : text.slice(0, at);
  const problem = checkDocumentId(id);
  if (problem) return `the model id ${problem}`;
  if (at < 0) return { id };
  const version = text.slice(at + 1);
  if (!/^[1-9]\d{0,8}$/.test(version)) return `the version after "@" must be a positive integer, got ${JSON.stringify(version)}`;
  return { id, version: Number(version) };
}
