import { Body, Controller, Get, HttpCode, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';
import { CurrentPrincipal, Principal, ROLES, Roles, RolesGuard } from '@roadloop/auth';
import { CSV_CONTENT_TYPE, GEOJSON_CONTENT_TYPE, parseOrThrow } from '@roadloop/http';
import { bodyOf, pathId } from '../http-input';
import { programmeCsv, programmeGeoJson } from './programme.format';
import { createProgrammeSchema, listProgrammesQuerySchema, programmeQuerySchema } from './programme.schema';
import { ProgrammeService } from './programme.service';

/** Who computes and approves programmes. */
export const PROGRAMME_ROLES = ['dispatcher', 'admin'] as const;

/** Budgeted programmes: a draft for a budget and a year, read as JSON, CSV or a map layer, approved into works tasks. */
@Controller('v1/programmes')
@UseGuards(RolesGuard)
export class ProgrammesController {
  constructor(private readonly programmes: ProgrammeService) {}

  @Post()
  @HttpCode(201)
  @Roles(...PROGRAMME_ROLES)
  create(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    return this.programmes.draft(parseOrThrow(createProgrammeSchema, bodyOf(body)), principal);
  }

  @Get()
  @Roles(...ROLES)
  list(@Query() query: unknown) {
    return this.programmes.list(parseOrThrow(listProgrammesQuerySchema, query, 'query').limit);
  }

  @Get(':id')
  @Roles(...ROLES)
  async find(@Param('id') id: string, @Query() query: unknown, @Res({ passthrough: true }) res: Response) {
    const { format } = parseOrThrow(programmeQuerySchema, query, 'query');
    const programme = await this.programmes.find(pathId(z.uuid(), id));
    if (format === 'csv') {
      res.setHeader('content-type', CSV_CONTENT_TYPE);
      return programmeCsv(programme.items);
    }
    if (format === 'geojson') {
      res.setHeader('content-type', GEOJSON_CONTENT_TYPE);
      return programmeGeoJson(programme);
    }
    return programme;
  }

  @Post(':id/approve')
  @HttpCode(200)
  @Roles(...PROGRAMME_ROLES)
  approve(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return this.programmes.approve(pathId(z.uuid(), id), principal);
  }
}
