import { z } from 'zod';
import { accidentFieldsSchema, checkCasualties } from '@roadloop/contracts';

/**
 * What the police system or a dispatcher posts. The server assigns the accident id; the same
 * `externalId` posted twice is recorded once.
 */
export const accidentInputSchema = accidentFieldsSchema.omit({ accidentId: true }).strict().superRefine(checkCasualties);
export type AccidentInput = z.infer<typeof accidentInputSchema>;
