'use strict';
/**
 * Deterministic synthetic road network for the scale benchmark: `segments` polyline segments of
 * 2–6 vertices over a county-sized area (80 km × 80 km around Andorra's latitude). Roads start
 * around 300 "villages" (Gaussian spread, σ 2 km) or anywhere (30 %), wander with heading changes
 * of up to ±35° per piece of 15–120 m, and are cut into consecutive segments sharing their end
 * vertices, as a real extract's ways are. Built straight into typed arrays (PackedSegments).
 *
 *   node libs/geo/bench/generate-synthetic-network.js [--segments N] [--seed S] [--out file.geojson]
 *
 * writes the network as GeoJSON (for the loader and the CLI); required as a module it returns it.
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

async function writeGeoJson(packed, file) {
  const out = createWriteStream(file);
  out.write('{"type":"FeatureCollection","features":[\n');
  for (let s = 0; s < packed.ids.length; s++) {
    const parts = [];
    for (let v = packed.vertexStart[s]; v < packed.vertexStart[s + 1]; v++) parts.push(`[${packed.coords[2 * v].toFixed(7)},${packed.coords[2 * v + 1].toFixed(7)}]`);
    const line = `${s ? ',\n' : ''}{"type":"Feature","properties":{"id":"${packed.ids[s]}"},"geometry":{"type":"LineString","coordinates":[${parts.join(',')}]}}`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end('\n]}\n');
  await once(out, 'finish');
}

module.exports = { generateSyntheticNetwork, writeGeoJson, SYNTHETIC_AREA: AREA };

if (require.main === module) {
  const { segments, seed, out } = benchOptions({ numbers: { segments: 1_000_000, seed: 42 }, strings: { out: undefined } });
  const started = performance.now();
  const packed = generateSyntheticNetwork({ segments, seed });
  const pieces = packed.coords.length / 2 - segments;
  process.stderr.write(`generated ${segments} segments, ${pieces} pieces in ${((performance.now() - started) / 1000).toFixed(2)} s\n`);
  if (out) writeGeoJson(packed, out).then(() => process.stderr.write(`wrote ${out}\n`));
}
