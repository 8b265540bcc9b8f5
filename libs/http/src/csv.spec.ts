import { describe, expect, it } from '@jest/globals';
import { toCsv } from './csv';

describe(toCsv.name, () => {
  it('writes a header and one CRLF-ended line per row; empty for null, lists joined with ;', () => {
    expect(toCsv(['a', 'b', 'c', 'd'], [[1, true, null, ['x', 'y']], [undefined, 2.5, 'plain', []]])).toBe('a,b,c,d\r\n1,true,,x;y\r\n,2.5,plain,\r\n');
  });

  it('quotes commas, quotes and line breaks as RFC 4180 asks', () => {
    expect(toCsv(['v'], [['a,b'], ['say "hi"'], ['two\nlines']])).toBe('v\r\n"a,b"\r\n"say ""hi"""\r\n"two\nlines"\r\n');
  });

  it('defuses text a spreadsheet would run as a formula, but not negative numbers', () => {
    expect(toCsv(['v'], [['=1+1'], ['+x'], ['-x'], ['@x'], ['\tx'], [-3], ['=a,b']])).toBe("v\r\n'=1+1\r\n'+x\r\n'-x\r\n'@x\r\n'\tx\r\n-3\r\n\"'=a,b\"\r\n");
  });
});
