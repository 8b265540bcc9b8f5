import { describe, expect, it } from '@jest/globals';
import { expectDocumentMatchesControllers } from '../../../test/support/route-coverage';
import { AppModule } from './app.module';
import { loadGatewayConfig } from './config';
import { ForwardingController } from './forwarding/forwarding.controller';
import { gatewayOpenApi } from './openapi';
import { forwardedPart } from './openapi.controller';

describe('gateway OpenAPI', () => {
  it('describes the live stream with its query token and roles, and the map page as public', () => {
    const doc = gatewayOpenApi();
    const live = doc.paths['/v1/live'].get as { 'x-roles': string[]; parameters: { name: string; in: string }[]; responses: Record<string, unknown> };
    expect(live['x-roles']).toEqual(['dispatcher', 'crew', 'inspector', 'analyst', 'admin']);
    expect(live.parameters).toEqual([expect.objectContaining({ name: 'access_token', in: 'query' })]);
    expect(Object.keys(live.responses)).toEqual(expect.arrayContaining(['200', '401']));
    expect(doc.paths['/map'].get).not.toHaveProperty('security');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/hazards', '/v1/accidents', '/map/{path}']));
  });

  it("documents every route of the gateway's own controllers, and only those, with the roles they allow", () => {
    // The forwarded routes are the services' (their documents are checked against their controllers).
    const routes = expectDocumentMatchesControllers(gatewayOpenApi(), AppModule.forRoot(loadGatewayConfig({ JWT_SECRET: 'gateway-openapi-spec-secret-0123456789abcdef' })), {
      exclude: [ForwardingController],
      checksOwnToken: ['GET /v1/live'],
    });
    expect(routes.length).toBeGreaterThan(20);
  });

  it("publishes of a service's document only the routes it forwards, not the service's own operations", () => {
    const part = forwardedPart('task', {
      paths: { '/v1/tasks/{id}': { get: {} }, '/v1/roadside/inventory': { get: {} }, '/metrics': { get: {} }, '/v1/segments': { get: {} }, '/openapi.json': { get: {} } },
    });
    expect(Object.keys(part.paths)).toEqual(['/v1/tasks/{id}', '/v1/roadside/inventory']);
  });
});
