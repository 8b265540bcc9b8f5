import { z } from 'zod';

/**
 * NUL (U+0000), which PostgreSQL refuses in `text` and `jsonb`, and UTF-16 surrogates without their
 * pair, which have no UTF-8 encoding (the driver would store U+FFFD instead of what was sent).
 */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const UNSTORABLE_TEXT_MESSAGE = 'must not contain NUL (U+0000) or unpaired UTF-16 surrogates';

/** Whether PostgreSQL can store the string exactly as given. */
export function isStorableText(value: string): boolean {
  return !UNSTORABLE.test(value);
}

/**
 * Refuses strings PostgreSQL cannot store. Every string a schema accepts, over HTTP or Kafka, passes
 * through this one check: as `storableString()`, or `storable(z.url())` for formats built on strings.
 */
export function storable<S extends z.ZodType<string>>(schema: S): S {
  return schema.refine(isStorableText, { message: UNSTORABLE_TEXT_MESSAGE, abort: true }) as S;
}

/** `z.string()` that PostgreSQL can store. */
export const storableString = (): z.ZodString => storable(z.string());
