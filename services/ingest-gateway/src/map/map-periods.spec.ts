import { describe, expect, it } from '@jest/globals';
// The page's own module (plain JavaScript served to the browser); the period arithmetic is pure.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { periodOf } = require('../../public/map/panels.js') as {
  periodOf(choice: string, now?: Date): { verifiedFrom?: string; verifiedTo?: string };
};

describe('the map\'s "Did the fixes work?" periods', () => {
  it('takes the calendar quarter before the current one, across a year boundary too', () => {
    expect(periodOf('last-quarter', new Date('2026-11-27T12:00:00Z'))).toEqual({ verifiedFrom: '2026-07-01', verifiedTo: '2026-09-30' });
    expect(periodOf('last-quarter', new Date('2026-02-10T00:00:00Z'))).toEqual({ verifiedFrom: '2025-10-01', verifiedTo: '2025-12-31' });
    expect(periodOf('last-quarter', new Date('2026-04-01T00:00:00Z'))).toEqual({ verifiedFrom: '2026-01-01', verifiedTo: '2026-03-31' });
  });

  it('takes the last 12 months up to today, or no bounds at all', () => {
    expect(periodOf('12-months', new Date('2026-11-27T12:00:00Z'))).toEqual({ verifiedFrom: '2025-11-27', verifiedTo: '2026-11-27' });
    expect(periodOf('', new Date('2026-11-27T12:00:00Z'))).toEqual({});
  });
});
