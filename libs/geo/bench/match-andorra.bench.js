'use strict';
/**
 * Map-matching on Andorra's roads: SegmentMatcher vs a naive scan of every segment with Turf's
 * geodesic pointToLineDistance vs PostGIS nearest neighbour (`ORDER BY geom <-> point LIMIT 1`
 * on a GiST index, one query per point through `pg`). Same points for all three.
 *
 *   node libs/geo/bench/match-andorra.bench.js [--points N] [--runs N] [--naive-points N]
 *        [--pg-points N] [--no-postgis] [--no-scored]
 *
 * Prints a JSON report on stdout (progress on stderr). PostgreSQL: 127.0.0.1:5432, user postgres,
 * database roadloop (override with PGHOST/PGPORT/PGUSER/PGDATABASE); the scratch schema
 * `bench_match` is created and dropped again.
 */
const path = require('node:path');
const { existsSync } = require('node:fs');
const u = require('./bench-utils');

const args = u.benchOptions({ numbers: { points: 200_000, runs: 5, 'naive-points': 50, 'pg-points': 10_000 }, flags: ['no-postgis', 'no-scored'] });
const POINTS = args.points;
const RUNS = args.runs;
const NAIVE_POINTS = args['naive-points'];
const PG_POINTS = args['pg-points'];
const TOLERANCE_M = 50;
const SEED = 20240607;

const log = (text) => process.stderr.write(`${text}\n`);
const perSecond = (count, ms) => (count / ms) * 1000;

const { SegmentMatcher, packSegments, projectOnLine, MAX_TOLERANCE_M } = u.requireDist('index');

function timeMatcher(segments, points) {
  const builds = [];
  let matcher;
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    matcher = SegmentMatcher.build(segments);
    builds.push(performance.now() - t);
  }
  const rates = [];
  const cpuRates = [];
  let matched = 0;
  for (let r = 0; r < RUNS; r++) {
    matched = 0;
    const cpu = process.cpuUsage();
    const t = performance.now();
    for (let i = 0; i < points.length; i++) if (matcher.match(points[i][0], points[i][1], TOLERANCE_M) !== null) matched++;
    rates.push(perSecond(points.length, performance.now() - t));
    const used = process.cpuUsage(cpu);
    cpuRates.push(perSecond(points.length, (used.user + used.system) / 1000));
  }
  return { matcher, buildMs: u.median(builds), perSecond: u.median(rates), perCpuSecond: u.median(cpuRates), runs: rates.map(Math.round), matched };
}

/** The naive approach: every segment measured with Turf's geodesic point-to-line distance. */
function timeNaive(segments, points, matcher) {
  const turf = require('@turf/turf');
  const lines = segments.map((s) => turf.lineString(s.coordinates));
  const rates = [];
  const disagreements = [];
  let agree = 0;
  for (let r = 0; r < Math.min(RUNS, 3); r++) {
    agree = 0;
    const t = performance.now();
    const picks = points.map((p) => {
      const q = turf.point(p);
      let best = Infinity;
      let bestIndex = -1;
      for (let s = 0; s < lines.length; s++) {
        const d = turf.pointToLineDistance(q, lines[s], { units: 'meters' });
        if (d < best) {
          best = d;
          bestIndex = s;
        }
      }
      return best <= TOLERANCE_M ? bestIndex : -1;
    });
    rates.push(perSecond(points.length, performance.now() - t));
    disagreements.length = 0;
    picks.forEach((pick, i) => {
      const m = matcher.match(points[i][0], points[i][1], TOLERANCE_M);
      if ((m === null ? -1 : m.segmentIndex) === pick) agree++;
      else {
        const q = turf.point(points[i]);
        disagreements.push({
          point: points[i],
          matcher: m && { segment: m.segmentIndex, distanceM: +m.distanceM.toFixed(3), turfM: +turf.pointToLineDistance(q, lines[m.segmentIndex], { units: 'meters' }).toFixed(3) },
          naive: pick < 0 ? null : { segment: pick, turfM: +turf.pointToLineDistance(q, lines[pick], { units: 'meters' }).toFixed(3) },
        });
      }
    });
  }
  return { perSecond: u.median(rates), runs: rates.map((x) => +x.toFixed(2)), points: points.length, agreeWithMatcher: agree, disagreements };
}

