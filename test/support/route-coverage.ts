import { expect } from '@jest/globals';
import type { Type } from '@nestjs/common';
import { ROLES, declaredRoles } from '@roadloop/auth';
import { OpenApiDocument, RegisteredRoute, controllersOf, isGuardedBy, registeredRoutes } from '@roadloop/http';

const key = (method: string, path: string) => `${method.toUpperCase()} ${path}`;

/** Every operation of a document, as `GET /v1/tasks/{id}`. */
export function documentedOperations(doc: OpenApiDocument): string[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => key(method, path)));
}

/**
 * Checks a service's document against what its controllers register: every route a controller
 * serves is documented, every documented route is served, and each says the roles its controller
 * allows (`@Roles`, or any signed-in role under RolesGuard alone; none for a route without the guard,
 * unless it checks the token itself, as the routes in `checksOwnToken` do).
 */
export function expectDocumentMatchesControllers(
  doc: OpenApiDocument,
  root: Type | { module: Type },
  options: { exclude?: readonly Type[]; checksOwnToken?: readonly string[] } = {},
): RegisteredRoute[] {
  const controllers = controllersOf(root).filter((c) => !(options.exclude ?? []).includes(c));
  const routes = registeredRoutes(controllers);
  const served = routes.map((r) => key(r.method, r.path));
  const documented = documentedOperations(doc);
  expect({ undocumented: served.filter((s) => !documented.includes(s)), unserved: documented.filter((d) => !served.includes(d)) }).toEqual({
    undocumented: [],
    unserved: [],
  });
  const roleMismatches = routes.flatMap((r) => {
    const op = doc.paths[r.path][r.method] as { 'x-roles'?: string[] };
    const documentedRoles = [...(op['x-roles'] ?? [])].sort();
    const guarded = isGuardedBy(r, 'RolesGuard');
    const expected = guarded ? [...(declaredRoles(r.controller, r.handler) ?? ROLES)].sort() : (options.checksOwnToken ?? []).includes(key(r.method, r.path)) ? [...ROLES].sort() : [];
    return documentedRoles.join() === expected.join() ? [] : [`${key(r.method, r.path)}: documented [${documentedRoles}], controller [${expected}]`];
  });
  expect(roleMismatches).toEqual([]);
  return routes;
}
