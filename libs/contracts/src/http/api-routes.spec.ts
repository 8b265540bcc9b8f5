import { describe, expect, it } from '@jest/globals';
import { ApiRoutes, v1Prefixes } from './api-route';
import { GATEWAY_API } from './gateway.api';
import { RISK_API } from './risk.api';
import { TASK_API } from './task.api';

describe('HTTP route lists', () => {
  it.each([
    ['gateway', GATEWAY_API],
    ['risk', RISK_API],
    ['task', TASK_API],
  ] as [string, ApiRoutes][])('%s: each method and path once, each path a plain OpenAPI path', (_name, routes) => {
    const keys = Object.values(routes).map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const r of Object.values(routes)) expect(r.path).toMatch(/^\/([\w.-]+|\{\w+\})(\/([\w.-]+|\{\w+\}))*$/);
  });

  it('gives the first segment under /v1/ of each route, once', () => {
    expect(
      v1Prefixes({
        a: { method: 'get', path: '/v1/tasks', summary: '', tags: [] },
        b: { method: 'get', path: '/v1/tasks/{id}', summary: '', tags: [] },
        c: { method: 'get', path: '/v1/report-photos/{sha256}', summary: '', tags: [] },
        d: { method: 'get', path: '/metrics', summary: '', tags: [] },
      }),
    ).toEqual(['report-photos', 'tasks']);
  });
});
