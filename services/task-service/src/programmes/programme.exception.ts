import { AppError, ErrorKind } from '@roadloop/core';

/** Codes of the programme module's errors and the kind (→ HTTP status) of each. */
export const PROGRAMME_ERROR_KINDS = {
  PROGRAMME_NOT_FOUND: 'not_found',
  PROGRAMME_ALREADY_APPROVED: 'conflict',
} as const satisfies Record<string, ErrorKind>;
export type ProgrammeErrorCode = keyof typeof PROGRAMME_ERROR_KINDS;

export class ProgrammeException extends AppError {
  constructor(code: ProgrammeErrorCode, message: string) {
    super(PROGRAMME_ERROR_KINDS[code], code, message);
  }
}
