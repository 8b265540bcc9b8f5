import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata, createParamDecorator } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppError } from '@roadloop/core';
import { AuthOptions } from './auth.config';
import { bearerToken, verifyToken } from './jwt';
import { Principal, Role } from './roles';

export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');
const ROLES_KEY = 'roadloop:roles';

/** Restricts a controller or handler to some roles (the handler's list wins over the controller's). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/** The roles a handler's `@Roles` (else its controller's) allows; undefined when neither says. */
export function declaredRoles(controller: object, handler: string): readonly Role[] | undefined {
  const method = (controller as { prototype: Record<string, object> }).prototype[handler];
  return (Reflect.getMetadata(ROLES_KEY, method) ?? Reflect.getMetadata(ROLES_KEY, controller)) as Role[] | undefined;
}

interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  principal?: Principal;
}

/**
 * Authenticates every request of the controllers it guards (missing or bad token → 401) and checks
 * the `@Roles(...)` of the handler (wrong role → 403). The verified principal is put on the request
 * for `@CurrentPrincipal()`. Checks that depend on the resource (a crew's own task) belong to services.
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(AUTH_OPTIONS) private readonly options: AuthOptions,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = await verifyToken(bearerToken(request.headers.authorization), this.options);
    request.principal = principal;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [context.getHandler(), context.getClass()]);
    if (roles && !roles.includes(principal.role)) {
      throw new AppError('forbidden', 'ROLE_NOT_ALLOWED', `role ${principal.role} may not do this (allowed: ${roles.join(', ')})`);
    }
    return true;
  }
}

/** The principal that RolesGuard verified. */
export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a handler that RolesGuard does not guard');
  return principal;
});
