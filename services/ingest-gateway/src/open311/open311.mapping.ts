import { z } from 'zod';
import { HAZARD_CATEGORIES, HAZARD_SEVERITIES, HazardCategory, HazardTracking, hazardReportSchema } from '@roadloop/contracts';
import { FieldProblem } from '@roadloop/core';
import { ValidationError } from '@roadloop/http';
import type { HazardInput } from '../hazards/hazard-input.schema';

// Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2): the hazard categories are its
// services, a hazard is a service request, its id the service_request_id. Field names and order
// follow the spec's examples.

export interface Open311Service {
  service_code: string;
  service_name: string;
  description: string;
  metadata: boolean;
  type: 'realtime' | 'batch' | 'blackbox';
  keywords: string;
  group: string;
}

const SERVICES: Record<HazardCategory, { name: string; description: string; keywords: string }> = {
  rockfall: { name: 'Rockfall', description: 'Rocks or boulders fallen onto the road, or about to fall from the slope above it.', keywords: 'rock, boulder, stones, cliff' },
  landslide: { name: 'Landslide', description: 'Earth, mud or a slope slid onto or away from the road.', keywords: 'landslide, mudslide, slope, subsidence' },
  missing_guardrail: { name: 'Missing guardrail', description: 'No guardrail where the road runs beside a drop, a river or a reservoir.', keywords: 'guardrail, barrier, railing, drop' },
  damaged_guardrail: { name: 'Damaged guardrail', description: 'A guardrail bent, broken or missing a section.', keywords: 'guardrail, barrier, railing, crash' },
  flooded_road: { name: 'Flooded road', description: 'Water over the road, or a road washed out by a river or a storm.', keywords: 'flood, water, river, washout' },
  pothole: { name: 'Pothole', description: 'A hole or a broken surface in the roadway.', keywords: 'pothole, hole, surface, asphalt' },
  sight_obstruction: { name: 'Sight obstruction', description: 'Vegetation or an object that hides a bend, a junction or a sign.', keywords: 'vegetation, trees, bushes, visibility, bend' },
  missing_sign: { name: 'Missing sign', description: 'A warning or regulatory sign missing, knocked down or unreadable.', keywords: 'sign, warning, signpost' },
  ice: { name: 'Ice', description: 'Ice or packed snow on the roadway.', keywords: 'ice, snow, frost, slippery' },
  debris: { name: 'Debris', description: 'Objects, branches or spilled load on the road.', keywords: 'debris, branches, load, obstacle' },
  other: { name: 'Other road hazard', description: 'Another danger on the road; say what in the description.', keywords: 'other, danger' },
};

/** GET services: every hazard category, each with the severity attribute (metadata true). */
export function open311Services(): Open311Service[] {
  return HAZARD_CATEGORIES.map((code) => ({
    service_code: code,
    service_name: SERVICES[code].name,
    description: SERVICES[code].description,
    metadata: true,
    type: 'realtime',
    keywords: SERVICES[code].keywords,
    group: 'road hazards',
  }));
}

/** The severity a request without `attribute[severity]` is given: enough to be placed and scored, not to open a task by itself. */
export const DEFAULT_SEVERITY = 'medium';
const SEVERITY_NAMES: Record<(typeof HAZARD_SEVERITIES)[number], string> = {
  low: 'Low: an inconvenience',
  medium: 'Medium: drivers must slow down',
  high: 'High: dangerous, needs a fix soon',
  critical: 'Critical: the road is blocked or life is at risk',
};

/** GET services/{code}: the service definition, with the one attribute every category has. */
export function open311ServiceDefinition(code: string) {
  if (!isServiceCode(code)) return null;
  return {
    service_code: code,
    attributes: [
      {
        variable: true,
        code: 'severity',
        datatype: 'singlevaluelist',
        required: false,
        datatype_description: `One of the keys; ${DEFAULT_SEVERITY} when not given.`,
        order: 1,
        description: 'How dangerous is it?',
        values: HAZARD_SEVERITIES.map((key) => ({ key, name: SEVERITY_NAMES[key] })),
      },
    ],
  };
}

export const isServiceCode = (code: string): code is HazardCategory => (HAZARD_CATEGORIES as readonly string[]).includes(code);

/** The fields of a POST service request the spec names; any other field is refused by name. */
const SPEC_FIELDS = [
  'api_key', 'jurisdiction_id', 'service_code', 'lat', 'long', 'address_string', 'address_id', 'email', 'device_id',
  'account_id', 'first_name', 'last_name', 'phone', 'description', 'media_url',
] as const;
const ATTRIBUTE = /^attribute\[([^\]]*)\]$/;

const number = (min: number, max: number) =>
  z.string().trim().regex(/^[+-]?(\d+(\.\d*)?|\.\d+)$/, 'must be a decimal number').transform(Number).pipe(z.number().min(min).max(max));

