import { AppError } from '@roadloop/core';

/** The times a report may carry: up to `skewS` ahead of now, at most `maxAgeS` before it. */
export interface ReportTimeWindow {
  maxAgeS: number;
  skewS: number;
}

export class ReportTimeError extends AppError {
  constructor(field: string, message: string) {
    super('invalid', 'REPORT_TIME_OUT_OF_RANGE', `${field}: ${message}`, [{ field, message }]);
  }
}

/**
 * Refuses a report time outside its window, naming the field: a reporter does not choose to be
 * first in every newest-first list (a time in the future) or to slip past the duplicate rule and
 * into a frozen past (a time long ago).
 */
export function assertReportTime(field: string, at: string, window: ReportTimeWindow, now = new Date()): void {
  const t = Date.parse(at);
  const latest = now.getTime() + window.skewS * 1000;
  const earliest = now.getTime() - window.maxAgeS * 1000;
  if (t > latest) throw new ReportTimeError(field, `must not be in the future (more than ${window.skewS} s ahead of ${now.toISOString()})`);
  if (t < earliest) throw new ReportTimeError(field, `must not be before ${new Date(earliest).toISOString()} (${describe(window.maxAgeS)} ago)`);
}

function describe(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400} days`;
  if (seconds % 3_600 === 0) return `${seconds / 3_600} hours`;
  return `${seconds} s`;
}
