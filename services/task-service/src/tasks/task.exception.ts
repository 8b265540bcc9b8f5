import { AppError, ErrorKind } from '@roadloop/core';

/** Codes of the task module's domain errors and the kind (→ HTTP status) of each. */
export const TASK_ERROR_KINDS = {
  TASK_NOT_FOUND: 'not_found',
  ILLEGAL_TRANSITION: 'conflict',
  VERSION_CONFLICT: 'conflict',
  OPEN_TASK_EXISTS: 'conflict',
  DUPLICATE_TARGET_CLOSED: 'conflict',
  NOT_YOUR_TASK: 'forbidden',
  ROLE_NOT_ALLOWED: 'forbidden',
  UNKNOWN_CREW: 'invalid',
  UNKNOWN_TASK_REFERENCE: 'invalid',
  JURISDICTION_NOT_FOUND: 'not_found',
  INVALID_GEOMETRY: 'invalid',
  INVALID_DATE: 'invalid',
  RESERVED_ID: 'invalid',
  PHOTO_NOT_UPLOADED: 'invalid',
  IDEMPOTENCY_KEY_REUSED: 'invalid',
} as const satisfies Record<string, ErrorKind>;
export type TaskErrorCode = keyof typeof TASK_ERROR_KINDS;

export class TaskException extends AppError {
  constructor(
    code: TaskErrorCode,
    message: string,
    fields: { field: string; message: string }[] = [],
  ) {
    super(TASK_ERROR_KINDS[code], code, message, fields);
  }
}
