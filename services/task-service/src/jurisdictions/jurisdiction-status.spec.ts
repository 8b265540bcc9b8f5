import { describe, expect, it } from '@jest/globals';
import { statusColour } from './jurisdiction-status';

describe(statusColour.name, () => {
  it.each([
    [{ open: 0, overdue: 0, overdueP1: 0, dueSoon: 0 }, 'green'],
    [{ open: 5, overdue: 0, overdueP1: 0, dueSoon: 0 }, 'green'],
    [{ open: 5, overdue: 0, overdueP1: 0, dueSoon: 1 }, 'yellow'],
    [{ open: 5, overdue: 2, overdueP1: 0, dueSoon: 0 }, 'yellow'],
    [{ open: 5, overdue: 3, overdueP1: 0, dueSoon: 0 }, 'red'],
    [{ open: 5, overdue: 1, overdueP1: 1, dueSoon: 0 }, 'red'],
  ])('%o is %s', (counts, colour) => expect(statusColour(counts, 3)).toBe(colour));
});
