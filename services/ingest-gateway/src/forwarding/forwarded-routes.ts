import { RISK_API, TASK_API, v1Prefixes } from '@roadloop/contracts';
import { AppError } from '@roadloop/core';
import { parseRequestTarget } from '@roadloop/http';
import type { UpstreamService } from '../upstream.client';

/**
 * The first path segment under `/v1/` of the routes forwarded to each service, from the services'
 * route lists: nothing else is (not their /health, /metrics or /openapi.json).
 */
export const FORWARDED_PREFIXES: Record<UpstreamService, readonly string[]> = {
  task: v1Prefixes(TASK_API),
  risk: v1Prefixes(RISK_API),
};

/**
 * The path and query to send to a service for a client's raw request target: parsed (absolute
 * targets, dot segments and backslashes → 400, see `parseRequestTarget`) and under one of the
 * service's published prefixes (→ 404 otherwise), so a caller can reach neither another host nor a
 * path the gateway does not publish, such as a service's own /metrics.
 */
export function forwardedTarget(service: UpstreamService, rawTarget: string): string {
  const { path, query } = parseRequestTarget(rawTarget);
  const prefix = /^\/v1\/([^/]+)(?:\/|$)/.exec(path)?.[1];
  if (prefix === undefined || !FORWARDED_PREFIXES[service].includes(prefix)) {
    throw new AppError('not_found', 'ROUTE_NOT_FOUND', `no route ${path}`);
  }
  return `${path}${query}`;
}
