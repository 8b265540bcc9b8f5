import { Body, Controller, Get, HttpCode, Post, Query, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { Roles, RolesGuard } from '@roadloop/auth';
import { parseOrThrow } from '@roadloop/http';
import { ReadQueries } from '@roadloop/persistence';
import { ACCIDENT_READ_ROLES, READ_ROLES, UNMATCHED_READ_ROLES } from '../segments/segments.controller';
import { AnalysisRead } from './analysis-read';
import { useFormat } from './formats';
import { accidentsQuerySchema, hazardsQuerySchema, hazardsWithinQuerySchema, unmatchedQuerySchema, withinBodySchema } from './query-schemas';
import { Page, ReportQueryService } from './report-query.service';

/** Hazards and crashes as map layers and exports. (Their intake, POST /v1/hazards and /v1/accidents, is the gateway's.) */
@Controller('v1')
@UseGuards(RolesGuard)
@Roles(...READ_ROLES)
@ReadQueries()
export class ReportQueriesController {
  constructor(private readonly reports: ReportQueryService) {}

  @Get('hazards')
  async hazards(@Query() query: unknown, @Res({ passthrough: true }) res: Response) {
    const { bbox, ...q } = parseOrThrow(hazardsQuerySchema, query, 'query');
    return send(res, q.format, await this.reports.hazardsIn(q, bbox ? { bbox } : {}));
  }

  @Post('hazards/within')
  @HttpCode(200)
  @AnalysisRead()
  async hazardsWithin(@Body() body: unknown, @Query() query: unknown, @Res({ passthrough: true }) res: Response) {
    const q = parseOrThrow(hazardsWithinQuerySchema, query, 'query');
    const { geometry } = parseOrThrow(withinBodySchema, { geometry: body }, 'request body');
    return send(res, q.format, await this.reports.hazardsWithin(geometry, q));
  }

  /** Crash records name casualties: not for road crews. */
  @Get('accidents')
  @Roles(...ACCIDENT_READ_ROLES)
  async accidents(@Query() query: unknown, @Res({ passthrough: true }) res: Response) {
    const q = parseOrThrow(accidentsQuerySchema, query, 'query');
    return send(res, q.format, await this.reports.accidentsIn(q));
  }

  /** Reports that matched no road within the tolerance: kept, and listed here for dispatchers (crash details: not for crews). */
  @Get('reports/unmatched')
  @Roles(...UNMATCHED_READ_ROLES)
  async unmatched(@Query() query: unknown, @Res({ passthrough: true }) res: Response) {
    const q = parseOrThrow(unmatchedQuerySchema, query, 'query');
    useFormat(res, q.format);
    return this.reports.unmatched(q);
  }
}

function send(res: Response, format: 'csv' | 'geojson', page: Page): unknown {
  useFormat(res, format);
  if (page.nextCursor) res.setHeader('x-next-cursor', page.nextCursor);
  return page.body;
}
