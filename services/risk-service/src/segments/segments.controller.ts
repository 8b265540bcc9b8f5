import { Controller, Get, Param, Query, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { CurrentPrincipal, Principal, ROLES, Roles, RolesGuard, rolesThatRead } from '@roadloop/auth';
import { parseOrThrow } from '@roadloop/http';
import { ReadQueries } from '@roadloop/persistence';
import { useFormat } from '../queries/formats';
import { segmentIdOf, topQuerySchema } from '../queries/query-schemas';
import { SegmentQueryService } from './segment-query.service';

/** Segment risk: every signed-in role reads it (what each one sees of it: the read policy in libs/auth). */
export const READ_ROLES = ROLES;
/** Crash records (times, positions, casualties) are for the police side and analysts, not road crews. */
export const ACCIDENT_READ_ROLES = rolesThatRead((view) => view.crashes === 'records');
/** Reports that matched no road, crashes among them. */
export const UNMATCHED_READ_ROLES = rolesThatRead((view) => view.unmatchedReports);

@Controller('v1')
@UseGuards(RolesGuard)
@Roles(...READ_ROLES)
@ReadQueries()
export class SegmentsController {
  constructor(private readonly query: SegmentQueryService) {}

  @Get('segments/top')
  async top(@Query() query: unknown, @Res({ passthrough: true }) res: Response) {
    const q = parseOrThrow(topQuerySchema, query, 'query');
    useFormat(res, q.format);
    return this.query.top(q);
  }

  @Get('segments/:id')
  detail(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return this.query.detail(segmentIdOf(id), principal);
  }
}
