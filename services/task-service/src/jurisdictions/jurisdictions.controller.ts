import { Body, Controller, Get, Headers, Param, Put, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { ROLES, Roles, RolesGuard } from '@roadloop/auth';
import { parseOrThrow } from '@roadloop/http';
import { bodyOf, correlationIdOf, refIdOf } from '../http-input';
import { putCrewSchema, putJurisdictionSchema, refIdSchema } from './jurisdiction.schema';
import { JurisdictionService } from './jurisdiction.service';

/** Areas responsible for roads (admin writes; every role reads). */
@Controller('v1/jurisdictions')
@UseGuards(RolesGuard)
export class JurisdictionsController {
  constructor(private readonly jurisdictions: JurisdictionService) {}

  @Put(':id')
  @Roles('admin')
  put(@Param('id') id: string, @Body() body: unknown, @Headers('x-correlation-id') correlation?: string) {
    const { name, geometry } = parseOrThrow(putJurisdictionSchema, bodyOf(body));
    return this.jurisdictions.put(refIdOf(id), name, geometry, { correlationId: correlationIdOf(correlation) });
  }

  @Get()
  @Roles(...ROLES)
  async list() {
    return { items: await this.jurisdictions.list() };
  }

  @Get(':id')
  @Roles(...ROLES)
  get(@Param('id') id: string) {
    return this.jurisdictions.get(refIdOf(id));
  }

  @Get(':id/status')
  @Roles(...ROLES)
  status(@Param('id') id: string) {
    return this.jurisdictions.status(refIdOf(id));
  }
}

/** Road crews, each working for one jurisdiction (admin writes; every role reads). */
@Controller('v1/crews')
@UseGuards(RolesGuard)
export class CrewsController {
  constructor(private readonly jurisdictions: JurisdictionService) {}

  @Put(':id')
  @Roles('admin')
  put(@Param('id') id: string, @Body() body: unknown) {
    const { name, jurisdictionId, worksCapacity, surveyCapacity } = parseOrThrow(putCrewSchema, bodyOf(body));
    return this.jurisdictions.putCrew(refIdOf(id), name, jurisdictionId, { works: worksCapacity, survey: surveyCapacity });
  }

  @Get()
  @Roles(...ROLES)
  async list(@Query() query: unknown) {
    const { jurisdictionId } = parseOrThrow(z.object({ jurisdictionId: refIdSchema.optional() }).strict(), query, 'query');
    return { items: await this.jurisdictions.listCrews(jurisdictionId) };
  }
}
