import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// The wire-contract fixtures live in shared/contract/, beside the repository (as in CI); core's
// contract test reads the same folder, so there is one copy of the contract.
const dir = fileURLToPath(new URL('../../../../../shared/contract/', import.meta.url));

/** The exact bytes of a contract fixture (`shared/contract/<name>`). */
export function fixture(name: string): string {
  return readFileSync(`${dir}${name}`, 'utf8');
}
