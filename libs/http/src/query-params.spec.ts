import { describe, expect, it } from '@jest/globals';
import { bboxParam, enumListParam } from './query-params';

const messagesOf = (schema: ReturnType<typeof bboxParam>, raw: string) => {
  const r = schema.safeParse(raw);
  return r.success ? [] : r.error.issues.map((i) => i.message);
};

describe(bboxParam.name, () => {
  it('parses four numbers, spaces allowed', () => {
    expect(bboxParam().parse(' 1.4, 42.4,1.6 ,42.6')).toEqual([1.4, 42.4, 1.6, 42.6]);
  });

  it.each([
    ['1,2,3', 'expected minLon,minLat,maxLon,maxLat (four numbers)'],
    ['1,2,,4', 'expected minLon,minLat,maxLon,maxLat (four numbers)'],
    ['a,b,c,d', 'expected minLon,minLat,maxLon,maxLat (four numbers)'],
    ['1,2,181,3', 'longitudes must be within [-180, 180]'],
    ['1,-91,2,3', 'latitudes must be within [-90, 90]'],
    ['2,1,1,3', 'minLon must be below maxLon and minLat below maxLat'],
    ['1,3,2,3', 'minLon must be below maxLon and minLat below maxLat'],
  ])('refuses %s with one message', (raw, message) => {
    expect(messagesOf(bboxParam(), raw)).toEqual([message]);
  });

  it('refuses a box larger than the area limit, and only when there is one', () => {
    expect(messagesOf(bboxParam(1), '0,0,1,1.5')).toEqual(['the box covers more than 1 square degree(s)']);
    expect(messagesOf(bboxParam(1), '0,0,1,1')).toEqual([]);
    expect(bboxParam().parse('-10,-10,10,10')).toEqual([-10, -10, 10, 10]);
  });
});

describe(enumListParam.name, () => {
  const levels = enumListParam(['low', 'medium', 'high']);

  it('takes known values, comma-separated, spaces around them allowed, duplicates dropped in the order given', () => {
    expect(levels.parse('high')).toEqual(['high']);
    expect(levels.parse('high, low,high')).toEqual(['high', 'low']);
  });

  it.each([
    ['extreme', 'unknown value(s) "extreme"; expected one or more of low, medium, high, comma-separated'],
    ['low,,x', 'unknown value(s) "", "x"; expected one or more of low, medium, high, comma-separated'],
    ['LOW', 'unknown value(s) "LOW"; expected one or more of low, medium, high, comma-separated'],
  ])('refuses %s, quoting each unknown value', (raw, message) => {
    const r = levels.safeParse(raw);
    expect(r.success ? [] : r.error.issues.map((i) => i.message)).toEqual([message]);
  });
});

