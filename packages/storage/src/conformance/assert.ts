/**
 * The conformance checks' assertions: plain functions that throw a {@link CheckFailure}, so the
 * checks run under vitest and in a bare browser page alike.
 */
import { isStoreError, type StoreErrorCode } from '../errors.js';

/** A failed expectation in a conformance check. */
export class CheckFailure extends Error {
  override readonly name = 'CheckFailure';
}

function show(value: unknown): string {
  if (value instanceof Uint8Array) {
    const head = [...value.subarray(0, 16)].join(',');
    return `Uint8Array(${value.length})[${head}${value.length > 16 ? ',…' : ''}]`;
  }
  if (value instanceof Map) return `Map{${[...value].map(([k, v]) => `${show(k)}→${show(v)}`).join(', ')}}`;
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.entries(value)
      .map(([k, v]) => `${k}: ${show(v)}`)
      .join(', ')}}`;
  }
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** Structural equality over primitives, `Uint8Array`s (by content), `Map`s, arrays and plain objects. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (a instanceof Map || b instanceof Map) {
    if (!(a instanceof Map && b instanceof Map) || a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !deepEqual(v, b.get(k))) return false;
    return true;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!(Array.isArray(a) && Array.isArray(b)) || a.length !== b.length) return false;
    return a.every((v, i) => deepEqual(v, b[i]));
  }
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) {
    const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
    const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}

/** Throws unless `actual` deep-equals `expected`. */
export function equal(actual: unknown, expected: unknown, what: string): void {
  if (!deepEqual(actual, expected)) {
    throw new CheckFailure(`${what}: expected ${show(expected)}, got ${show(actual)}`);
  }
}

/** Throws unless `condition` holds. */
export function ok(condition: boolean, what: string): void {
  if (!condition) throw new CheckFailure(what);
}

function checkCode(error: unknown, code: StoreErrorCode, what: string, pattern?: RegExp): void {
  if (!isStoreError(error))
    throw new CheckFailure(`${what}: expected a StoreError ${code}, got ${show(error)}`);
  if (error.code !== code)
    throw new CheckFailure(`${what}: expected code ${code}, got ${error.code} (${error.message})`);
  if (pattern !== undefined && !pattern.test(error.message)) {
    throw new CheckFailure(`${what}: the message "${error.message}" does not match ${pattern}`);
  }
}

/** Throws unless `fn()` throws a `StoreError` with `code` synchronously (and a message matching `pattern`). */
export function throwsCode(fn: () => unknown, code: StoreErrorCode, what: string, pattern?: RegExp): void {
  try {
    fn();
  } catch (e) {
    checkCode(e, code, what, pattern);
    return;
  }
  throw new CheckFailure(`${what}: expected a StoreError ${code}, nothing was thrown`);
}

/** Resolves unless `promise` fulfils or rejects with anything but a `StoreError` with `code`. */
export async function rejectsCode(
  promise: Promise<unknown>,
  code: StoreErrorCode,
  what: string,
  pattern?: RegExp,
): Promise<void> {
  try {
    await promise;
  } catch (e) {
    checkCode(e, code, what, pattern);
    return;
  }
  throw new CheckFailure(`${what}: expected a rejection with ${code}, it resolved`);
}
