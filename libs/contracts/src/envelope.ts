import { z } from 'zod';
import { storableString } from './text';

/**
 * Every event on every topic carries this envelope. The producer sets it; handlers never invent ids.
 * `schemaVersion` is the version of the payload schema of the topic (a breaking change is a new
 * topic, `…v2`, never an edit in place). Unknown fields are refused, here and in every payload: a
 * producer's typo must not vanish silently.
 */
export const envelopeSchema = z.strictObject({
  eventId: z.uuid(),
  occurredAt: z.iso.datetime({ offset: true }),
  schemaVersion: z.number().int().positive(),
  source: storableString().min(1).max(100),
  correlationId: storableString().min(1).max(200),
});

export type Envelope = z.infer<typeof envelopeSchema>;

/** Builds the value schema of a topic: the envelope around a payload of one schema version. */
export function eventSchema<P extends z.ZodType>(schemaVersion: number, payload: P) {
  return envelopeSchema.extend({ schemaVersion: z.literal(schemaVersion), payload });
}

export const lonSchema = z.number().finite().min(-180).max(180);
export const latSchema = z.number().finite().min(-90).max(90);
