import { Injectable } from '@nestjs/common';
import { Principal } from '@roadloop/auth';
import { AppError } from '@roadloop/core';
import { ValidationError, parseOrThrow } from '@roadloop/http';
import { HazardTrackingService } from '../hazards/hazard-tracking.service';
import { HazardsService } from '../hazards/hazards.service';
import { UpstreamClient } from '../upstream.client';
import {
  HazardFeature,
  LIST_DEFAULT_DAYS,
  LIST_MAX,
  Open311Request,
  asOpen311Problem,
  hazardFromOpen311,
  hazardStatusesOf,
  open311Created,
  open311ListQuerySchema,
  open311RequestFromFeature,
  open311RequestFromTracking,
  open311ServiceDefinition,
  open311Services,
} from './open311.mapping';

/** Open311 GeoReport v2 over the hazard intake (publish), the tracking view and the hazard list (risk service). */
@Injectable()
export class Open311Service {
  constructor(
    private readonly hazards: HazardsService,
    private readonly tracking: HazardTrackingService,
    private readonly upstream: UpstreamClient,
  ) {}

  services() {
    return open311Services();
  }

  definition(code: string) {
    const definition = open311ServiceDefinition(code);
    if (!definition) throw new AppError('not_found', 'SERVICE_NOT_FOUND', `service_code: no service ${code}`);
    return definition;
  }

  /** A new service request: published as a hazard report, answered with its id before it is placed. */
  async create(form: URLSearchParams, correlationId: string | undefined, caller?: Principal) {
    const input = hazardFromOpen311(form);
    try {
      const accepted = await this.hazards.report(input, correlationId, caller);
      return open311Created(accepted.hazardId);
    } catch (err) {
      throw err instanceof ValidationError ? asOpen311Problem(err) : err;
    }
  }

  async request(id: string): Promise<Open311Request[]> {
    return [open311RequestFromTracking(await this.tracking.status(id, 'service_request_id'))];
  }

  /**
   * GET requests. By `service_request_id`, anyone (each id is its reporter's tracking code); any
   * other list needs a signed-in reader's token, passed on to the risk service, which applies its
   * read policy: the list holds other people's reports.
   */
  async list(query: unknown, authorization: string | undefined, now = new Date()): Promise<Open311Request[]> {
    const q = parseOrThrow(open311ListQuerySchema, query, 'query');
    if (q.service_request_id) {
      const found = await Promise.all(
        q.service_request_id.map((id) =>
          this.tracking.status(id, 'service_request_id').then(
            (t) => open311RequestFromTracking(t),
            (err: unknown) => {
              if (err instanceof AppError && err.kind === 'not_found') return null;
              throw err;
            },
          ),
        ),
      );
      return found.filter((r): r is Open311Request => r !== null);
    }
    if (!authorization) {
      throw new AppError('unauthorized', 'TOKEN_REQUIRED', 'listing requests needs a signed-in reader (Authorization: Bearer); a reporter asks by service_request_id');
    }
    const to = q.end_date ? new Date(q.end_date) : now;
    const from = q.start_date ? new Date(q.start_date) : new Date(to.getTime() - LIST_DEFAULT_DAYS * 86_400_000);
    const params = new URLSearchParams({ format: 'geojson', limit: String(LIST_MAX), from: from.toISOString(), to: to.toISOString() });
    const statuses = hazardStatusesOf(q.status);
    if (statuses) params.set('status', statuses.join(','));
    if (q.service_code?.length) params.set('category', q.service_code.join(','));
    const { status, body } = await this.upstream.forward('risk', 'GET', `/v1/hazards?${params}`, { headers: { authorization } });
    if (status !== 200) throw upstreamError(status, body);
    return ((body as { features?: HazardFeature[] }).features ?? []).map(open311RequestFromFeature);
  }
}

function upstreamError(status: number, body: unknown): AppError {
  const message = (body as { message?: unknown } | null)?.message;
  const text = typeof message === 'string' ? message : `the risk service answered ${status}`;
  if (status === 401) return new AppError('unauthorized', 'TOKEN_REFUSED', text);
  if (status === 403) return new AppError('forbidden', 'ROLE_NOT_ALLOWED', text);
  if (status === 400) return new AppError('invalid', 'BAD_QUERY', text);
  if (status === 429) return new AppError('rate_limited', 'RATE_LIMITED', text);
  return new AppError('unavailable', 'UPSTREAM_FAILED', text);
}