/** The nearest segment by scanning them all, for the rare point more than 10 km from every road. */
function bruteForceNearest(segments, p) {
  let best = { distanceM: Infinity };
  for (const s of segments) {
    const d = projectOnLine(p, s.coordinates).distanceM;
    if (d < best.distanceM) best = { distanceM: d };
  }
  return best;
}

async function timePostgis(segments, points, matcher) {
  let Client;
  try {
    ({ Client } = require('pg'));
  } catch (err) {
    return { skipped: `pg not installed: ${err.message}` };
  }
  const client = new Client({
    host: process.env.PGHOST || '127.0.0.1',
    port: Number(process.env.PGPORT || 5432),
    user: process.env.PGUSER || 'postgres',
    database: process.env.PGDATABASE || 'roadloop',
  });
  try {
    await client.connect();
  } catch (err) {
    return { skipped: `cannot connect to PostgreSQL: ${err.message}` };
  }
  try {
    try {
      await client.query('CREATE EXTENSION IF NOT EXISTS postgis');
    } catch (err) {
      return { skipped: `PostGIS unavailable: ${err.message}` };
    }
    const version = (await client.query('SELECT postgis_lib_version() AS v, version() AS pg')).rows[0];
    await client.query('DROP SCHEMA IF EXISTS bench_match CASCADE');
    await client.query('CREATE SCHEMA bench_match');
    await client.query(
      'CREATE TABLE bench_match.pieces (idx integer PRIMARY KEY, geom geometry(LineString, 4326) NOT NULL, geog geography(LineString, 4326) NOT NULL)',
    );
    const batch = 5000;
    for (let i = 0; i < segments.length; i += batch) {
      const slice = segments.slice(i, i + batch);
      await client.query(
        `INSERT INTO bench_match.pieces (idx, geom, geog)
         SELECT idx, ST_GeomFromText(wkt, 4326), ST_GeomFromText(wkt, 4326)::geography FROM unnest($1::int[], $2::text[]) AS t(idx, wkt)`,
        [slice.map((_, k) => i + k), slice.map((s) => `LINESTRING(${s.coordinates.map((c) => `${c[0]} ${c[1]}`).join(',')})`)],
      );
    }
    await client.query('CREATE INDEX ON bench_match.pieces USING gist (geom)');
    await client.query('CREATE INDEX ON bench_match.pieces USING gist (geog)');
    await client.query('ANALYZE bench_match.pieces');

    const variants = {
      // What a service would write on EPSG:4326 geometry: nearest in degree space, then metres.
      geometry: `SELECT idx, ST_Distance(geog, ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography) AS d
                 FROM bench_match.pieces ORDER BY geom <-> ST_SetSRID(ST_MakePoint($1, $2), 4326) LIMIT 1`,
      // The metric alternative: KNN on geography (sphere distance), slower.
      geography: `SELECT idx, ST_Distance(geog, ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography) AS d
                  FROM bench_match.pieces ORDER BY geog <-> ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography LIMIT 1`,
    };
    const plan = (await client.query(`EXPLAIN ${variants.geometry.replace(/\$1/g, '1.5').replace(/\$2/g, '42.5')}`)).rows.map((r) => r['QUERY PLAN']);
    const out = { postgis: version.v, postgres: version.pg.split(' ').slice(0, 2).join(' '), plan: plan.join(' | ') };
    for (const [name, text] of Object.entries(variants)) {
      const rates = [];
      let picks = [];
      for (let r = 0; r < Math.min(RUNS, 3); r++) {
        picks = [];
        const t = performance.now();
        for (const p of points) {
          const res = await client.query({ name: `bench_${name}`, text, values: [p[0], p[1]] });
          picks.push(res.rows[0].idx);
        }
        rates.push(perSecond(points.length, performance.now() - t));
      }
      // Accuracy: the metric distance of PostGIS's pick against the true nearest (the matcher at
      // its largest tolerance, which is exact; every point here is within 10 km of a road), over
      // all points and over those whose true nearest is within the tolerance (the ones that match).
      const acc = { all: { points: 0, farther1cm: 0, farther1m: 0, worstM: 0 }, withinTolerance: { points: 0, farther1cm: 0, farther1m: 0, worstM: 0 } };
      picks.forEach((idx, i) => {
        const p = points[i];
        const truth = matcher.match(p[0], p[1], MAX_TOLERANCE_M) ?? bruteForceNearest(segments, p);
        const excess = projectOnLine(p, segments[idx].coordinates).distanceM - truth.distanceM;
        for (const bucket of truth.distanceM <= TOLERANCE_M ? [acc.all, acc.withinTolerance] : [acc.all]) {
          bucket.points++;
          if (excess > 0.01) bucket.farther1cm++;
          if (excess > 1) bucket.farther1m++;
          bucket.worstM = Math.max(bucket.worstM, +excess.toFixed(2));
        }
      });
      out[name] = { perSecond: u.median(rates), runs: rates.map(Math.round), points: points.length, accuracy: acc };
      const { all, withinTolerance: w } = acc;
      log(
        `  PostGIS ${name}: ${Math.round(out[name].perSecond)} q/s; picks farther than the true nearest by > 1 cm: ` +
          `${all.farther1cm}/${all.points} (> 1 m: ${all.farther1m}, worst ${all.worstM} m); ` +
          `within tolerance: ${w.farther1cm}/${w.points} (> 1 m: ${w.farther1m}, worst ${w.worstM} m)`,
      );
    }
    return out;
  } finally {
    await client.query('DROP SCHEMA IF EXISTS bench_match CASCADE').catch(() => undefined);
    await client.end();
  }
}

