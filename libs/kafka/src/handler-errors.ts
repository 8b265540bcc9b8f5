/**
 * Thrown by a handler for a message that can never succeed (it refers to something that cannot
 * exist, breaks a business rule, …): the message is dead-lettered at once instead of retried.
 */
export class NonRetriableError extends Error {
  constructor(
    message: string,
    readonly code = 'REJECTED',
  ) {
    super(message);
    this.name = 'NonRetriableError';
  }
}

export function isNonRetriable(err: unknown): err is NonRetriableError {
  return err instanceof NonRetriableError;
}
