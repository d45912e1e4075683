// The passenger-car model, loaded once per test file.
import { join } from 'path';
import { loadDocument } from '@pss/documents';
import { PssModel } from '@pss/model';

export const CAR_MODEL_FILE = join(__dirname, '../../../examples/passenger-car.model.yaml');

let cached: PssModel | undefined;

export function carModel(): PssModel {
  if (cached) return cached;
  const { document } = loadDocument(CAR_MODEL_FILE);
  if (document.kind !== 'PssModel') throw new Error(`${CAR_MODEL_FILE} is a ${document.kind}, not a PssModel`);
  cached = document.value;
  return cached;
}
