import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { CurrentPrincipal, Principal, ROLES, Roles, RolesGuard } from '@roadloop/auth';
import { storableString } from '@roadloop/contracts';
import { parseOrThrow } from '@roadloop/http';
import { bodyOf, taskIdOf } from '../http-input';
import { parseInventoryCsv } from './inventory-csv';
import { inventoryFeatureCollectionSchema } from './inventory-geojson';
import { RoadsideException } from './roadside.exception';
import { inventoryImportSchema, surveyFindingsSchema } from './roadside.schema';
import { RoadsideService } from './roadside.service';

/** `GET /v1/roadside/inventory`: one segment's sides. */
export const inventoryQuerySchema = z.object({ segmentId: storableString().min(1).max(100) }).strict();

/** The roadside inventory, survey findings and the stretches tasks cover. */
@Controller('v1')
@UseGuards(RolesGuard)
export class RoadsideController {
  constructor(private readonly roadside: RoadsideService) {}

  /** A crew records what its survey found, per side, along the stretch. */
  @Post('tasks/:id/survey')
  @HttpCode(200)
  @Roles('crew')
  survey(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    return this.roadside.recordSurvey(taskIdOf(id), principal, parseOrThrow(surveyFindingsSchema, bodyOf(body)));
  }

  /** The stretch a task covers, as a GeoJSON feature (a MultiLineString with its members). */
  @Get('tasks/:id/stretch')
  @Roles(...ROLES)
  async stretch(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    const s = await this.roadside.stretch(taskIdOf(id), principal);
    const { geometry, ...properties } = s;
    return { type: 'Feature', id: s.stretchId, geometry, properties };
  }

  /**
   * Imports surveyed guardrails: `{rows: [...]}`, `{csv: "segmentId,side,fromM,toM,status\n…"}` or a
   * GeoJSON FeatureCollection of lines (application/geo+json) snapped to the segments; all or nothing.
   */
  @Post('roadside/inventory')
  @HttpCode(200)
  @Roles('admin')
  import(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    const raw = bodyOf(body);
    if (typeof raw === 'object' && raw !== null && (raw as { type?: unknown }).type === 'FeatureCollection') {
      return this.roadside.importGeoJson(parseOrThrow(inventoryFeatureCollectionSchema, raw).features, principal.id);
    }
    const input = parseOrThrow(inventoryImportSchema, raw);
    let rows: unknown[];
    if ('csv' in input) {
      const parsed = parseInventoryCsv(input.csv);
      if (!parsed.ok) throw new RoadsideException('INVENTORY_ROWS_INVALID', `${parsed.problems.length} problem(s), nothing imported: ${parsed.problems[0].message}`, parsed.problems);
      rows = parsed.rows;
    } else rows = input.rows;
    return this.roadside.importInventory(rows, principal.id);
  }

  /** What is known of a segment's sides (no row: nothing beyond OpenStreetMap). */
  @Get('roadside/inventory')
  @Roles(...ROLES)
  async inventory(@Query() query: unknown) {
    const { segmentId } = parseOrThrow(inventoryQuerySchema, query, 'query');
    return { segmentId, sides: await this.roadside.inventoryOf(segmentId) };
  }
}
