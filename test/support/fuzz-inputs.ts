import fc from 'fast-check';

/**
 * Generators of what careless and hostile clients send: text with NUL, control characters, lone
 * surrogates and markup, huge and deeply nested values, and values shaped by a JSON Schema (the
 * published OpenAPI and AsyncAPI documents) then broken one field at a time.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = Record<string, unknown>;

const NASTY = [
  '\u0000',
  '\u0001',
  '\u0007',
  '\b',
  '\t',
  '\n',
  '\r',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u00a0',
  '\u2028',
  '\u202e',
  '\ufeff',
  '\uffff',
  '\ud800',
  '\udfff',
  '\ud83d\ude00',
  'e\u0301',
  '"',
  '\\',
  "'",
  '<b onmouseover=x>',
  '<script>alert(1)</script>',
  '&amp;',
  '%',
  '%00',
  '/',
  '..',
  '${x}',
  '{{x}}',
  "' OR 1=1--",
  '; DROP TABLE task;--',
  '\u0000\u0000',
] as const;

/** Any UTF-16 code unit, lone surrogates included. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));

/** Short hostile text: control characters, NUL, lone surrogates, markup, injection attempts. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.array(fc.oneof(fc.constantFrom(...NASTY), fc.string({ maxLength: 3 })), { minLength: 1, maxLength: 6 }).map((parts) => parts.join('')) },
  { weight: 2, arbitrary: fc.string({ unit: codeUnit, maxLength: 24 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', 'null', 'undefined', 'NaN', '-1', '0', '1e309', '9'.repeat(40), 'true', '[]', '{}') },
);

/** Text past every length limit (2,000 characters for descriptions; kilobytes to a megabyte). */
export const longString: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(2_001, 10_000, 300_000), fc.constantFrom('x', '\u0000', 'é', '\ud83d\ude00'))
  .map(([n, c]) => c.repeat(Math.ceil(n / c.length)));

/** JSON text nested `depth` levels deep, as arrays or objects. */
export function deepJson(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

export const deepJsonText: fc.Arbitrary<string> = fc.tuple(fc.constantFrom(64, 1_000, 20_000, 100_000), fc.constantFrom('array' as const, 'object' as const)).map(([d, k]) => deepJson(d, k));

/** Arbitrary JSON values, modest in size. */
export const anyJson: fc.Arbitrary<Json> = fc.jsonValue({ maxDepth: 4 }) as fc.Arbitrary<Json>;

const RECENT_MS = 6 * 3600_000;

/** A value that fits a JSON Schema (OpenAPI 3.1 / draft-07 shapes zod writes), biased to plausible values. */
export function fromSchema(schema: Schema | undefined, depth = 0): fc.Arbitrary<Json> {
  if (!schema || depth > 6) return anyJson;
  if (Array.isArray(schema.enum) && schema.enum.length) return fc.constantFrom(...(schema.enum as Json[]));
  if ('const' in schema) return fc.constant(schema.const as Json);
  const union = (schema.oneOf ?? schema.anyOf) as Schema[] | undefined;
  if (union?.length) return fc.oneof(...union.map((s) => fromSchema(s, depth + 1)));
  if (Array.isArray(schema.allOf) && schema.allOf.length) return fromSchema(schema.allOf[0] as Schema, depth + 1);
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : schema.type ? [schema.type as string] : [];
  if (types.length > 1) return fc.oneof(...types.map((t) => fromSchema({ ...schema, type: t }, depth + 1)));
  const nullable = schema.nullable === true;
  const base = ((): fc.Arbitrary<Json> => {
    switch (types[0]) {
      case 'null':
        return fc.constant(null);
      case 'boolean':
        return fc.boolean();
      case 'integer':
        return fc.integer({ min: bound(schema.minimum, -1e6), max: bound(schema.maximum, 1e6) });
      case 'number': {
        const min = bound(schema.minimum, -1e6);
        const max = bound(schema.maximum, 1e6);
        return fc.oneof(fc.double({ min, max, noNaN: true, noDefaultInfinity: true }), fc.integer({ min: Math.ceil(min), max: Math.floor(max) }));
      }
      case 'string':
        return stringFor(schema);
      case 'array': {
        const items = schema.prefixItems ?? schema.items;
        if (Array.isArray(items)) return fc.tuple(...(items as Schema[]).map((s) => fromSchema(s, depth + 1))) as fc.Arbitrary<Json>;
        return fc.array(fromSchema(items as Schema | undefined, depth + 1), {
          minLength: bound(schema.minItems, 0),
          maxLength: Math.min(bound(schema.maxItems, 4), Math.max(bound(schema.minItems, 0), 4)),
        });
      }
      case 'object':
      default: {
        const properties = (schema.properties ?? {}) as Record<string, Schema>;
        const required = new Set((schema.required ?? []) as string[]);
        if (!Object.keys(properties).length) return types[0] === 'object' ? fc.dictionary(fc.string({ maxLength: 8 }), anyJson, { maxKeys: 3 }) : anyJson;
        const record: Record<string, fc.Arbitrary<Json>> = {};
        for (const [k, s] of Object.entries(properties)) record[k] = fromSchema(s, depth + 1);
        return fc.record(record, { requiredKeys: [...required].filter((k) => k in properties) }) as fc.Arbitrary<Json>;
      }
    }
  })();
  return nullable ? fc.oneof(base, fc.constant(null)) : base;
}

function bound(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) < 1e9 ? value : fallback;
}

