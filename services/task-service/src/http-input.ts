import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { correlationIdFrom, parseOrThrow } from '@roadloop/http';
import { refIdSchema } from './jurisdictions/jurisdiction.schema';

/** A path id, checked like a body field (400 naming `id`). */
export function pathId<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const parsed = parseOrThrow(z.object({ id: schema }), { id: value }, 'path') as { id: z.infer<S> };
  return parsed.id;
}

export const taskIdOf = (value: unknown): string => pathId(z.uuid(), value);
export const refIdOf = (value: unknown): string => pathId(refIdSchema, value);

/** The caller's correlation id when it is sane, else a fresh one. */
export function correlationIdOf(header: unknown): string {
  return correlationIdFrom(header) ?? randomUUID();
}

/** Express 5 leaves `req.body` undefined for a request without a body: treat it as `{}`. */
export const bodyOf = (body: unknown): unknown => (body === undefined ? {} : body);

/** The headers a task command reads. */
export type CommandHeaders = Record<string, string | string[] | undefined>;

/**
 * The `Idempotency-Key` header of a command (a client's unique id for one intended command, e.g. a
 * UUID): absent is none; anything but 1–200 letters, digits and `._:-` is a 400 naming the header.
 */
export function idempotencyKeyOf(header: unknown): string | undefined {
  if (header === undefined) return undefined;
  return parseOrThrow(
    z.object({ 'idempotency-key': z.string().regex(/^[A-Za-z0-9._:-]{1,200}$/, '1–200 letters, digits and . _ : -') }),
    { 'idempotency-key': header },
    'headers',
  )['idempotency-key'];
}
