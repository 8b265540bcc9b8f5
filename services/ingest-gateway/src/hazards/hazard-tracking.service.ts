import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import type { HazardTracking } from '@roadloop/contracts';
import { AppError } from '@roadloop/core';
import { parseOrThrow } from '@roadloop/http';
import { UpstreamClient } from '../upstream.client';

export const hazardIdOf = (id: unknown, field = 'id'): string => parseOrThrow(z.object({ [field]: z.uuid() }), { [field]: id }, 'path')[field] as string;

/**
 * Reads a report's progress from the risk service for anyone holding its id (the tracking code):
 * no token is passed on, and the route there answers for that one report only.
 */
@Injectable()
export class HazardTrackingService {
  constructor(private readonly upstream: UpstreamClient) {}

  async status(id: string, field = 'id'): Promise<HazardTracking> {
    const hazardId = hazardIdOf(id, field);
    const { status, body } = await this.upstream.forward('risk', 'GET', `/v1/hazards/${hazardId}/status`);
    if (status === 200) return body as HazardTracking;
    const message = (body as { message?: unknown } | null)?.message;
    if (status === 404) throw new AppError('not_found', 'HAZARD_NOT_FOUND', typeof message === 'string' ? message : `no hazard ${hazardId}`);
    throw new AppError('unavailable', 'UPSTREAM_FAILED', `the risk service answered ${status}${typeof message === 'string' ? `: ${message}` : ''}`);
  }
}
