import { z } from 'zod';

/** `POST /v1/programmes`: the money to spend and the year it is spent in. */
export const createProgrammeSchema = z.strictObject({
  budget: z.number().finite().positive().max(1e12),
  year: z.number().int().min(2000).max(2100),
});
export type CreateProgramme = z.infer<typeof createProgrammeSchema>;

export const programmeQuerySchema = z.strictObject({ format: z.enum(['json', 'csv', 'geojson']).default('json') });

/** `GET /v1/programmes`: how many of the newest to list. */
export const listProgrammesQuerySchema = z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(50) });
