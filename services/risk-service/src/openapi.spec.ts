import { describe, expect, it } from '@jest/globals';
import { expectDocumentMatchesControllers } from '../../../test/support/route-coverage';
import { AppModule } from './app.module';
import { loadRiskConfig } from './config';
import { riskOpenApi } from './openapi';

describe('risk service OpenAPI', () => {
  const doc = riskOpenApi();

  it('documents every route its controllers serve, and only those, with the roles they allow', () => {
    const routes = expectDocumentMatchesControllers(doc, AppModule.forRoot(loadRiskConfig({ JWT_SECRET: 'risk-openapi-spec-secret-0123456789abcdef' })));
    expect(routes.length).toBeGreaterThan(10);
  });

  it('describes the answers with their schemas: the ranking as JSON with CSV and GeoJSON on request', () => {
    const top = doc.paths['/v1/segments/top'].get as { responses: Record<string, { content: Record<string, { schema?: { required?: string[] } }> }> };
    expect(Object.keys(top.responses['200'].content)).toEqual(['application/json', 'text/csv', 'application/geo+json']);
    expect(top.responses['200'].content['application/json'].schema?.required).toEqual(['source', 'filters', 'items']);
  });
});
