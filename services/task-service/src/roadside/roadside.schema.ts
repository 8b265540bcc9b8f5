import { z } from 'zod';
import { storableString } from '@roadloop/contracts';

const metres = z.number().finite().min(0).max(100_000);

/** A crew's findings on a survey stretch: per side, what stands from where to where (metres from the stretch's start). */
export const surveyFindingsSchema = z
  .object({
    findings: z
      .array(z.object({ side: z.enum(['left', 'right']), fromM: metres, toM: metres, status: z.enum(['present', 'absent', 'damaged']) }).strict())
      .min(1)
      .max(1000),
    observedAt: z.iso.datetime({ offset: true }).optional(),
    notes: storableString().max(2000).optional(),
  })
  .strict();
export type SurveyFindings = z.infer<typeof surveyFindingsSchema>;

/** One row of an inventory import: a segment side, the part of it surveyed, and what stands there. */
export const inventoryRowSchema = z
  .object({
    segmentId: storableString().min(1).max(100),
    side: z.enum(['left', 'right']),
    fromM: metres,
    toM: metres,
    status: z.enum(['present', 'absent', 'damaged']),
    observedAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();
export type InventoryRow = z.infer<typeof inventoryRowSchema>;

/** An import: rows (JSON), or the same as CSV text with the header segmentId,side,fromM,toM,status[,observedAt]. */
export const inventoryImportSchema = z.union([
  z.object({ rows: z.array(z.unknown()).min(1).max(100_000) }).strict(),
  z.object({ csv: z.string().min(1).max(20_000_000) }).strict(),
]);
