// The service's version: the repository's package.json (the apps run unbuilt, from the checkout).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', '..', 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    // A build that moved the file: the version is a label, not worth failing the start for.
    return 'unknown';
  }
}

export const SERVICE_VERSION = readVersion();
