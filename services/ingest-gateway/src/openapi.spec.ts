import { describe, expect, it } from '@jest/globals';
import { gatewayOpenApi } from './openapi';

describe('gateway OpenAPI', () => {
  it('describes the live stream with its query token and roles, and the map page as public', () => {
    const doc = gatewayOpenApi();
    const live = doc.paths['/v1/live'].get as { 'x-roles': string[]; parameters: { name: string; in: string }[]; responses: Record<string, unknown> };
    expect(live['x-roles']).toEqual(['dispatcher', 'crew', 'inspector', 'analyst', 'admin']);
    expect(live.parameters).toEqual([expect.objectContaining({ name: 'access_token', in: 'query' })]);
    expect(Object.keys(live.responses)).toEqual(expect.arrayContaining(['200', '401']));
    expect(doc.paths['/map'].get).not.toHaveProperty('security');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/hazards', '/v1/accidents', '/map/vendor/{file}']));
  });
});
