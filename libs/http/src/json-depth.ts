/** Deepest nesting of arrays and objects a JSON body may have: GeoJSON needs 6, nothing needs 64. */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN = new Set([0x5b, 0x7b]);
const CLOSE = new Set([0x5d, 0x7d]);

/** How deep the arrays and objects of a JSON text nest (brackets inside strings do not count). */
export function jsonNestingDepth(text: Buffer): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const b = text[i];
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) inString = true;
    else if (OPEN.has(b)) deepest = Math.max(deepest, ++depth);
    else if (CLOSE.has(b)) depth--;
  }
  return deepest;
}

/**
 * body-parser's `verify` hook: refuses a body nested deeper than MAX_JSON_DEPTH before it is parsed.
 * Parsing copes, but serialising it again (the gateway forwards what it parsed) and walking it
 * recurse once per level and overflow the stack: a 500 from a few hundred kilobytes of brackets.
 */
export function refuseDeepJson(_req: unknown, _res: unknown, body: Buffer, encoding?: string): void {
  // JSON between systems is UTF-8 (RFC 8259 §8.1); in UTF-16 the byte scan below would misread quotes.
  if (encoding !== undefined && !/^utf-?8$/i.test(encoding)) {
    throw Object.assign(new Error(`request body is in ${encoding}; JSON is taken in UTF-8 only`), { status: 415, type: 'charset.unsupported' });
  }
  const depth = jsonNestingDepth(body);
  if (depth > MAX_JSON_DEPTH) {
    throw Object.assign(new Error(`request body nests ${depth} levels of arrays and objects; at most ${MAX_JSON_DEPTH} are taken`), { status: 400, type: 'entity.too.deep' });
  }
}
