import { Controller, Get, Param } from '@nestjs/common';
import { z } from 'zod';
import type { HazardTracking } from '@roadloop/contracts';
import { AppError } from '@roadloop/core';
import { parseOrThrow } from '@roadloop/http';
import { ReadQueries } from '@roadloop/persistence';
import { trackingOf } from './hazard-tracking';
import { HazardTrackingRepository } from './hazard-tracking.repository';

/**
 * `GET /v1/hazards/{id}/status`: a report's progress for whoever holds its id (the tracking code
 * given to the reporter; a random UUID, not guessable). No token: villagers have none. Nothing of
 * other reports is reachable from here.
 */
@Controller('v1/hazards')
@ReadQueries()
export class HazardTrackingController {
  constructor(private readonly tracking: HazardTrackingRepository) {}

  @Get(':id/status')
  async status(@Param('id') id: string): Promise<HazardTracking> {
    const hazardId = parseOrThrow(z.object({ id: z.uuid() }), { id }, 'path').id;
    const found = await this.tracking.find(hazardId);
    if (!found) throw new AppError('not_found', 'HAZARD_NOT_FOUND', `no hazard ${hazardId} (a report just sent may take a few seconds to arrive)`);
    return trackingOf(found.row, found.duplicate);
  }
}
