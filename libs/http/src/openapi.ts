import { RequestMethod, Type } from '@nestjs/common';
import { GUARDS_METADATA, METHOD_METADATA, MODULE_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { type ApiRoutes, type HttpMethod, apiErrorSchema } from '@roadloop/contracts';
import { z } from 'zod';

/**
 * OpenAPI 3.1 documents built from zod schemas: the route lists of `@roadloop/contracts` (paths,
 * summaries, response schemas) with the schemas that validate each request and the roles allowed.
 * zod's own `z.toJSONSchema` writes the schemas: its draft 2020-12 output is what OpenAPI 3.1 uses,
 * so no converter (or extension of zod's types) is needed in between.
 */
export type { HttpMethod } from '@roadloop/contracts';

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
  tags?: readonly string[];
  /** The JSON body of a success answer. */
  response?: z.ZodType;
  /** The media type of a success answer when not JSON. */
  mediaType?: string;
  /** Other media types a success answer may have on request (CSV, GeoJSON, XML). */
  alternatives?: readonly string[];
}

/** What a service adds to a route of its list: the schemas that validate the request, and who may call it. */
export interface RouteRequest {
  /** Roles allowed, as the controller's `@Roles` says; empty for a public route. */
  roles: readonly string[];
  body?: z.ZodType;
  query?: z.ZodObject;
}

/** A service's route list joined with its request schemas and roles (one entry per route, by name). */
export function describeRoutes<R extends ApiRoutes>(routes: R, requests: { readonly [K in keyof R]: RouteRequest }): RouteDoc[] {
  return Object.entries(routes).map(([name, route]) => ({ ...route, ...requests[name as keyof R] }));
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, unknown>>;
  components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
}

/** A request schema as what it accepts (`io: 'input'`), a response schema as what is sent (`'output'`). */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

function successResponse(r: RouteDoc) {
  const content: Record<string, unknown> = { [r.mediaType ?? 'application/json']: r.response ? { schema: jsonSchema(r.response, 'output') } : {} };
  for (const other of r.alternatives ?? []) content[other] ??= {};
  return { description: 'success', content };
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
      [String(r.status ?? (r.method === 'post' && r.roles.length === 0 ? 202 : 200))]: successResponse(r),
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
      schemas: { Error: jsonSchema(apiErrorSchema, 'output') },
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

/** A route a NestJS controller registers: its method, its path in OpenAPI form, and where it is declared. */
export interface RegisteredRoute {
  method: HttpMethod;
  path: string;
  controller: Type;
  handler: string;
}

const METHODS: Partial<Record<RequestMethod, HttpMethod>> = {
  [RequestMethod.GET]: 'get',
  [RequestMethod.POST]: 'post',
  [RequestMethod.PUT]: 'put',
  [RequestMethod.DELETE]: 'delete',
};

const asList = (path: unknown): string[] => (Array.isArray(path) ? path : [path ?? '']).map(String);

/** `v1/tasks/:id` + `*path` → `/v1/tasks/{id}/{path}`: Express parameters and wildcards as OpenAPI parameters. */
function openApiPath(...parts: string[]): string {
  const joined = parts.flatMap((p) => p.split('/')).filter((p) => p !== '');
  return `/${joined.map((p) => p.replace(/^[:*](\w+)$/, '{$1}')).join('/')}`;
}

/** The controllers of a module and of every module it imports, however deeply (static or dynamic modules). */
export function controllersOf(root: Type | { module: Type }): Type[] {
  const seen = new Set<unknown>();
  const controllers = new Set<Type>();
  const visit = (entry: unknown) => {
    if (!entry || seen.has(entry)) return;
    seen.add(entry);
    const dynamic = typeof entry === 'object' && 'module' in entry ? (entry as { module: Type; imports?: unknown[]; controllers?: Type[] }) : undefined;
    const type = dynamic ? dynamic.module : (entry as Type);
    const meta = (key: string) => (Reflect.getMetadata(key, type) as unknown[] | undefined) ?? [];
    for (const c of [...meta(MODULE_METADATA.CONTROLLERS), ...(dynamic?.controllers ?? [])]) controllers.add(c as Type);
    for (const i of [...meta(MODULE_METADATA.IMPORTS), ...(dynamic?.imports ?? [])]) {
      visit(typeof i === 'object' && i !== null && 'forwardRef' in i ? (i as { forwardRef: () => unknown }).forwardRef() : i);
    }
  };
  visit(root);
  return [...controllers];
}

/** Every route the given controllers register (a handler with several paths gives several routes). */
export function registeredRoutes(controllers: readonly Type[]): RegisteredRoute[] {
  return controllers.flatMap((controller) => {
    const base = asList(Reflect.getMetadata(PATH_METADATA, controller));
    return Object.getOwnPropertyNames(controller.prototype).flatMap((handler) => {
      const fn = (controller.prototype as Record<string, unknown>)[handler];
      if (handler === 'constructor' || typeof fn !== 'function' || Reflect.getMetadata(PATH_METADATA, fn) === undefined) return [];
      const requestMethod = Reflect.getMetadata(METHOD_METADATA, fn) as RequestMethod;
      const method = METHODS[requestMethod];
      if (!method) throw new Error(`${controller.name}.${handler}: method ${RequestMethod[requestMethod]} has no place in the route lists`);
      return base.flatMap((b) => asList(Reflect.getMetadata(PATH_METADATA, fn)).map((p) => ({ method, path: openApiPath(b, p), controller, handler })));
    });
  });
}

/** Whether a controller or handler is guarded by a guard class of that name (e.g. `RolesGuard`). */
export function isGuardedBy(route: RegisteredRoute, guardName: string): boolean {
  const guards = [
    ...((Reflect.getMetadata(GUARDS_METADATA, route.controller) as unknown[] | undefined) ?? []),
    ...((Reflect.getMetadata(GUARDS_METADATA, (route.controller.prototype as Record<string, object>)[route.handler]) as unknown[] | undefined) ?? []),
  ];
  return guards.some((g) => (g as { name?: string }).name === guardName);
}
