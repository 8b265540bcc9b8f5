import { isDeepStrictEqual } from 'node:util';

/** A value as JSON carries it (`undefined` as null). */
export function asJson(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

/**
 * Whether two values are equal as JSON carries them (`asJson`), key order aside. Plain data (null,
 * booleans, finite numbers, strings, arrays, plain objects) is compared where it lies, without
 * serialising it: a segment's explanation is compared at every re-score, and the round trip through
 * JSON took more of the risk service's time than the risk model. Anything else met on the way (a
 * Date, a value with `toJSON`, a non-finite number, a function) sends both through JSON itself. For
 * values JSON cannot carry (a BigInt, a cycle) the answer is false or JSON's error.
 */
export function sameAsJson(a: unknown, b: unknown): boolean {
  return compare(a === undefined ? null : a, b === undefined ? null : b) ?? isDeepStrictEqual(asJson(a), asJson(b));
}

/**
 * true or false when JSON would carry both as compared so far; undefined when something that is not
 * plain data was met. A difference found where every enclosing value is plain stands whatever the
 * rest holds: JSON carries plain data as itself.
 */
function compare(a: unknown, b: unknown): boolean | undefined {
  if (!isPlain(a) || !isPlain(b)) return undefined;
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
      // In an array JSON carries undefined (and a hole) as null.
      const same = compare(a[i] === undefined ? null : a[i], b[i] === undefined ? null : b[i]);
      if (same !== true) return same;
    }
    return true;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  // In an object JSON leaves out a key whose value is undefined.
  let kept = 0;
  for (const key of Object.keys(x)) {
    if (x[key] === undefined) continue;
    kept++;
    if (y[key] === undefined || !Object.prototype.hasOwnProperty.call(y, key)) return isPlain(x[key]) ? false : undefined;
    const same = compare(x[key], y[key]);
    if (same !== true) return same;
  }
  let keptOther = 0;
  for (const key of Object.keys(y)) {
    if (y[key] === undefined) continue;
    if (!isPlain(y[key])) return undefined;
    keptOther++;
  }
  return kept === keptOther;
}

/** A value JSON carries as itself: a string, a boolean, a finite number, null, an array or a plain object (its parts aside). */
function isPlain(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      const proto = Object.getPrototypeOf(value);
      const ordinary = Array.isArray(value) ? proto === Array.prototype : proto === Object.prototype || proto === null;
      return ordinary && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
    }
    default:
      return false;
  }
}
