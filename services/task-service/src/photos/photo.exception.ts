import { AppError, ErrorKind } from '@roadloop/core';

/** Codes of the evidence store's errors and the kind (→ HTTP status) of each. */
export const PHOTO_ERROR_KINDS = {
  PHOTO_TOO_LARGE: 'too_large',
  PHOTO_EMPTY: 'invalid',
  PHOTO_HASH_MISMATCH: 'invalid',
  PHOTO_TYPE_UNSUPPORTED: 'unsupported_type',
  PHOTO_TYPE_MISMATCH: 'unsupported_type',
  PHOTO_TRUNCATED: 'invalid',
  PHOTO_UNREADABLE: 'invalid',
  PHOTO_NOT_FOUND: 'not_found',
  THUMBNAIL_UNAVAILABLE: 'not_found',
  PHOTO_TASK_CLOSED: 'conflict',
  PHOTO_LIMIT_REACHED: 'conflict',
} as const satisfies Record<string, ErrorKind>;
export type PhotoErrorCode = keyof typeof PHOTO_ERROR_KINDS;

export class PhotoException extends AppError {
  constructor(code: PhotoErrorCode, message: string, fields: { field: string; message: string }[] = []) {
    super(PHOTO_ERROR_KINDS[code], code, message, fields);
  }
}
