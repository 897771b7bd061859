import { BadRequestError } from './errors.js';

const BRAND = Symbol.for('@custom-metrics/core/SelectorParseError');

/**
 * SelectorParseError is thrown by {@link parseSelector} (and the selector constructors) for a label
 * selector that apimachinery's `labels.Parse` would reject. `message` is apimachinery's error text,
 * byte for byte, so it can be returned to clients unchanged (contract §6.3). It is a
 * {@link BadRequestError}: rendered, it is the 400 Status of `status-badrequest-selector.json`.
 */
export class SelectorParseError extends BadRequestError {
  /** The selector text that failed to parse, when known. */
  readonly selector: string | undefined;

  constructor(message: string, selector?: string) {
    super(message);
    this.name = 'SelectorParseError';
    this.selector = selector;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** Brand check for {@link SelectorParseError} that also works across copies of this package. */
export function isSelectorParseError(e: unknown): e is SelectorParseError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[BRAND] === true;
}
