import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// A copy of the wire-contract fixtures (shared/contract/), so the tests run from any clone.
const dir = fileURLToPath(new URL('../fixtures/contract/', import.meta.url));

/** The exact bytes of a contract fixture (`test/fixtures/contract/<name>`). */
export function fixture(name: string): string {
  return readFileSync(`${dir}${name}`, 'utf8');
}
