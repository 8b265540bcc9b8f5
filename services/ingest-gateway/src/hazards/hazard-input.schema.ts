import { z } from 'zod';
import { HAZARD_CATEGORIES, HAZARD_SEVERITIES, hazardReportSchema } from '@roadloop/contracts';

/**
 * What a client posts. Unknown fields are refused (a typo such as `lng` must not silently drop a
 * coordinate); the server assigns the hazard id and fills `reportedAt` when it is absent.
 */
export const hazardInputSchema = z
  .object({
    category: z.enum(HAZARD_CATEGORIES),
    severity: z.enum(HAZARD_SEVERITIES),
    lon: hazardReportSchema.shape.lon,
    lat: hazardReportSchema.shape.lat,
    reportedAt: hazardReportSchema.shape.reportedAt.optional(),
    description: hazardReportSchema.shape.description,
    photoUrls: hazardReportSchema.shape.photoUrls,
    reporter: hazardReportSchema.shape.reporter,
  })
  .strict();
export type HazardInput = z.infer<typeof hazardInputSchema>;
