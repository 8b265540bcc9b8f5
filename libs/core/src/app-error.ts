/**
 * What kind of failure a domain error is. Modules define their own error codes and say which kind
 * each is; the HTTP edge (`httpStatusOf` of @roadloop/http) maps kinds to statuses and the Kafka
 * consumers (`isRetriableKind`) to retry decisions.
 */
export type ErrorKind =
  | 'invalid'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  /** A body over a size limit (an uploaded photo). */
  | 'too_large'
  /** A body of a type the route does not take (a photo that is not JPEG, PNG, HEIC or WebP). */
  | 'unsupported_type'
  | 'rate_limited'
  | 'unavailable';

export interface FieldProblem {
  field: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly fields: FieldProblem[] = [],
    /** When to try again, seconds: sent as `Retry-After` (a 503 while a dependency is away, a 429). */
    readonly retryAfterS?: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export function assertUnreachable(value: never): never {
  throw new Error(`unreachable: ${String(value)}`);
}

/** Whether a consumer should retry a message whose handler failed with this kind. */
export function isRetriableKind(kind: ErrorKind): boolean {
  switch (kind) {
    case 'unavailable':
    case 'rate_limited':
      return true;
    case 'invalid':
    case 'unauthorized':
    case 'forbidden':
    case 'not_found':
    case 'conflict':
    case 'too_large':
    case 'unsupported_type':
      return false;
    default:
      return assertUnreachable(kind);
  }
}
