import { DeadLetterCode } from '@roadloop/contracts';
import { AppError, ErrorKind } from '@roadloop/core';

/**
 * Codes of the intake's domain errors and the kind of each. They are dead-letter codes too: the
 * consumer library dead-letters a report refused with one of them under that code, at once.
 */
export const INTAKE_ERROR_KINDS = {
  [DeadLetterCode.DuplicateEventId]: 'conflict',
  [DeadLetterCode.DuplicateReportId]: 'conflict',
  [DeadLetterCode.DuplicateExternalId]: 'conflict',
} as const satisfies Record<string, ErrorKind>;
export type IntakeErrorCode = keyof typeof INTAKE_ERROR_KINDS;

export class IntakeException extends AppError {
  constructor(code: IntakeErrorCode, message: string) {
    super(INTAKE_ERROR_KINDS[code], code, message);
  }
}
