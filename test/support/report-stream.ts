import { Client } from 'pg';
import { waitFor } from './wait-for';

/** Points on the three sample segments (services/risk-service/fixtures/sample-segments.geojson). */
export const SAMPLE_POINTS: [number, number][] = [
  [1.521, 42.50575],
  [1.5223, 42.50665],
  [1.5806, 42.5343],
];

const CATEGORIES = ['pothole', 'debris', 'ice', 'rockfall', 'other'] as const;
const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;

/** What a stream of hazard reports posted to the gateway got back. */
export class StreamTally {
  sent = 0;
  /** The hazard ids of the reports answered 202. */
  readonly accepted: string[] = [];
  /** 503s, and how many of them carried a Retry-After. */
  unavailable = 0;
  unavailableWithRetryAfter = 0;
  /** The longest a 503 took to come, ms. */
  slowestUnavailableMs = 0;
  /** Other answers (status → count; 0 for a request that got no answer). */
  readonly other: Record<number, number> = {};
  /** When the last 202 before the first 503 came, and the first 202 after the last 503. */
  firstUnavailableAt: number | undefined;
  lastUnavailableAt: number | undefined;
  /** Time of each answer by status, for recovery times. */
  readonly answers: { at: number; status: number }[] = [];
}

export interface StreamOptions {
  count: number;
  /** Requests in flight at once. */
  concurrency?: number;
  points?: [number, number][];
  /** Called after each answer (e.g. to kill something once part of the stream is in). */
  onAnswer?: (tally: StreamTally) => void | Promise<void>;
}

/** Posts `count` anonymous hazard reports to the gateway, spread over the points, and tallies the answers. */
export async function streamReports(gatewayUrl: string, options: StreamOptions, tally = new StreamTally()): Promise<StreamTally> {
  const points = options.points ?? SAMPLE_POINTS;
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < options.count; i = next++) {
      const [lon, lat] = points[i % points.length];
      const body = {
        category: CATEGORIES[i % CATEGORIES.length],
        severity: SEVERITIES[i % SEVERITIES.length],
        // Spread along the segment, so that some reports repeat a hazard nearby and others do not.
        lon: lon + (i % 7) * 0.00005,
        lat,
      };
      const started = Date.now();
      tally.sent++;
      let status = 0;
      try {
        const res = await postOnce(`${gatewayUrl}/v1/hazards`, JSON.stringify(body));
        status = res.status;
        const answer = (await res.json().catch(() => ({}))) as { hazardId?: string };
        if (status === 202 && answer.hazardId) tally.accepted.push(answer.hazardId);
        else if (status === 503) {
          tally.unavailable++;
          if (Number(res.headers.get('retry-after')) > 0) tally.unavailableWithRetryAfter++;
          tally.slowestUnavailableMs = Math.max(tally.slowestUnavailableMs, Date.now() - started);
          tally.firstUnavailableAt ??= Date.now();
          tally.lastUnavailableAt = Date.now();
        } else tally.other[status] = (tally.other[status] ?? 0) + 1;
      } catch {
        tally.other[0] = (tally.other[0] ?? 0) + 1;
      }
      tally.answers.push({ at: Date.now(), status });
      await options.onAnswer?.(tally);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  return tally;
}

/**
 * Posts a report. A keep-alive connection the gateway closed while the test's event loop was busy
 * (a synchronous `kafka.sh stop`) fails before anything is sent: that one is sent again on a new
 * connection. Any other failure is the caller's to count.
 */
async function postOnce(url: string, body: string): Promise<Response> {
  const send = () => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  try {
    return await send();
  } catch (err) {
    const code = (err as { cause?: { code?: string } }).cause?.code;
    if (code !== 'UND_ERR_SOCKET' && code !== 'ECONNRESET') throw err;
    return send();
  }
}

export interface RecordedCounts {
  /** Hazard rows, and distinct ids among them. */
  rows: number;
  distinct: number;
  /** Accepted reports with no row (lost), and rows of no accepted report (taken although refused). */
  lost: number;
  unexpected: number;
  /** Rows not matched to a segment or not yet assessed. */
  unassessed: number;
}

