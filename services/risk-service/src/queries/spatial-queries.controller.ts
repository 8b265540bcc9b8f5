import { Body, Controller, Get, HttpCode, Post, Query, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { Roles, RolesGuard } from '@roadloop/auth';
import { CSV_CONTENT_TYPE, parseOrThrow } from '@roadloop/http';
import { ReadQueries } from '@roadloop/persistence';
import { READ_ROLES } from '../segments/segments.controller';
import { AnalysisRead } from './analysis-read';
import { hotspotsQuerySchema, segmentsBboxQuerySchema, segmentsWithinQuerySchema, withinBodySchema } from './query-schemas';
import { RawJson, SpatialQueryService } from './spatial-query.service';

/** Read-only map queries: every signed-in role may use them, like the rest of segment risk. */
@Controller('v1')
@UseGuards(RolesGuard)
@Roles(...READ_ROLES)
@ReadQueries()
export class SpatialQueriesController {
  constructor(private readonly service: SpatialQueryService) {}

  @Get('segments')
  async inBbox(@Query() query: unknown, @Res({ passthrough: true }) res: Response) {
    const { format, ...q } = parseOrThrow(segmentsBboxQuerySchema, query, 'query');
    const body = await this.service.segmentsInBbox(q, format);
    if (format === 'csv') res.setHeader('content-type', CSV_CONTENT_TYPE);
    if (body instanceof RawJson) {
      res.setHeader('content-type', 'application/json; charset=utf-8');
      return body.text;
    }
    return body;
  }

  @Post('segments/within')
  @HttpCode(200)
  @AnalysisRead()
  async inPolygon(@Body() body: unknown, @Query() query: unknown, @Res({ passthrough: true }) res: Response) {
    const { format, ...q } = parseOrThrow(segmentsWithinQuerySchema, query, 'query');
    const { geometry } = parseOrThrow(withinBodySchema, { geometry: body }, 'request body');
    const result = await this.service.segmentsInPolygon(geometry, q, format);
    if (format === 'csv') res.setHeader('content-type', CSV_CONTENT_TYPE);
    return result;
  }

  @Get('hotspots')
  @AnalysisRead()
  async hotspots(@Query() query: unknown, @Res({ passthrough: true }) res: Response) {
    const q = parseOrThrow(hotspotsQuerySchema, query, 'query');
    const body = await this.service.hotspots(q);
    if (q.format === 'csv') res.setHeader('content-type', CSV_CONTENT_TYPE);
    return body;
  }
}
