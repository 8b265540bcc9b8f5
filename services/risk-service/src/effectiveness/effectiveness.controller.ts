import { Controller, Get, Query, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { Roles, RolesGuard } from '@roadloop/auth';
import { parseOrThrow } from '@roadloop/http';
import { ReadQueries } from '@roadloop/persistence';
import { AnalysisRead } from '../queries/analysis-read';
import { useFormat } from '../queries/formats';
import { effectivenessQuerySchema, effectivenessSitesQuerySchema } from '../queries/query-schemas';
import { READ_ROLES } from '../segments/segments.controller';
import { EffectivenessService } from './effectiveness.service';

/** Whether verified fixes cut crashes: analysts' question, open to every signed-in role like the rest of segment risk. */
@Controller('v1/effectiveness')
@UseGuards(RolesGuard)
@Roles(...READ_ROLES)
@ReadQueries()
export class EffectivenessController {
  constructor(private readonly effectiveness: EffectivenessService) {}

  @Get()
  @AnalysisRead()
  summary(@Query() query: unknown, @Res({ passthrough: true }) res: Response) {
    const q = parseOrThrow(effectivenessQuerySchema, query, 'query');
    useFormat(res, q.format);
    return this.effectiveness.summary(q);
  }

  @Get('sites')
  @AnalysisRead()
  sites(@Query() query: unknown, @Res({ passthrough: true }) res: Response) {
    const q = parseOrThrow(effectivenessSitesQuerySchema, query, 'query');
    useFormat(res, q.format);
    return this.effectiveness.siteList(q);
  }
}
