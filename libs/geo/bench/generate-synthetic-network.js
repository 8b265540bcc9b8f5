'use strict';
/**
 * Deterministic synthetic road network for the scale benchmark: `segments` polyline segments of
 * 2–6 vertices over a county-sized area (80 km × 80 km around Andorra's latitude). Roads start
 * around 300 "villages" (Gaussian spread, σ 2 km) or anywhere (30 %), wander with heading changes
 * of up to ±35° per piece of 15–120 m, and are cut into consecutive segments sharing their end
 * vertices, as a real extract's ways are. Built straight into typed arrays (PackedSegments).
 *
 *   node libs/geo/bench/generate-synthetic-network.js [--segments N] [--seed S] [--out file.geojson] [--scored]
 *
 * writes the network as GeoJSON (for the loader and the CLI); required as a module it returns it.
 * `--scored` writes each segment as `roadloop-geo score` does, for `risk-service import --geojson`:
 * way id and piece index (the 20 segments of a road are one way's consecutive pieces), length,
 * road class, speed, roadside attributes and an exposure score with its factors and level. They
 * are drawn from a second generator seeded from the same seed, so the geometry is the same with or
 * without them.
 */
const { createWriteStream } = require('node:fs');
const { once } = require('node:events');
const { benchOptions, seededRandom, requireDist } = require('./bench-utils');

const AREA = { minLon: 1.1, minLat: 42.14, maxLon: 2.074, maxLat: 42.86 }; // ≈ 80 km × 80 km
const VILLAGES = 300;
const SEGMENTS_PER_ROAD = 20;

function generateSyntheticNetwork({ segments = 1_000_000, seed = 42 } = {}) {
  const { metricScale } = requireDist('geometry/ruler');
  const random = seededRandom(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()); // Box–Muller
  const villages = Array.from({ length: VILLAGES }, () => [
    AREA.minLon + random() * (AREA.maxLon - AREA.minLon),
    AREA.minLat + random() * (AREA.maxLat - AREA.minLat),
  ]);
  const vertexStart = new Uint32Array(segments + 1);
  let coords = new Float64Array(segments * 6 * 2);
  const ids = new Array(segments);
  let v = 0;
  let lon = 0;
  let lat = 0;
  let heading = 0;
  for (let s = 0; s < segments; s++) {
    const first = s % SEGMENTS_PER_ROAD === 0;
    if (first) {
      if (random() < 0.3) {
        lon = AREA.minLon + random() * (AREA.maxLon - AREA.minLon);
        lat = AREA.minLat + random() * (AREA.maxLat - AREA.minLat);
      } else {
        const [vLon, vLat] = villages[Math.floor(random() * VILLAGES)];
        const { kx, ky } = metricScale(vLat);
        lon = Math.min(AREA.maxLon, Math.max(AREA.minLon, vLon + (2000 * gaussian()) / kx));
        lat = Math.min(AREA.maxLat, Math.max(AREA.minLat, vLat + (2000 * gaussian()) / ky));
      }
      heading = random() * 2 * Math.PI;
    }
    ids[s] = `syn/${s}`;
    vertexStart[s] = v;
    const vertices = 2 + Math.floor(random() * 5); // 2..6
    // A segment continues from the previous one's last vertex (shared), except at a road start.
    coords[2 * v] = lon;
    coords[2 * v + 1] = lat;
    v++;
    for (let i = 1; i < vertices; i++) {
      heading += ((random() * 70 - 35) * Math.PI) / 180;
      const length = 15 + random() * 105;
      const { kx, ky } = metricScale(lat);
      lon += (length * Math.sin(heading)) / kx;
      lat += (length * Math.cos(heading)) / ky;
      if (lon < AREA.minLon || lon > AREA.maxLon || lat < AREA.minLat || lat > AREA.maxLat) {
        heading += Math.PI; // turn back at the county line
        lon = Math.min(AREA.maxLon, Math.max(AREA.minLon, lon));
        lat = Math.min(AREA.maxLat, Math.max(AREA.minLat, lat));
      }
      coords[2 * v] = lon;
      coords[2 * v + 1] = lat;
      v++;
    }
  }
  vertexStart[segments] = v;
  coords = coords.slice(0, 2 * v);
  return { ids, vertexStart, coords };
}

/** Road classes with their share of roads and speed in km/h (roughly Andorra's mix). */
const ROAD_CLASSES = [
  ['primary', 0.2, 80],
  ['secondary', 0.25, 70],
  ['tertiary', 0.05, 60],
  ['unclassified', 0.05, 50],
  ['residential', 0.2, 30],
  ['service', 0.05, 20],
  ['track', 0.2, 20],
];
/** Curvature classes, straight three times in six (the engine's classes, score.config). */
const CURVATURE_CLASSES = ['straight', 'straight', 'straight', 'moderate', 'sharp', 'very_sharp'];

