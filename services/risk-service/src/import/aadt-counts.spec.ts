import { describe, expect, it } from '@jest/globals';
import { parseAadtCsv } from './aadt-counts';

describe(parseAadtCsv.name, () => {
  it('reads segment and way ids with their counts, skipping the header, blanks and comments', () => {
    const counts = parseAadtCsv('id,aadt\n# counted 2026\nw6196407-3,12500\n\n6225803, 1800\nw24362255,900\n');
    expect([...counts]).toEqual([['w6196407-3', 12500], ['6225803', 1800], ['24362255', 900]]);
  });

  it.each([
    ['a missing count', 'w1-0\n', /counts\.csv:1: expected "id,aadt"/],
    ['a negative count', 'w1-0,-5\n', /counts\.csv:1: aadt "-5"/],
    ['a count in words', 'w1-0,many\n', /aadt "many"/],
    ['an unknown id', 'road 7,100\n', /id "road 7" is neither/],
    ['a repeated id', 'w1-0,100\nw1-0,200\n', /counts\.csv:2: w1-0 is counted twice/],
  ])('refuses %s, naming the line', (_label, text, message) => {
    expect(() => parseAadtCsv(text)).toThrow(message);
  });
});
