import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SegmentMatcher } from '../match/segment-matcher';
import { CsvRecordReader, CsvSyntaxError } from './csv-records';
import { matchPointsRange, NUMBER, RESULT_HEADER, RowError, writeFixed2 } from './match-points';

/**
 * A stand-in matcher that records the coordinates it is given and answers from them alone, so
 * that every number read and every row written can be checked exactly.
 */
function recordingMatcher(): { matcher: SegmentMatcher; seen: [number, number][] } {
  const seen: [number, number][] = [];
  const ids = ['r1', 'r,2'];
  const matcher = {
    matchInto(result: Float64Array): number {
      const [lon, lat] = result;
      seen.push([lon, lat]);
      const segment = Math.floor(Math.abs(lon * 7)) % 3;
      if (segment === 2) return -1;
      result[0] = Math.abs(lon * 1000) % 50;
      result[1] = Math.abs(lat) * 37;
      return segment;
    },
    segmentId: (index: number) => ids[index],
  };
  return { matcher: matcher as unknown as SegmentMatcher, seen };
}

type Outcome = { out: string; seen: [number, number][] } | { line: number; reason: string };

/** matchPointsRange over `text` as a whole file read in chunks of `chunkBytes`. */
async function readPoints(text: string | Buffer, chunkBytes?: number): Promise<Outcome> {
  const dir = mkdtempSync(join(tmpdir(), 'roadloop-points-'));
  try {
    writeFileSync(join(dir, 'points.csv'), text);
    const { matcher, seen } = recordingMatcher();
    const out = await open(join(dir, 'out.csv'), 'w');
    try {
      await matchPointsRange(matcher, join(dir, 'points.csv'), { start: 0, header: true }, 50, out, { chunkBytes });
    } catch (err) {
      if (err instanceof RowError) return { line: err.line, reason: err.reason };
      throw err;
    } finally {
      await out.close();
    }
    return { out: readFileSync(join(dir, 'out.csv'), 'utf8'), seen };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * What the command's rules say about `text`, record by record through the CSV reader alone (no
 * plain-record path): the rows it writes and the numbers it matches, or its first error.
 */
function expected(text: string): Outcome {
  const { matcher, seen } = recordingMatcher();
  const result = new Float64Array(4);
  const rows: string[] = [RESULT_HEADER];
  const reader = new CsvRecordReader();
  let records = 0;
  const trim = (field: string): string => field.replace(/^[ \t]+|[ \t]+$/g, '');
  const coordinate = (field: string, name: 'lon' | 'lat', line: number): number => {
    if (field === '') throw new RowError(line, `${name} is empty`);
    if (!NUMBER.test(field)) throw new RowError(line, `${name} ${JSON.stringify(field)} is not a number`);
    const limit = name === 'lon' ? 180 : 90;
    if (!(Math.abs(Number(field)) <= limit)) throw new RowError(line, `${name} ${field} is outside [-${limit}, ${limit}]`);
    return Number(field);
  };
  const onRecord = (fields: string[], line: number): void => {
    if (records++ === 0) {
      if (fields.join('\u0000') !== 'lon\u0000lat') throw new RowError(line, `expected the header "lon,lat", found "${fields.join(',')}"`);
      return;
    }
    if (fields.length === 1 && fields[0] === '') return;
    if (fields.length !== 2) throw new RowError(line, `expected 2 columns (lon,lat), found ${fields.length}`);
    const [lon, lat] = fields.map(trim);
    result[0] = coordinate(lon, 'lon', line);
    result[1] = coordinate(lat, 'lat', line);
    const segment = matcher.matchInto(result, 50);
    const id = segment < 0 ? '' : /,/.test(matcher.segmentId(segment)) ? `"${matcher.segmentId(segment)}"` : matcher.segmentId(segment);
    rows.push(segment < 0 ? `${lon},${lat},,,\n` : `${lon},${lat},${id},${result[0].toFixed(2)},${result[1].toFixed(2)}\n`);
  };
  try {
    reader.push(text, onRecord);
    reader.end(onRecord);
  } catch (err) {
    if (err instanceof RowError) return { line: err.line, reason: err.reason };
    if (err instanceof CsvSyntaxError) return { line: err.line, reason: err.message };
    throw err;
  }
  if (records === 0) throw new Error('the cases below always have a header');
  return { out: rows.join(''), seen };
}

const PLAIN = ['1.5,42.5', '-0.25,7', '+3.,.5', '179.9999999,-89.1234567', '0,0', '-0,-0.0'];

describe(matchPointsRange.name, () => {
  it.each([
    ['plain rows, LF', `lon,lat\n${PLAIN.join('\n')}\n`],
    ['plain rows, CRLF, no final line break', `lon,lat\r\n${PLAIN.join('\r\n')}`],
    ['a BOM and a quoted header', `\uFEFF"lon","lat"\n${PLAIN.join('\n')}\n`],
    ['quoted fields among plain rows', `lon,lat\n1.5,42.5\n"1.5","42.5"\n" 2.5 ",3\n"1,5",2\n4,5\n`],
    ['a quoted field holding a line break', `lon,lat\n1,2\n"1\n",2\n3,4\n`],
    ['blank lines', `lon,lat\n\n1,2\n\r\n\n3,4\n\n`],
    ['spaces and tabs around fields', `lon,lat\n 1,2\n1 ,2\n1,\t2\n5,6\n`],
    ['exponents', `lon,lat\n1e1,2E-1\n3,4\n`],
    ['lone CRs as line breaks', `lon,lat\r1,2\r3,4\r5,6\n7,8\n`],
    ['more than 15 digits', `lon,lat\n1.23456789012345678,-0.000000000000000001\n73.104285101604987,89.123456789012345\n12345678901234567e-15,1\n`],
    ['non-ASCII text in quotes', `lon,lat\n1,2\n"é",2\n`],
  ])('reads %s as the CSV reader does, in any chunking', async (_name, text) => {
    const want = expected(text);
    for (const chunkBytes of [1, 2, 3, 5, 8, 13, 64, undefined]) expect(await readPoints(text, chunkBytes)).toEqual(want);
  });

  it.each([
    ['a bad number', 'lon,lat\n1,2\n1.5.3,2\n3,4\n', 3, 'lon "1.5.3" is not a number'],
    ['a NUL byte', 'lon,lat\n1,2\n3,4\u0000\n', 3, 'lat "4\\u0000" is not a number'],
    ['a NUL byte alone', 'lon,lat\n1,2\n\u0000\n', 3, 'expected 2 columns (lon,lat), found 1'],
    ['an empty field', 'lon,lat\n1,2\n,2\n', 3, 'lon is empty'],
    ['a value out of range', 'lon,lat\r\n1,2\r\n\r\n1,90.5\r\n', 4, 'lat 90.5 is outside [-90, 90]'],
    ['a third column', 'lon,lat\n1,2\n1,2,3\n', 3, 'expected 2 columns (lon,lat), found 3'],
    ['an unclosed quote', 'lon,lat\n1,2\n"1,2\n3,4\n', 3, 'a quoted field is not closed before the end of the file'],
    ['a line after quoted fields and blank CRLF lines', 'lon,lat\n"1",2\r\n\r\n" 3 ","4"\nx,4\n', 5, 'lon "x" is not a number'],
    ['a wrong header', 'lat,lon\n1,2\n', 1, 'expected the header "lon,lat", found "lat,lon"'],
    ['a header of numbers', '1,2\n3,4\n', 1, 'expected the header "lon,lat", found "1,2"'],
  ])('stops at %s with its line and field, in any chunking', async (_name, text, line, reason) => {
    expect(expected(text)).toEqual({ line, reason }); // the rules, as the CSV reader alone applies them
    for (const chunkBytes of [1, 2, 3, 7, 64, undefined]) expect(await readPoints(text, chunkBytes)).toEqual({ line, reason });
  });

  it('reads random mixes of plain and unusual records as the CSV reader does', async () => {
    const digits = fc.stringMatching(/^[0-9]{0,19}$/);
    const plainNumber = fc
      .tuple(fc.constantFrom('', '-', '+'), digits, fc.option(digits, { nil: undefined }))
      .map(([sign, whole, fraction]) => `${sign}${whole}${fraction === undefined ? '' : `.${fraction}`}`);
    const inRange = fc.double({ min: -90, max: 90, noNaN: true }).chain((v) => fc.integer({ min: 0, max: 17 }).map((k) => v.toFixed(k)));
    const unusual = fc.constantFrom('1e2', ' 3', '"4"', '"1,5"', '', 'x', '\u0000', '.', '-', '5.5.5', '"a""b"', '1\t');
    const field = fc.oneof({ weight: 4, arbitrary: inRange }, { weight: 2, arbitrary: plainNumber }, { weight: 1, arbitrary: unusual });
    const record = fc.oneof({ weight: 6, arbitrary: fc.tuple(field, field).map(([a, b]) => `${a},${b}`) }, { weight: 1, arbitrary: fc.constantFrom('', '1,2,3', '"x\ny",1') });
    const lineBreak = fc.constantFrom('\n', '\n', '\n', '\r\n', '\r');
    const file = fc
      .tuple(fc.boolean(), fc.array(fc.tuple(record, lineBreak), { maxLength: 30 }), fc.boolean())
      .map(([bom, records, last]) => `${bom ? '\uFEFF' : ''}lon,lat\n${records.map(([r, br]) => r + br).join('')}${last ? '1,2' : ''}`);
    await fc.assert(
      fc.asyncProperty(file, fc.integer({ min: 1, max: 40 }), async (text, chunkBytes) => {
        expect(await readPoints(text, chunkBytes)).toEqual(expected(text));
      }),
      { numRuns: 300 },
    );
  });
});

/** The double next to x (x > 0) upwards or downwards. */
function nextDouble(x: number, step: 1 | -1): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  view.setBigUint64(0, view.getBigUint64(0) + BigInt(step));
  return view.getFloat64(0);
}

describe(writeFixed2.name, () => {
  const fixed2 = (x: number): string => {
    const b = Buffer.alloc(64);
    return b.toString('latin1', 0, writeFixed2(b, 0, Float64Array.of(x), 0));
  };

  it('writes what toFixed(2) writes, halves and their neighbours included', () => {
    const cases = [0, -0, 0.005, 0.015, 0.125, 0.375, 1.005, 1.015, 2.675, 10.235, 99.995, 9999999.995, 1e7, 1.5e7, -1.005, 123456.785, 5e-324, Number.MAX_VALUE];
    for (let k = 0; k < 20000; k++) cases.push((k + 0.5) / 100, nextDouble((k + 0.5) / 100, 1), nextDouble((k + 0.5) / 100, -1));
    expect(cases.filter((x) => fixed2(x) !== x.toFixed(2))).toEqual([]);
  });

  it('writes what toFixed(2) writes for any double', () => {
    fc.assert(
      fc.property(fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.double({ min: 0, max: 2e7, noNaN: true })), (x) => {
        expect(fixed2(x)).toBe(x.toFixed(2));
      }),
      { numRuns: 5000 },
    );
  });
});
