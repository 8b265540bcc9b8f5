import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { AUTH_OPTIONS, AuthOptions, Principal, bearerToken, verifyToken } from '@roadloop/auth';

export interface MaybeSignedInRequest {
  headers: Record<string, string | string[] | undefined>;
  principal?: Principal;
}

/**
 * For routes anyone may call: without an Authorization header the caller is anonymous; with one,
 * the token must verify (a bad token is a 401, never silently anonymous) and its principal is put
 * on the request, where the rate limit and the report-time window look for it.
 */
@Injectable()
export class OptionalPrincipalGuard implements CanActivate {
  constructor(@Inject(AUTH_OPTIONS) private readonly auth: AuthOptions) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<MaybeSignedInRequest>();
    if (request.headers.authorization !== undefined) {
      request.principal = await verifyToken(bearerToken(request.headers.authorization), this.auth);
    }
    return true;
  }
}
