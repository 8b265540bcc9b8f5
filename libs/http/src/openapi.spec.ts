import { describe, expect, it } from '@jest/globals';
import { All, Controller, Get, Module, Put } from '@nestjs/common';
import { z } from 'zod';
import { controllersOf, describeRoutes, mergeOpenApi, openApiDocument, registeredRoutes } from './openapi';

describe(openApiDocument.name, () => {
  const doc = openApiDocument('svc', '1', [
    { method: 'post', path: '/v1/things', summary: 'report a thing', roles: [], body: z.object({ lon: z.number().min(-180).max(180) }).strict() },
    { method: 'get', path: '/v1/things/{id}', summary: 'one thing', roles: ['analyst'] },
    { method: 'get', path: '/v1/things', summary: 'list', roles: ['analyst'], query: z.object({ limit: z.coerce.number().int().max(50).default(20) }) },
  ]);

  it('describes bodies with the validating schema, as input', () => {
    const op = doc.paths['/v1/things'].post as { requestBody: { content: Record<string, { schema: unknown }> }; responses: object };
    expect(op.requestBody.content['application/json'].schema).toEqual({
      type: 'object',
      properties: { lon: { type: 'number', minimum: -180, maximum: 180 } },
      required: ['lon'],
      additionalProperties: false,
    });
    expect(Object.keys(op.responses).sort()).toEqual(['202', '400']);
  });

  it('adds path and query parameters, security and the error responses roles imply', () => {
    const one = doc.paths['/v1/things/{id}'].get as { parameters: { name: string; in: string }[]; responses: object; security: unknown };
    expect(one.parameters).toEqual([{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }]);
    expect(Object.keys(one.responses).sort()).toEqual(['200', '400', '401', '403', '404']);
    expect(one.security).toEqual([{ bearer: [] }]);
    const list = doc.paths['/v1/things'].get as { parameters: { name: string; required: boolean }[] };
    expect(list.parameters).toEqual([expect.objectContaining({ name: 'limit', in: 'query', required: false })]);
  });

  it('merges documents without letting a later one overwrite an operation', () => {
    const other = openApiDocument('other', '1', [
      { method: 'get', path: '/v1/things/{id}', summary: 'shadow', roles: [] },
      { method: 'get', path: '/v1/others', summary: 'others', roles: [] },
    ]);
    const merged = mergeOpenApi(doc, other);
    expect(Object.keys(merged.paths)).toEqual(['/v1/others', '/v1/things', '/v1/things/{id}']);
    expect((merged.paths['/v1/things/{id}'].get as { summary: string }).summary).toBe('one thing');
  });
});

describe(registeredRoutes.name, () => {
  @Controller('v1/things')
  class ThingsController {
    @Get(':id/status')
    status() {}

    @Put(':id/photos/:sha256')
    upload() {}
  }

  @Controller()
  class PagesController {
    @Get(['page.json', 'page.xml'])
    page() {}

    @Get('files/*path')
    file() {}
  }

  @Module({ controllers: [PagesController] })
  class PagesModule {}

  @Module({})
  class RootModule {}

  it('finds the controllers of imported and dynamic modules, and their routes in OpenAPI form', () => {
    const root = { module: RootModule, imports: [PagesModule], controllers: [ThingsController] };
    expect(controllersOf(root)).toEqual(expect.arrayContaining([ThingsController, PagesController]));
    expect(registeredRoutes(controllersOf(root)).map((r) => `${r.method} ${r.path}`).sort()).toEqual([
      'get /files/{path}',
      'get /page.json',
      'get /page.xml',
      'get /v1/things/{id}/status',
      'put /v1/things/{id}/photos/{sha256}',
    ]);
  });

  it('refuses a route of every method, which no route list can describe', () => {
    @Controller('v1')
    class CatchAllController {
      @All('*path')
      any() {}
    }
    expect(() => registeredRoutes([CatchAllController])).toThrow(/CatchAllController\.any: method ALL/);
  });
});

describe(describeRoutes.name, () => {
  it("joins a route list with each route's request schemas and roles, and documents the answer's schema and media types", () => {
    const routes = describeRoutes(
      { list: { method: 'get', path: '/v1/things', summary: 'list', tags: ['things'], response: z.object({ items: z.array(z.string()) }), alternatives: ['text/csv'] } },
      { list: { roles: ['analyst'], query: z.object({ limit: z.coerce.number().default(20) }) } },
    );
    const op = openApiDocument('svc', '1', routes).paths['/v1/things'].get as {
      'x-roles': string[];
      parameters: { name: string }[];
      responses: Record<string, { content: Record<string, { schema?: unknown }> }>;
    };
    expect(op['x-roles']).toEqual(['analyst']);
    expect(op.parameters.map((p) => p.name)).toEqual(['limit']);
    expect(op.responses['200'].content).toEqual({
      'application/json': {
        schema: { type: 'object', properties: { items: { type: 'array', items: { type: 'string' } } }, required: ['items'], additionalProperties: false },
      },
      'text/csv': {},
    });
  });
});