const postSchema = z.object({
  service_code: z.string({ error: 'required' }).refine(isServiceCode, `must be one of the services (${HAZARD_CATEGORIES.join(', ')})`),
  lat: number(-90, 90),
  long: number(-180, 180),
  description: hazardReportSchema.shape.description.unwrap().optional(),
  media_url: z.string().max(2048).url({ protocol: /^https?$/, error: 'must be an http or https URL' }).optional(),
  jurisdiction_id: z.string().max(200).optional(),
  first_name: z.string().max(100).optional(),
  last_name: z.string().max(100).optional(),
  email: z.string().max(200).optional(),
  phone: z.string().max(200).optional(),
  severity: z.enum(HAZARD_SEVERITIES, { error: `must be one of ${HAZARD_SEVERITIES.join(', ')}` }).optional(),
});

/** Where a field of the hazard report came from in the Open311 request: a problem names the field the client sent. */
const OPEN311_FIELD: Record<string, string> = {
  category: 'service_code',
  severity: 'attribute[severity]',
  lon: 'long',
  lat: 'lat',
  description: 'description',
  photoUrls: 'media_url',
  'photoUrls.0': 'media_url',
  'reporter.name': 'first_name',
  'reporter.contact': 'email',
};

/**
 * A POST service request's form fields (each name once; `attribute[code]` for the service
 * definition's attributes) as a hazard report. Refused, naming the field: a field the spec does
 * not know, an attribute the definition does not have, a repeated field, a place given only as an
 * address (there is no geocoder: lat and long are needed).
 */
export function hazardFromOpen311(form: URLSearchParams): HazardInput {
  const problems: FieldProblem[] = [];
  const fields: Record<string, string> = {};
  for (const [name, value] of form) {
    const attribute = ATTRIBUTE.exec(name)?.[1];
    const key = attribute === undefined ? name : attribute === 'severity' ? 'severity' : null;
    if (key === null) {
      problems.push({ field: name, message: 'unknown attribute: the service definition has only attribute[severity]' });
    } else if (attribute === undefined && !(SPEC_FIELDS as readonly string[]).includes(name)) {
      problems.push({ field: name, message: 'unknown field' });
    } else if (key in fields) {
      problems.push({ field: name, message: 'given more than once' });
    } else {
      fields[key] = value;
    }
  }
  for (const empty of Object.keys(fields).filter((k) => fields[k] === '' && k !== 'service_code' && k !== 'lat' && k !== 'long')) delete fields[empty];
  if (fields.lat === undefined && fields.long === undefined && (fields.address_string || fields.address_id)) {
    problems.push({ field: 'lat', message: 'lat and long are required: a place given only by address_string or address_id cannot be placed' });
  }
  const parsed = postSchema.safeParse(fields);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? '(body)');
      problems.push({ field: field === 'severity' ? 'attribute[severity]' : field, message: issue.message });
    }
  }
  if (problems.length || !parsed.success) throw new ValidationError(dedupe(problems), 'service request');
  const f = parsed.data;
  const name = [f.first_name, f.last_name].filter(Boolean).join(' ');
  const contact = f.email ?? f.phone;
  return {
    category: f.service_code as HazardCategory,
    severity: f.severity ?? DEFAULT_SEVERITY,
    lon: f.long,
    lat: f.lat,
    ...(f.description ? { description: f.description } : {}),
    ...(f.media_url ? { photoUrls: [f.media_url] } : {}),
    ...(name || contact ? { reporter: { ...(name ? { name } : {}), ...(contact ? { contact } : {}) } } : {}),
  };
}

const dedupe = (problems: FieldProblem[]) => problems.filter((p, i) => problems.findIndex((q) => q.field === p.field) === i);

/** A hazard report's validation problems under the Open311 names of the fields. */
export function asOpen311Problem(error: ValidationError): ValidationError {
  return new ValidationError(error.fields.map((f) => ({ field: OPEN311_FIELD[f.field] ?? f.field, message: f.message })), 'service request');
}

/** The answer to a POST: the new request's id (the hazard's id, also its tracking code). */
export function open311Created(hazardId: string) {
  return [
    {
      service_request_id: hazardId,
      service_notice: 'Received. Keep the service_request_id: it is the only way to follow this request.',
      account_id: null,
    },
  ];
}

export type Open311Status = 'open' | 'closed';

export interface Open311Request {
  service_request_id: string;
  status: Open311Status;
  status_notes: string | null;
  service_name: string;
  service_code: string;
  description: string | null;
  agency_responsible: string | null;
  service_notice: string | null;
  requested_datetime: string;
  updated_datetime: string | null;
  expected_datetime: string | null;
  address: string | null;
  address_id: string | null;
  zipcode: string | null;
  lat: number;
  long: number;
  media_url: string | null;
}

/** Closed once a verified task resolved the hazard; open while it is reported, placed, being fixed, or followed as a duplicate. */
export const open311StatusOf = (hazardStatus: string): Open311Status => (hazardStatus === 'resolved' ? 'closed' : 'open');

