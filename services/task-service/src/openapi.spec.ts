import { describe, expect, it } from '@jest/globals';
import { expectDocumentMatchesControllers } from '../../../test/support/route-coverage';
import { AppModule } from './app.module';
import { loadTaskConfig } from './config';
import { taskOpenApi } from './openapi';

describe('task service OpenAPI', () => {
  const doc = taskOpenApi();

  it('documents every route its controllers serve, and only those, with the roles they allow', () => {
    const routes = expectDocumentMatchesControllers(doc, AppModule.forRoot(loadTaskConfig({ JWT_SECRET: 'task-openapi-spec-secret-0123456789abcdef' })));
    expect(routes.length).toBeGreaterThan(30);
  });

  it('describes a command with its body schema and its answer, the task', () => {
    const assign = doc.paths['/v1/tasks/{id}/assign'].post as {
      requestBody: { content: Record<string, { schema: { properties: object } }> };
      responses: Record<string, { content: Record<string, { schema: { properties: object } }> }>;
    };
    expect(Object.keys(assign.requestBody.content['application/json'].schema.properties)).toEqual(expect.arrayContaining(['crewId', 'expectedVersion']));
    expect(Object.keys(assign.responses['200'].content['application/json'].schema.properties)).toEqual(expect.arrayContaining(['id', 'status', 'version']));
  });
});