function stringFor(schema: Schema): fc.Arbitrary<Json> {
  const max = Math.min(bound(schema.maxLength, 40), 40);
  const min = Math.min(bound(schema.minLength, 0), max);
  switch (schema.format) {
    case 'uuid':
      return fc.uuid({ version: 4 });
    case 'date-time':
      return fc
        .oneof(
          { weight: 3, arbitrary: fc.integer({ min: -RECENT_MS, max: 0 }).map((d) => new Date(Date.now() + d).toISOString()) },
          { weight: 1, arbitrary: fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString()) },
        )
        .map((s) => s as Json);
    case 'date':
      return fc.date({ min: new Date('1900-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    case 'uri':
    case 'url':
      return fc.webUrl({ validSchemes: ['https'] });
    case 'email':
      return fc.emailAddress();
    default:
      return fc.string({ minLength: Math.max(min, 1), maxLength: Math.max(max, Math.max(min, 1)) });
  }
}

/** Breaks a value in one place: a hostile string, a long one, a wrong type, an unknown field, a missing one. */
export function mutate(value: Json): fc.Arbitrary<Json> {
  const paths = pathsOf(value);
  return fc.tuple(fc.constantFrom(...paths), fc.nat(), fc.oneof(hostileString, longString, anyJson.map((j) => j as Json)), fc.constantFrom('replace', 'unknown-field', 'delete', 'wrap') as fc.Arbitrary<string>).map(
    ([path, n, replacement, how]) => {
      const copy = structuredClone(value) as Json;
      if (!path.length) return how === 'wrap' ? ([copy] as Json) : replacement;
      const parent = at(copy, path.slice(0, -1)) as Record<string | number, Json>;
      const key = path[path.length - 1];
      if (how === 'delete' && !Array.isArray(parent)) delete parent[key];
      else if (how === 'unknown-field' && !Array.isArray(parent)) parent[`${String(key)}x${n % 10}`] = replacement;
      else if (how === 'wrap') parent[key] = [parent[key]] as Json;
      else parent[key] = replacement;
      return copy;
    },
  );
}

function pathsOf(value: Json, path: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [path];
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...path, Array.isArray(value) ? Number(k) : k]));
  }
  return out;
}

function at(value: Json, path: (string | number)[]): Json {
  let node = value;
  for (const step of path) node = (node as Record<string | number, Json>)[step];
  return node;
}

/** Percent-encodes text for a URL path or query, lone surrogates as their (invalid) three UTF-8 bytes. */
export function percentEncode(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let cp = c;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (cp < 0x80 && /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(cp))) out += String.fromCharCode(cp);
    else for (const b of utf8Bytes(cp)) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function utf8Bytes(cp: number): number[] {
  if (cp < 0x80) return [cp];
  if (cp < 0x800) return [0xc0 | (cp >> 6), 0x80 | (cp & 63)];
  if (cp < 0x10000) return [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)];
  return [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)];
}

/** Path segments sent as they are (already escaped, or malformed on purpose). */
export const RAW_SEGMENTS = ['%', '%zz', '%2', '..', '.', '%2e%2e', '%2E', '%2F', 'a%5Cb', '%5C', '%c0%ae%c0%ae', '%ff%fe', '%ED%A0%80', '%00', 'a%00b', '%0a%0d', '~', '@', ':', '*', '(', ')', '!', '$', "'"] as const;
