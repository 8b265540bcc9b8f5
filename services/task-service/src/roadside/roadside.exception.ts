import { AppError, ErrorKind } from '@roadloop/core';

/** Codes of the roadside module's errors (inventory, surveys, stretches) and the kind (→ HTTP status) of each. */
export const ROADSIDE_ERROR_KINDS = {
  INVENTORY_ROWS_INVALID: 'invalid',
  SURVEY_FINDINGS_INVALID: 'invalid',
  NOT_A_SURVEY: 'conflict',
  SURVEY_NOT_STARTED: 'conflict',
  STRETCH_NOT_FOUND: 'not_found',
} as const satisfies Record<string, ErrorKind>;
export type RoadsideErrorCode = keyof typeof ROADSIDE_ERROR_KINDS;

export class RoadsideException extends AppError {
  constructor(code: RoadsideErrorCode, message: string, fields: { field: string; message: string }[] = []) {
    super(ROADSIDE_ERROR_KINDS[code], code, message, fields);
  }
}
