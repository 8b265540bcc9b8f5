import { z } from 'zod';
import { TopicContract, describeIssues } from './contract';

export type DecodeResult<T> =
  | { ok: true; value: T }
  | { ok: false; code: 'UNPARSEABLE' | 'INVALID_SCHEMA'; reason: string };

/** Largest message value accepted, in bytes; bigger ones are dead-lettered unread. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

/** Decodes whole values (never a stream), so one serves every message: a decoder per message was garbage to collect. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Parses and validates a raw Kafka value against a topic's contract. Never throws. */
export function decodeMessage<S extends z.ZodType>(
  contract: TopicContract<S>,
  raw: Buffer | null,
): DecodeResult<z.infer<S>> {
  if (raw === null || raw.length === 0) return { ok: false, code: 'UNPARSEABLE', reason: 'empty message value' };
  if (raw.length > MAX_MESSAGE_BYTES) {
    return { ok: false, code: 'UNPARSEABLE', reason: `message value of ${raw.length} bytes exceeds ${MAX_MESSAGE_BYTES}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(UTF8.decode(raw));
  } catch (err) {
    return { ok: false, code: 'UNPARSEABLE', reason: `not valid UTF-8 JSON: ${(err as Error).message}` };
  }
  const parsed = contract.valueSchema.safeParse(json);
  if (!parsed.success) {
    return { ok: false, code: 'INVALID_SCHEMA', reason: `${contract.topic}: ${describeIssues(parsed.error)}` };
  }
  return { ok: true, value: parsed.data };
}
