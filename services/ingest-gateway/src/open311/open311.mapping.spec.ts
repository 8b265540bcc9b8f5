import { describe, expect, it } from '@jest/globals';
import { HAZARD_CATEGORIES } from '@roadloop/contracts';
import { AppError } from '@roadloop/core';
import { parseOrThrow } from '@roadloop/http';
import type { HazardTracking } from '@roadloop/contracts';
import {
  hazardFromOpen311,
  open311Created,
  open311ListQuerySchema,
  open311RequestFromFeature,
  open311RequestFromTracking,
  open311ServiceDefinition,
  open311Services,
} from './open311.mapping';

/** The spec's example POST body (https://wiki.open311.org/GeoReport_v2#POST_Service_Request), its service and attribute replaced by ours. */
const SPEC_POST =
  'api_key=xyz&jurisdiction_id=city.gov&service_code=001&lat=37.76524078&long=-122.4212043&address_string=1234+5th+street' +
  '&email=smit333%40sfgov.edu&device_id=tt222111&account_id=123456&first_name=john&last_name=smith&phone=111111111' +
  '&description=A+large+sinkhole+is+destroying+the+street&media_url=http%3A%2F%2Fmycity.domain.com%2Fmedia%2Fimage.jpg&attribute[WHISHETN]=123';
const ours = SPEC_POST.replace('service_code=001', 'service_code=pothole').replace('attribute[WHISHETN]=123', 'attribute[severity]=high');

/** The fields of a request in the spec's example of GET requests, in its order. */
const SPEC_REQUEST_FIELDS = [
  'service_request_id', 'status', 'status_notes', 'service_name', 'service_code', 'description', 'agency_responsible', 'service_notice',
  'requested_datetime', 'updated_datetime', 'expected_datetime', 'address', 'address_id', 'zipcode', 'lat', 'long', 'media_url',
];

function problems(form: string): string[] {
  try {
    hazardFromOpen311(new URLSearchParams(form));
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).kind).toBe('invalid');
    return (err as AppError).fields.map((f) => f.field);
  }
  throw new Error('expected the request to be refused');
}

const tracking = (over: Partial<HazardTracking> = {}): HazardTracking => ({
  hazardId: '6f1c1c9e-8a43-4b8e-9a43-1d2f3e4a5b6c',
  stage: 'linked',
  placement: 'on_road',
  category: 'rockfall',
  severity: 'critical',
  lon: 1.5218,
  lat: 42.5063,
  description: 'Boulders on the lane',
  photoUrls: ['https://photos.example.org/1.jpg'],
  reportedAt: '2026-03-01T08:00:00.000Z',
  updatedAt: '2026-03-01T09:30:00.000Z',
  duplicate: false,
  road: { segmentId: 'w900001-0', name: 'Carretera General 2', roadClass: 'primary', jurisdiction: 'Canillo' },
  task: { countermeasure: 'rockfall_clearing', status: 'in_progress', updatedAt: '2026-03-01T09:30:00.000Z' },
  resolvedAt: null,
  ...over,
});

describe('Open311 services', () => {
  it('lists every hazard category as a service with the fields of the spec', () => {
    const services = open311Services();
    expect(services.map((s) => s.service_code)).toEqual([...HAZARD_CATEGORIES]);
    for (const s of services) {
      expect(Object.keys(s)).toEqual(['service_code', 'service_name', 'description', 'metadata', 'type', 'keywords', 'group']);
      expect(s).toMatchObject({ metadata: true, type: 'realtime', group: 'road hazards' });
      expect(s.service_name).not.toBe('');
    }
  });

  it('defines the severity attribute as a single-value list, and nothing for an unknown service', () => {
    const definition = open311ServiceDefinition('rockfall')!;
    expect(definition.attributes).toHaveLength(1);
    expect(definition.attributes[0]).toMatchObject({ code: 'severity', datatype: 'singlevaluelist', variable: true, required: false, order: 1 });
    expect(definition.attributes[0]!.values.map((v) => v.key)).toEqual(['low', 'medium', 'high', 'critical']);
    expect(open311ServiceDefinition('001')).toBeNull();
  });
});

describe(hazardFromOpen311.name, () => {
  it("reads the spec's example POST as a hazard report", () => {
    expect(hazardFromOpen311(new URLSearchParams(ours))).toEqual({
      category: 'pothole',
      severity: 'high',
      lon: -122.4212043,
      lat: 37.76524078,
      description: 'A large sinkhole is destroying the street',
      photoUrls: ['http://mycity.domain.com/media/image.jpg'],
      reporter: { name: 'john smith', contact: 'smit333@sfgov.edu' },
    });
  });

  it("refuses the spec's example as sent, naming its service and its attribute, which this endpoint does not have", () => {
    expect(problems(SPEC_POST).sort()).toEqual(['attribute[WHISHETN]', 'service_code']);
  });

  it('gives a request without a severity the default one, and keeps no empty field', () => {
    expect(hazardFromOpen311(new URLSearchParams('service_code=ice&lat=42.5&long=1.52&description=&media_url='))).toEqual({
      category: 'ice',
      severity: 'medium',
      lon: 1.52,
      lat: 42.5,
    });
  });

  it.each([
    ['lat', 'service_code=ice&lat=91&long=1.5'],
    ['long', 'service_code=ice&lat=42&long=east'],
    ['long', 'service_code=ice&lat=42&long=1e400'],
    ['lat', 'service_code=ice&long=1.5'],
    ['service_code', 'lat=42&long=1.5'],
    ['service_code', 'service_code=graffiti&lat=42&long=1.5'],
    ['attribute[severity]', 'service_code=ice&lat=42&long=1.5&attribute[severity]=apocalyptic'],
    ['media_url', 'service_code=ice&lat=42&long=1.5&media_url=javascript:alert(1)'],
    ['description', `service_code=ice&lat=42&long=1.5&description=${'x'.repeat(2001)}`],
    ['description', 'service_code=ice&lat=42&long=1.5&description=nul%00byte'],
    ['lat', 'service_code=ice&lat=42&lat=43&long=1.5'],
    ['callback', 'service_code=ice&lat=42&long=1.5&callback=x'],
  ])('names %s in %s', (field, form) => {
    expect(problems(form)).toContain(field);
  });

  it('says that a place given only by address cannot be placed', () => {
    try {
      hazardFromOpen311(new URLSearchParams('service_code=ice&address_string=1234+5th+street'));
      throw new Error('expected a refusal');
    } catch (err) {
      expect((err as AppError).fields[0]).toEqual({ field: 'lat', message: expect.stringContaining('address_string') });
    }
  });
});