const serviceName = (code: string) => (isServiceCode(code) ? SERVICES[code].name : code);
const words = (id: string) => id.replace(/_/g, ' ');

/** What has happened to a request, in a sentence: from its hazard and the task that fixes it. */
export function statusNotes(t: HazardTracking): string {
  if (t.stage === 'fixed') return `Fixed: the repair was verified${t.resolvedAt ? ` on ${t.resolvedAt.slice(0, 10)}` : ''}.`;
  const road = t.road ? (t.road.name ?? `segment ${t.road.segmentId}`) : null;
  const again = t.duplicate ? ' Reported before by someone else; followed together.' : '';
  if (t.stage === 'linked' && t.task) return `A task (${words(t.task.countermeasure)}) on ${road} is ${words(t.task.status)}.${again}`;
  if (t.stage === 'matched') return `Placed on ${road}; no task yet.${again}`;
  if (t.placement === 'off_road') return 'Not on a known road; a dispatcher will review it.';
  return 'Received; being placed on the road network.';
}

/** One request (GET requests/{id}) from its tracking view. */
export function open311RequestFromTracking(t: HazardTracking): Open311Request {
  return {
    service_request_id: t.hazardId,
    status: t.stage === 'fixed' ? 'closed' : 'open',
    status_notes: statusNotes(t),
    service_name: serviceName(t.category),
    service_code: t.category,
    description: t.description,
    agency_responsible: t.road?.jurisdiction ?? null,
    service_notice: null,
    requested_datetime: t.reportedAt,
    updated_datetime: t.updatedAt,
    expected_datetime: null,
    address: t.road ? (t.road.name ?? null) : null,
    address_id: t.road?.segmentId ?? null,
    zipcode: null,
    lat: t.lat,
    long: t.lon,
    media_url: t.photoUrls[0] ?? null,
  };
}

/** A feature of the risk service's hazard list (GeoJSON), as GET /v1/hazards?format=geojson gives it. */
export interface HazardFeature {
  id?: string;
  geometry: { type: 'Point'; coordinates: [number, number] };
  properties: {
    id: string;
    category: string;
    status: string;
    segmentId?: string | null;
    reportedAt: string;
    resolvedAt?: string | null;
    description?: string | null;
  };
}

/** A request of the list (GET requests) from a hazard of the risk service's list. */
export function open311RequestFromFeature(f: HazardFeature): Open311Request {
  const p = f.properties;
  const status = open311StatusOf(p.status);
  return {
    service_request_id: p.id,
    status,
    status_notes: status === 'closed' ? 'Fixed: the repair was verified.' : p.status === 'duplicate' ? 'Reported before by someone else; followed together.' : null,
    service_name: serviceName(p.category),
    service_code: p.category,
    description: p.description ?? null,
    agency_responsible: null,
    service_notice: null,
    requested_datetime: p.reportedAt,
    updated_datetime: p.resolvedAt ?? p.reportedAt,
    expected_datetime: null,
    address: null,
    address_id: p.segmentId ?? null,
    zipcode: null,
    lat: f.geometry.coordinates[1],
    long: f.geometry.coordinates[0],
    media_url: null,
  };
}

/** GET requests' filters (spec: service_request_id, service_code, start_date, end_date, status). */
export const open311ListQuerySchema = z
  .object({
    service_request_id: z
      .string()
      .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
      .pipe(z.array(z.uuid({ error: 'must be service_request_ids given by this endpoint, comma-separated' })).min(1).max(50))
      .optional(),
    service_code: z
      .string()
      .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
      .pipe(z.array(z.enum(HAZARD_CATEGORIES, { error: `must be services of this endpoint (${HAZARD_CATEGORIES.join(', ')})` })))
      .optional(),
    start_date: z.iso.datetime({ offset: true, error: 'must be a w3 date-time with its offset, e.g. 2026-03-01T00:00:00Z' }).optional(),
    end_date: z.iso.datetime({ offset: true, error: 'must be a w3 date-time with its offset, e.g. 2026-03-01T00:00:00Z' }).optional(),
    status: z.enum(['open', 'closed']).optional(),
    jurisdiction_id: z.string().max(200).optional(),
  })
  .strict()
  .superRefine((q, ctx) => {
    if (q.start_date && q.end_date && Date.parse(q.start_date) > Date.parse(q.end_date)) {
      ctx.addIssue({ code: 'custom', path: ['start_date'], message: 'must not be after end_date' });
    }
  });
export type Open311ListQuery = z.infer<typeof open311ListQuerySchema>;

/** The spec's default window of a list without dates (the last 90 days), and its largest page. */
export const LIST_DEFAULT_DAYS = 90;
export const LIST_MAX = 1000;

/** The hazard statuses an Open311 status covers. */
export const hazardStatusesOf = (status: Open311Status | undefined): string[] | undefined =>
  status === undefined ? undefined : status === 'closed' ? ['resolved'] : ['open', 'duplicate'];
