import { z } from 'zod';

/**
 * A route of the HTTP API, described once: the services document it from here (adding the schemas
 * that validate its requests and the roles its controller allows), the gateway forwards the services'
 * routes from here, and the end-to-end tests read its responses with the types inferred from here.
 */
export type HttpMethod = 'get' | 'post' | 'put' | 'delete';

export interface ApiRoute {
  method: HttpMethod;
  /** OpenAPI path, e.g. `/v1/tasks/{id}`; `{name}` stands for the controller's `:name` or `*name`. */
  path: string;
  summary: string;
  tags: readonly string[];
  /** Success status when not 200 (202 for an accepted report, 201 for a creation). */
  status?: number;
  /** The JSON body of a success answer (as sent: dates are ISO strings). */
  response?: z.ZodType;
  /** The media type of a success answer when it is not JSON (an HTML page, a photo, metrics). */
  mediaType?: string;
  /** Other media types the route answers with on request (`format=csv`, `format=geojson`, `.xml`). */
  alternatives?: readonly string[];
}

/** A service's routes by name: the name is how the service attaches its request schemas and roles. */
export type ApiRoutes = Readonly<Record<string, ApiRoute>>;

export const CSV_MEDIA_TYPE = 'text/csv';
export const GEOJSON_MEDIA_TYPE = 'application/geo+json';
export const HTML_MEDIA_TYPE = 'text/html';

/** The first path segment under `/v1/` of each route, e.g. `tasks` for `/v1/tasks/{id}`. */
export function v1Prefixes(routes: ApiRoutes): string[] {
  const prefixes = Object.values(routes).flatMap((r) => /^\/v1\/([^/{}]+)(?:\/|$)/.exec(r.path)?.[1] ?? []);
  return [...new Set(prefixes)].sort();
}

/** Every refusal and failure of the API: the status, a stable error code, and each bad input by name. */
export const apiErrorSchema = z.object({
  statusCode: z.number().int(),
  error: z.string().describe('error code'),
  message: z.string(),
  fields: z.array(z.object({ field: z.string(), message: z.string() })).optional().describe('each bad input, by name'),
});
export type ApiError = z.infer<typeof apiErrorSchema>;

/** `GET /health`: the process is ready when every required dependency answers. */
export const readinessSchema = z.object({
  status: z.enum(['ok', 'unavailable']),
  checks: z
    .record(z.string(), z.object({ status: z.enum(['up', 'down']), optional: z.boolean(), error: z.string().optional() }))
    .describe('each dependency checked, by name'),
});
export type Readiness = z.infer<typeof readinessSchema>;

/** What every service process serves for its operators (the gateway publishes only its own). */
export const OPERATIONS_API = {
  health: { method: 'get', path: '/health', summary: 'Readiness: every required dependency answers (503 naming the one that does not)', tags: ['operations'], response: readinessSchema },
  healthReady: { method: 'get', path: '/health/ready', summary: 'Readiness, as /health', tags: ['operations'], response: readinessSchema },
  healthLive: { method: 'get', path: '/health/live', summary: 'Liveness: the process answers', tags: ['operations'], response: z.object({ status: z.literal('ok') }) },
  metrics: { method: 'get', path: '/metrics', summary: 'Prometheus metrics (text exposition format)', tags: ['operations'], mediaType: 'text/plain' },
  openapi: { method: 'get', path: '/openapi.json', summary: 'This document', tags: ['operations'], response: z.looseObject({ openapi: z.string(), paths: z.record(z.string(), z.unknown()) }) },
} as const satisfies ApiRoutes;
