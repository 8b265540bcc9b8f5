import { z } from 'zod';

/** OpenAPI 3.1 documents built from the same zod schemas that validate the requests. */
export type HttpMethod = 'get' | 'post' | 'put' | 'delete';

export interface RouteDoc {
  method: HttpMethod;
  /** OpenAPI path, e.g. `/v1/tasks/{id}`. */
  path: string;
  summary: string;
  /** Roles allowed; empty for a public route. */
  roles: readonly string[];
  body?: z.ZodType;
  query?: z.ZodObject;
  /** Status codes besides 200/202 and the error statuses implied by body, query and roles. */
  status?: number;
  tags?: string[];
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, unknown>>;
  components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
}

const ERROR = {
  type: 'object',
  required: ['statusCode', 'error', 'message'],
  properties: {
    statusCode: { type: 'integer' },
    error: { type: 'string', description: 'error code' },
    message: { type: 'string' },
    fields: {
      type: 'array',
      description: 'each bad input, by name',
      items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } },
    },
  },
};

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

function errorResponse(description: string) {
  return { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
}

/** Builds a service's document from its route list. */
export function openApiDocument(title: string, version: string, routes: readonly RouteDoc[], description?: string): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const r of routes) {
    const parameters: unknown[] = [];
    for (const name of [...r.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1])) {
      parameters.push({ name, in: 'path', required: true, schema: { type: 'string' } });
    }
    if (r.query) {
      const q = jsonSchema(r.query) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, schema] of Object.entries(q.properties ?? {})) {
        parameters.push({ name, in: 'query', required: (q.required ?? []).includes(name) && !('default' in (schema as object)), schema });
      }
    }
    const responses: Record<string, unknown> = {
      [String(r.status ?? (r.method === 'post' && r.roles.length === 0 ? 202 : 200))]: { description: 'success' },
    };
    if (r.body || r.query || parameters.length) responses['400'] = errorResponse('invalid input; `fields` names each bad one');
    if (r.roles.length) {
      responses['401'] = errorResponse('missing or invalid token');
      responses['403'] = errorResponse(`role not allowed (allowed: ${r.roles.join(', ')})`);
    }
    if (r.path.includes('{')) responses['404'] = errorResponse('not found');
    if (r.method === 'post' && r.path.startsWith('/v1/tasks/')) responses['409'] = errorResponse('illegal transition or stale expectedVersion');
    paths[r.path] = {
      ...(paths[r.path] ?? {}),
      [r.method]: {
        summary: r.summary,
        ...(r.tags ? { tags: r.tags } : {}),
        ...(r.roles.length ? { security: [{ bearer: [] }], 'x-roles': r.roles } : {}),
        ...(parameters.length ? { parameters } : {}),
        ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(r.body) } } } } : {}),
        responses,
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title, version, ...(description ? { description } : {}) },
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (HS256)' } },
      schemas: { Error: ERROR },
    },
  };
}

/** Merges service documents into one (the gateway's public document). Later paths do not overwrite earlier ones. */
export function mergeOpenApi(base: OpenApiDocument, ...parts: Pick<OpenApiDocument, 'paths'>[]): OpenApiDocument {
  const paths = { ...base.paths };
  for (const part of parts) {
    for (const [path, ops] of Object.entries(part.paths ?? {})) paths[path] = { ...ops, ...(paths[path] ?? {}) };
  }
  return { ...base, paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))) };
}