describe('Open311 requests', () => {
  it('answers a POST with the id and no account, as the spec shows', () => {
    expect(open311Created('6f1c1c9e-8a43-4b8e-9a43-1d2f3e4a5b6c')).toEqual([
      { service_request_id: '6f1c1c9e-8a43-4b8e-9a43-1d2f3e4a5b6c', service_notice: expect.any(String), account_id: null },
    ]);
  });

  it("shows a request with the spec's fields, open while its task is worked on", () => {
    const request = open311RequestFromTracking(tracking());
    expect(Object.keys(request)).toEqual(SPEC_REQUEST_FIELDS);
    expect(request).toEqual({
      service_request_id: '6f1c1c9e-8a43-4b8e-9a43-1d2f3e4a5b6c',
      status: 'open',
      status_notes: 'A task (rockfall clearing) on Carretera General 2 is in progress.',
      service_name: 'Rockfall',
      service_code: 'rockfall',
      description: 'Boulders on the lane',
      agency_responsible: 'Canillo',
      service_notice: null,
      requested_datetime: '2026-03-01T08:00:00.000Z',
      updated_datetime: '2026-03-01T09:30:00.000Z',
      expected_datetime: null,
      address: 'Carretera General 2',
      address_id: 'w900001-0',
      zipcode: null,
      lat: 42.5063,
      long: 1.5218,
      media_url: 'https://photos.example.org/1.jpg',
    });
  });

  it('closes a request once its hazard is fixed, and says what happened at each stage', () => {
    expect(open311RequestFromTracking(tracking({ stage: 'fixed', resolvedAt: '2026-03-04T10:00:00.000Z' }))).toMatchObject({
      status: 'closed',
      status_notes: 'Fixed: the repair was verified on 2026-03-04.',
    });
    expect(open311RequestFromTracking(tracking({ stage: 'matched', task: null })).status_notes).toBe('Placed on Carretera General 2; no task yet.');
    expect(open311RequestFromTracking(tracking({ stage: 'received', placement: 'off_road', road: null, task: null }))).toMatchObject({
      status: 'open',
      status_notes: 'Not on a known road; a dispatcher will review it.',
      address: null,
      agency_responsible: null,
    });
    expect(open311RequestFromTracking(tracking({ stage: 'received', placement: 'pending', road: null, task: null })).status_notes).toBe(
      'Received; being placed on the road network.',
    );
  });

  it("maps the hazard list's status: resolved is closed, open and duplicate are open", () => {
    const feature = (status: string) => ({
      geometry: { type: 'Point' as const, coordinates: [1.5, 42.5] as [number, number] },
      properties: { id: '6f1c1c9e-8a43-4b8e-9a43-1d2f3e4a5b6c', category: 'ice', status, segmentId: 'w1-0', reportedAt: '2026-03-01T08:00:00.000Z', resolvedAt: null },
    });
    expect(open311RequestFromFeature(feature('resolved')).status).toBe('closed');
    expect(open311RequestFromFeature(feature('open')).status).toBe('open');
    expect(open311RequestFromFeature(feature('duplicate'))).toMatchObject({ status: 'open', status_notes: expect.stringContaining('followed together') });
    expect(Object.keys(open311RequestFromFeature(feature('open')))).toEqual(SPEC_REQUEST_FIELDS);
  });

  it("reads the list's filters as the spec names them", () => {
    expect(
      parseOrThrow(open311ListQuerySchema, {
        service_request_id: '6f1c1c9e-8a43-4b8e-9a43-1d2f3e4a5b6c, 7f1c1c9e-8a43-4b8e-9a43-1d2f3e4a5b6c',
        service_code: 'ice,rockfall',
        start_date: '2010-05-24T00:00:00Z',
        end_date: '2010-06-24T00:00:00Z',
        status: 'open',
      }),
    ).toEqual({
      service_request_id: ['6f1c1c9e-8a43-4b8e-9a43-1d2f3e4a5b6c', '7f1c1c9e-8a43-4b8e-9a43-1d2f3e4a5b6c'],
      service_code: ['ice', 'rockfall'],
      start_date: '2010-05-24T00:00:00Z',
      end_date: '2010-06-24T00:00:00Z',
      status: 'open',
    });
    for (const [field, value] of [['status', 'pending'], ['start_date', 'yesterday'], ['service_request_id', '638344'], ['service_code', '006'], ['page', '2']]) {
      expect(() => parseOrThrow(open311ListQuerySchema, { [field]: value })).toThrow(field);
    }
  });
});
