import { describe, expect, it } from '@jest/globals';
import { statusColour, statusReasons } from './jurisdiction-status';

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

describe(statusReasons.name, () => {
  it('names what makes an area red or yellow, and says so when nothing does', () => {
    expect(statusReasons({ open: 5, overdue: 3, overdueP1: 1, dueSoon: 1 }, 3, 24)).toEqual([
      '1 task of priority p1 overdue',
      '3 tasks overdue (red from 3)',
      '1 task due within 24 h',
    ]);
    expect(statusReasons({ open: 2, overdue: 0, overdueP1: 0, dueSoon: 0 }, 3, 24)).toEqual(['2 tasks open, none overdue or due soon']);
    expect(statusReasons({ open: 0, overdue: 0, overdueP1: 0, dueSoon: 0 }, 3, 24)).toEqual(['no open tasks']);
  });
});