/** Counts what the risk schema recorded of the accepted reports. */
export async function recordedCounts(databaseUrl: string, schema: string, accepted: readonly string[]): Promise<RecordedCounts> {
  const db = new Client({ connectionString: databaseUrl });
  // A server stopped under the client fails the query in flight; its 'error' event must not crash the test.
  db.on('error', () => undefined);
  await db.connect();
  try {
    const [row] = (
      await db.query(
        `SELECT count(*)::int AS rows, count(DISTINCT id)::int AS distinct,
                (SELECT count(*)::int FROM unnest($1::uuid[]) a(id) WHERE NOT EXISTS (SELECT 1 FROM "${schema}".hazard h WHERE h.id = a.id)) AS lost,
                count(*) FILTER (WHERE NOT (id = ANY($1::uuid[])))::int AS unexpected,
                count(*) FILTER (WHERE segment_id IS NULL OR assessed_at IS NULL)::int AS unassessed
           FROM "${schema}".hazard`,
        [accepted],
      )
    ).rows;
    return row as RecordedCounts;
  } finally {
    await db.end();
  }
}

/** Waits until every accepted report is recorded and assessed (or the timeout passes). */
export async function waitUntilRecorded(databaseUrl: string, schema: string, accepted: readonly string[], timeoutMs: number): Promise<RecordedCounts> {
  return waitFor(
    `${accepted.length} reports recorded and assessed in ${schema}`,
    async () => {
      const counts = await recordedCounts(databaseUrl, schema, accepted);
      return counts.lost === 0 && counts.unassessed === 0 ? counts : undefined;
    },
    { timeoutMs, intervalMs: 500 },
  ).catch(async () => recordedCounts(databaseUrl, schema, accepted));
}

/**
 * Each segment's score agrees with its hazards: one hazard factor per open (non-duplicate) hazard,
 * and the score the product of its factors. A report applied twice, or not at all, breaks it.
 */
export async function segmentsOutOfStep(databaseUrl: string, schema: string): Promise<string[]> {
  const db = new Client({ connectionString: databaseUrl });
  // A server stopped under the client fails the query in flight; its 'error' event must not crash the test.
  db.on('error', () => undefined);
  await db.connect();
  try {
    const rows = (
      await db.query(`SELECT segment_id, score, factors FROM "${schema}".segment_risk ORDER BY segment_id`)
    ).rows as { segment_id: string; score: number; factors: { factor: string; value: number; hazardCategory?: string }[] }[];
    const open = new Map(
      ((await db.query(`SELECT segment_id, count(*)::int AS n FROM "${schema}".hazard WHERE status = 'open' GROUP BY segment_id`)).rows as { segment_id: string; n: number }[]).map((r) => [r.segment_id, r.n]),
    );
    const wrong: string[] = [];
    for (const row of rows) {
      const hazardFactors = row.factors.filter((f) => f.factor === 'hazard' && f.hazardCategory !== undefined).length;
      const product = row.factors.reduce((s, f) => s * f.value, 1);
      if (hazardFactors !== (open.get(row.segment_id) ?? 0)) wrong.push(`${row.segment_id}: ${hazardFactors} hazard factors for ${open.get(row.segment_id) ?? 0} open hazards`);
      else if (Math.abs(product - Number(row.score)) > Number(row.score) * 0.0005 * row.factors.length + 1e-6) wrong.push(`${row.segment_id}: score ${row.score} is not the product of its factors (${product})`);
    }
    return wrong;
  } finally {
    await db.end();
  }
}

/** Tasks, and how many of them repeat another's segment and countermeasure (none is closed in these tests, so any repeat is a duplicate). */
export async function taskCounts(databaseUrl: string, schema: string): Promise<{ tasks: number; duplicates: number }> {
  const db = new Client({ connectionString: databaseUrl });
  // A server stopped under the client fails the query in flight; its 'error' event must not crash the test.
  db.on('error', () => undefined);
  await db.connect();
  try {
    const [row] = (
      await db.query(`SELECT count(*)::int AS tasks, (count(*) - count(DISTINCT (segment_id, countermeasure)))::int AS duplicates FROM "${schema}".task`)
    ).rows;
    return row as { tasks: number; duplicates: number };
  } finally {
    await db.end();
  }
}