async function scoredSegments() {
  const engine = path.join(u.DIST, 'engine.js');
  if (!existsSync(engine)) return { skipped: 'libs/geo/dist/engine.js not built' };
  const { scoreFiles } = require(engine);
  if (typeof scoreFiles !== 'function') return { skipped: 'engine.js has no scoreFiles' };
  const result = await scoreFiles({ osmPath: path.join(u.DATA_DIR, 'andorra.osm.pbf'), demPath: path.join(u.DATA_DIR, 'N42E001.hgt') });
  return { collection: result.segments };
}

async function main() {
  const report = { machine: u.machine(), loadavg: require('node:os').loadavg().map((x) => +x.toFixed(2)), toleranceM: TOLERANCE_M, points: POINTS, runs: RUNS };

  log('reference pieces');
  const pieces = u.readReferencePieces();
  const packed = packSegments(pieces);
  const points = u.queryPoints(packed, POINTS, SEED, { nearFraction: 0.9, nearM: 20, box: u.ANDORRA_ROAD_BOX });
  const m = timeMatcher(packed, points);
  report.referencePieces = { segments: m.matcher.segmentCount, pieces: m.matcher.pieceCount, buildMs: +m.buildMs.toFixed(1), perSecond: Math.round(m.perSecond), perCpuSecond: Math.round(m.perCpuSecond), runs: m.runs, matched: m.matched };
  log(`  matcher: ${report.referencePieces.perSecond} q/s (runs ${m.runs.join(', ')}), build ${m.buildMs.toFixed(1)} ms, ${m.matched}/${POINTS} matched`);

  log(`naive Turf scan on ${NAIVE_POINTS} points`);
  report.naive = timeNaive(pieces, points.slice(0, NAIVE_POINTS), m.matcher);
  log(`  naive: ${report.naive.perSecond.toFixed(2)} q/s, agrees with the matcher on ${report.naive.agreeWithMatcher}/${NAIVE_POINTS}`);

  if (!args['no-postgis']) {
    log(`PostGIS on ${PG_POINTS} points`);
    report.postgis = await timePostgis(pieces, points.slice(0, PG_POINTS), m.matcher);
    if (report.postgis.skipped) log(`  skipped: ${report.postgis.skipped}`);
  }

  if (!args['no-scored']) {
    log('scored segments from the engine');
    const scored = await scoredSegments();
    if (scored.skipped) {
      report.scoredSegments = { skipped: scored.skipped };
    } else {
      const scoredPacked = packSegments(scored.collection);
      const scoredPoints = u.queryPoints(scoredPacked, POINTS, SEED, { nearFraction: 0.9, nearM: 20, box: u.ANDORRA_ROAD_BOX });
      const s = timeMatcher(scoredPacked, scoredPoints);
      report.scoredSegments = { segments: s.matcher.segmentCount, pieces: s.matcher.pieceCount, buildMs: +s.buildMs.toFixed(1), perSecond: Math.round(s.perSecond), perCpuSecond: Math.round(s.perCpuSecond), runs: s.runs, matched: s.matched };
      log(`  matcher on scored segments: ${report.scoredSegments.perSecond} q/s, build ${s.buildMs.toFixed(1)} ms`);
    }
  }
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err.stack || err}\n`);
  process.exit(1);
});
