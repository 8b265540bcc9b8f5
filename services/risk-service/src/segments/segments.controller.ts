import { Controller, Get, Param, Query, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { Roles, RolesGuard } from '@roadloop/auth';
import { parseOrThrow } from '@roadloop/http';
import { useFormat } from '../queries/formats';
import { topQuerySchema } from '../queries/query-schemas';
import { SegmentQueryService } from './segment-query.service';

/** Segment risk is police data: every signed-in role may read it. */
export const READ_ROLES = ['analyst', 'dispatcher', 'inspector', 'crew', 'admin'] as const;
/** Crash records (casualties) are for the police side and analysts, not road crews. */
export const ACCIDENT_READ_ROLES = ['analyst', 'dispatcher', 'inspector', 'admin'] as const;

@Controller('v1')
@UseGuards(RolesGuard)
@Roles(...READ_ROLES)
export class SegmentsController {
  constructor(private readonly query: SegmentQueryService) {}

  @Get('segments/top')
  async top(@Query() query: unknown, @Res({ passthrough: true }) res: Response) {
    const q = parseOrThrow(topQuerySchema, query, 'query');
    useFormat(res, q.format);
    return this.query.top(q);
  }

  @Get('segments/:id')
  detail(@Param('id') id: string) {
    return this.query.detail(id);
  }
}
