import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// The wire-contract fixtures are kept in core's tests (packages/core/test/contract/); core's
// contract test reads the same folder, so there is one copy of the contract.
const dir = fileURLToPath(new URL('../../../core/test/contract/', import.meta.url));

/** The exact bytes of a contract fixture (`packages/core/test/contract/<name>`). */
export function fixture(name: string): string {
  return readFileSync(`${dir}${name}`, 'utf8');
}
