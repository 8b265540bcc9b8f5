import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { Roles, RolesGuard } from '@roadloop/auth';
import { z } from 'zod';
import { parseOrThrow } from '@roadloop/http';
import { SegmentQueryService } from './segment-query.service';

const limitQuery = (max: number, dflt: number) =>
  z.object({ limit: z.coerce.number().int().min(1).max(max).default(dflt) }).strict();
export const topQuerySchema = limitQuery(1000, 20);
export const unmatchedQuerySchema = limitQuery(500, 50);
/** Segment risk is police data: every signed-in role may read it. */
export const READ_ROLES = ['analyst', 'dispatcher', 'inspector', 'crew', 'admin'] as const;

@Controller('v1')
@UseGuards(RolesGuard)
@Roles(...READ_ROLES)
export class SegmentsController {
  constructor(private readonly query: SegmentQueryService) {}

  @Get('segments/top')
  top(@Query() query: unknown) {
    return this.query.top(parseOrThrow(topQuerySchema, query, 'query').limit);
  }

  @Get('segments/:id')
  detail(@Param('id') id: string) {
    return this.query.detail(id);
  }

  /** Reports that matched no road within the tolerance: kept, and listed here for dispatchers. */
  @Get('reports/unmatched')
  unmatched(@Query() query: unknown) {
    return this.query.unmatched(parseOrThrow(unmatchedQuerySchema, query, 'query').limit);
  }
}
