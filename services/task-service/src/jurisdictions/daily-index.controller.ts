import { Controller, Get, Param, Query, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { ROLES, Roles, RolesGuard } from '@roadloop/auth';
import { CSV_CONTENT_TYPE, GEOJSON_CONTENT_TYPE, parseOrThrow } from '@roadloop/http';
import { refIdOf } from '../http-input';
import { indexCsv, indexGeoJson } from './daily-index.format';
import { historyQuerySchema, indexQuerySchema } from './daily-index.schema';
import { DailyIndexService } from './daily-index.service';

/**
 * The daily index of the jurisdictions (every role reads). Registered before the jurisdictions
 * controller, so `index` is not taken for a jurisdiction id.
 */
@Controller('v1/jurisdictions')
@UseGuards(RolesGuard)
@Roles(...ROLES)
export class DailyIndexController {
  constructor(private readonly daily: DailyIndexService) {}

  @Get('index')
  async index(@Query() query: unknown, @Res({ passthrough: true }) res: Response) {
    const { date, format } = parseOrThrow(indexQuerySchema, query, 'query');
    const report = await this.daily.forDay(date);
    if (format === 'csv') {
      res.setHeader('content-type', CSV_CONTENT_TYPE);
      return indexCsv(report.items);
    }
    if (format === 'geojson') {
      res.setHeader('content-type', GEOJSON_CONTENT_TYPE);
      return indexGeoJson(report, await this.daily.outlines());
    }
    return report;
  }

  @Get(':id/index/history')
  async history(@Param('id') id: string, @Query() query: unknown, @Res({ passthrough: true }) res: Response) {
    const { from, to, format } = parseOrThrow(historyQuerySchema, query, 'query');
    const history = await this.daily.history(refIdOf(id), from, to);
    if (format === 'csv') {
      res.setHeader('content-type', CSV_CONTENT_TYPE);
      return indexCsv(history.items);
    }
    return history;
  }
}
