import { describe, expect, it } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { CsvRecordReader, CsvSyntaxError } from './csv-records';

interface Read {
  records: string[][];
  lines: number[];
}

/** Reads `text` fed in pieces cut at `cuts` (sorted offsets), as a stream would deliver it. */
function read(text: string, cuts: number[] = []): Read {
  const reader = new CsvRecordReader();
  const records: string[][] = [];
  const lines: number[] = [];
  const on = (fields: string[], line: number): void => {
    records.push(fields);
    lines.push(line);
  };
  let from = 0;
  for (const cut of [...cuts, text.length]) {
    reader.push(text.slice(from, cut), on);
    from = cut;
  }
  reader.end(on);
  return { records, lines };
}

describe(CsvRecordReader.name, () => {
  it('splits fields at commas and records at LF, CRLF and CR, numbering lines from 1', () => {
    expect(read('a,b\n1,2\r\n3,4\r5,6')).toEqual({
      records: [['a', 'b'], ['1', '2'], ['3', '4'], ['5', '6']],
      lines: [1, 2, 3, 4],
    });
  });

  it('keeps commas, doubled quotes and line breaks inside quoted fields', () => {
    const { records, lines } = read('"a,b","say ""hi"""\n"two\r\nlines",x\n"",last\n');
    expect(records).toEqual([['a,b', 'say "hi"'], ['two\r\nlines', 'x'], ['', 'last']]);
    expect(lines).toEqual([1, 2, 4]);
  });

  it('drops spaces and tabs around fields and their quotes, not inside quotes', () => {
    expect(read(' 1.5 ,\t"42.5"  \n " a " ,b').records).toEqual([['1.5', '42.5'], [' a ', 'b']]);
  });

  it('skips a UTF-8 byte order mark at the start only', () => {
    expect(read('\uFEFFlon,lat\n\uFEFF1,2\n').records).toEqual([['lon', 'lat'], ['\uFEFF1', '2']]);
  });

  it('gives an empty line as one empty field, and a trailing comma as an empty last field', () => {
    expect(read('a\n\n1,\n').records).toEqual([['a'], [''], ['1', '']]);
  });

  it('reads the same records wherever the chunks are cut (inside quotes, between CR and LF, in a doubled quote)', () => {
    const text = 'lon,lat\r\n"1,5","4""2"\r\n\r\n"x\ny",3\r\n7,8';
    const whole = read(text);
    for (let a = 0; a <= text.length; a++) {
      for (let b = a; b <= text.length; b += 3) expect(read(text, [a, b])).toEqual(whole);
    }
  });

  it.each([
    ['an unclosed quote', '1,2\n"3,4\n5,6\n', 2, /not closed/],
    ['text after a closing quote', '1,2\n"3"x,4\n', 2, /unexpected "x" after a closing quote/],
    ['a quote inside an unquoted field', '1,2\n3,4\n5"6,7\n', 3, /a quote inside a field/],
  ])('refuses %s, naming its line', (_name, text, line, message) => {
    let error: unknown;
    try {
      read(text);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CsvSyntaxError);
    expect((error as CsvSyntaxError).line).toBe(line);
    expect((error as CsvSyntaxError).message).toMatch(message);
  });

  it('reads what csv-parse reads, for any fields and any chunking', () => {
    const field = fc.oneof(
      fc.stringMatching(/^[0-9a-z.+-]{0,8}$/),
      fc.string({ unit: fc.constantFrom('a', '1', ',', '"', '\n', '\r', ' ', 'é'), maxLength: 8 }).map((s) => `"${s.replace(/"/g, '""')}"`),
    );
    const record = fc.array(field, { minLength: 1, maxLength: 4 }).map((fields) => fields.join(','));
    const file = fc.tuple(fc.array(record, { minLength: 1, maxLength: 12 }), fc.constantFrom('\n', '\r\n'), fc.boolean());
    fc.assert(
      fc.property(file, fc.array(fc.nat(), { maxLength: 4 }), ([records, eol, trailing], rawCuts) => {
        const text = records.join(eol) + (trailing ? eol : '');
        const cuts = rawCuts.map((c) => c % (text.length + 1)).sort((a, b) => a - b);
        const expected = parse(text, { relax_column_count: true, skip_empty_lines: false, trim: true }) as string[][];
        expect(read(text, cuts).records).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });
});