/** Rounds to hundredths, as the engine writes scores. */
const centi = (x) => Math.round(x * 100) / 100;

/**
 * What `roadloop-geo score` writes of segment s beside its geometry (see the module comment).
 * `road` holds the road's class and speed, drawn at its first segment.
 */
function scoredProperties(packed, s, random, road, { lineLengthM, exposureLevelOf, config }) {
  const coordinates = [];
  for (let v = packed.vertexStart[s]; v < packed.vertexStart[s + 1]; v++) coordinates.push([packed.coords[2 * v], packed.coords[2 * v + 1]]);
  const wayIndex = Math.floor(s / SEGMENTS_PER_ROAD);
  if (s % SEGMENTS_PER_ROAD === 0) {
    let pick = random();
    const entry = ROAD_CLASSES.find(([, share]) => (pick -= share) < 0) ?? ROAD_CLASSES[0];
    road.roadClass = entry[0];
    road.speedKmh = entry[2];
  }
  const water = random() < 0.08;
  const dropLeftM = random() < 0.15 ? Math.round(random() * 30) : 0;
  const dropRightM = random() < 0.15 ? Math.round(random() * 30) : 0;
  const curvatureClass = CURVATURE_CLASSES[Math.floor(random() * CURVATURE_CLASSES.length)];
  const gradePct = centi(random() * 12);
  const factors = {
    roadside: centi(2 + random() * 6),
    water: water ? centi(random() * 15) : 0,
    dropOff: centi((dropLeftM + dropRightM) / 4),
    cliff: 0,
    guardrail: 0,
    curvature: curvatureClass === 'straight' ? 0 : centi(random() * 8),
    grade: centi(gradePct / 4),
    speed: centi((road.speedKmh / 80) * 4 * random()),
  };
  const exposureScore = centi(Object.values(factors).reduce((a, b) => a + b, 0));
  return {
    id: packed.ids[s],
    osmWayId: wayIndex + 1,
    index: s % SEGMENTS_PER_ROAD,
    lengthM: Math.round(lineLengthM(coordinates) * 10) / 10,
    roadClass: road.roadClass,
    name: null,
    speedKmh: road.speedKmh,
    bridge: false,
    tunnel: false,
    waterDistanceM: water ? Math.round(random() * 25) : null,
    waterSide: water ? (random() < 0.5 ? 'left' : 'right') : null,
    dropLeftM,
    dropRightM,
    cliffSide: null,
    curvatureClass,
    gradePct,
    gradeClass: gradePct < 4 ? 'gentle' : gradePct < 8 ? 'steep' : 'very_steep',
    guardrail: { left: 0, right: 0 },
    exposureScore,
    exposureLevel: exposureLevelOf(exposureScore, config),
    factors,
  };
}

/** Writes the network as a GeoJSON FeatureCollection; `scored`: with the properties an import needs (seeded by `seed`). */
async function writeGeoJson(packed, file, { scored = false, seed = 42 } = {}) {
  const out = createWriteStream(file);
  const engine = scored && {
    lineLengthM: requireDist('geometry/ruler').lineLengthM,
    exposureLevelOf: requireDist('score/exposure-score').exposureLevelOf,
    config: requireDist('score/score.config').DEFAULT_SCORE_CONFIG,
  };
  const random = seededRandom(seed ^ 0x5c0aed);
  const road = {};
  out.write('{"type":"FeatureCollection","features":[\n');
  for (let s = 0; s < packed.ids.length; s++) {
    const parts = [];
    for (let v = packed.vertexStart[s]; v < packed.vertexStart[s + 1]; v++) parts.push(`[${packed.coords[2 * v].toFixed(7)},${packed.coords[2 * v + 1].toFixed(7)}]`);
    const properties = engine ? JSON.stringify(scoredProperties(packed, s, random, road, engine)) : `{"id":"${packed.ids[s]}"}`;
    const line = `${s ? ',\n' : ''}{"type":"Feature","properties":${properties},"geometry":{"type":"LineString","coordinates":[${parts.join(',')}]}}`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end('\n]}\n');
  await once(out, 'finish');
}

module.exports = { generateSyntheticNetwork, writeGeoJson, SYNTHETIC_AREA: AREA };

if (require.main === module) {
  const { segments, seed, out, scored } = benchOptions({ numbers: { segments: 1_000_000, seed: 42 }, strings: { out: undefined }, flags: ['scored'] });
  const started = performance.now();
  const packed = generateSyntheticNetwork({ segments, seed });
  const pieces = packed.coords.length / 2 - segments;
  process.stderr.write(`generated ${segments} segments, ${pieces} pieces in ${((performance.now() - started) / 1000).toFixed(2)} s\n`);
  if (out) writeGeoJson(packed, out, { scored, seed }).then(() => process.stderr.write(`wrote ${out}\n`));
}
