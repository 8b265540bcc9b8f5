// Where the crew is and where its tasks are: distances, the order of the list, the phone's navigation.

const EARTH_RADIUS_M = 6_371_008.8; // mean Earth radius (IUGG)

/** Great-circle distance in metres (haversine; well within a metre at a county's scale). */
export function distanceM(a, b) {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const s = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(s)));
}

const PRIORITY_ORDER = { p1: 1, p2: 2, p3: 3 };

/** Most urgent first: by priority, then by due time, then by id (a stable order). */
export function byUrgency(a, b) {
  return (PRIORITY_ORDER[a.priority] ?? 9) - (PRIORITY_ORDER[b.priority] ?? 9) || Date.parse(a.dueAt) - Date.parse(b.dueAt) || a.id.localeCompare(b.id);
}

/** A `geo:` URI (RFC 5870) that opens the phone's maps or navigation at a place. */
export function geoUri({ lat, lon }) {
  const at = `${lat.toFixed(6)},${lon.toFixed(6)}`;
  return `geo:${at}?q=${at}`;
}

/** The phone's position: { lon, lat, accuracyM }, or an error naming why there is none. */
export function currentPosition({ timeoutMs = 20_000 } = {}) {
  return new Promise((resolve, reject) => {
    if (!navigator.geolocation) {
      reject(new Error('unsupported'));
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lon: p.coords.longitude, lat: p.coords.latitude, accuracyM: p.coords.accuracy }),
      (err) => reject(new Error(err.code === 1 ? 'denied' : err.code === 3 ? 'timeout' : 'unavailable')),
      { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 30_000 },
    );
  });
}

/** SHA-256 of a file's bytes as lower-case hex (the photo's address in the evidence store). */
export async function sha256Hex(blob) {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
