import { describe, expect, it } from '@jest/globals';
import { assertReportTime } from './report-time';

const now = new Date('2026-12-05T12:00:00Z');
const window = { maxAgeS: 72 * 3600, skewS: 300 };

describe(assertReportTime.name, () => {
  it('accepts a time from the window\'s start to the clock skew ahead', () => {
    for (const at of ['2026-12-02T12:00:00Z', '2026-12-05T11:59:59Z', '2026-12-05T12:05:00Z']) {
      expect(() => assertReportTime('reportedAt', at, window, now)).not.toThrow();
    }
  });

  it('refuses year 2999 and year 0001, and a minute past either bound, naming the field', () => {
    for (const at of ['2999-01-01T00:00:00Z', '2026-12-05T12:05:01Z', '0001-01-01T00:00:00Z', '2026-12-02T11:59:59Z']) {
      expect(() => assertReportTime('reportedAt', at, window, now)).toThrow(
        expect.objectContaining({ kind: 'invalid', code: 'REPORT_TIME_OUT_OF_RANGE', fields: [expect.objectContaining({ field: 'reportedAt' })] }),
      );
    }
    expect(() => assertReportTime('occurredAt', '0001-01-01T00:00:00Z', window, now)).toThrow(/occurredAt: must not be before 2026-12-02T12:00:00.000Z \(3 days ago\)/);
  });
});
