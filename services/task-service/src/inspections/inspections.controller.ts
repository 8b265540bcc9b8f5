import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { Roles, RolesGuard } from '@roadloop/auth';
import { parseOrThrow } from '@roadloop/http';
import { refIdSchema } from '../jurisdictions/jurisdiction.schema';
import { InspectionQueueService } from './inspection-queue.service';

/** Who judges submitted work (and who oversees it). */
export const INSPECTION_ROLES = ['inspector', 'dispatcher', 'admin'] as const;

export const inspectionQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    jurisdiction: refIdSchema.optional(),
  })
  .strict();

/** `GET /v1/inspections`: the inspector's queue of submitted tasks, oldest first. */
@Controller('v1/inspections')
@UseGuards(RolesGuard)
export class InspectionsController {
  constructor(private readonly queue: InspectionQueueService) {}

  @Get()
  @Roles(...INSPECTION_ROLES)
  list(@Query() query: unknown) {
    const { limit, jurisdiction } = parseOrThrow(inspectionQuerySchema, query, 'query');
    return this.queue.queue({ limit, jurisdictionId: jurisdiction });
  }
}
