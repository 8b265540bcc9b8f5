import { ErrorKind, assertUnreachable } from '@roadloop/core';

/** The HTTP status of each kind of domain error (the error filters answer with it). */
export function httpStatusOf(kind: ErrorKind): number {
  switch (kind) {
    case 'invalid':
      return 400;
    case 'unauthorized':
      return 401;
    case 'forbidden':
      return 403;
    case 'not_found':
      return 404;
    case 'conflict':
      return 409;
    case 'too_large':
      return 413;
    case 'unsupported_type':
      return 415;
    case 'rate_limited':
      return 429;
    case 'unavailable':
      return 503;
    default:
      return assertUnreachable(kind);
  }
}
