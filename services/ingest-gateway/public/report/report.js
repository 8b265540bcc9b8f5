import * as L from '/map/vendor/leaflet-src.esm.js';
import { LANGUAGE_CHANGED, formatNumber, has, loadCatalogue, mountLanguageSwitch, t } from '../i18n/i18n.js';
import { h } from '/map/dom.js';
import { CATEGORIES, categoryIcon } from './icons.js';
import { remember } from './reports.js';

const $ = (id) => document.getElementById(id);
const SEVERITIES = ['low', 'medium', 'high', 'critical'];
/** The sample region (Andorra) until the reporter's position or pin says where. */
const DEFAULT_VIEW = { lat: 42.54, lon: 1.56, zoom: 11 };

await loadCatalogue('report');
mountLanguageSwitch($('language'), { onChange: () => drawChoices() });
document.addEventListener(LANGUAGE_CHANGED, () => showPlace());

// ---- category and severity ------------------------------------------------------------------
function drawChoices() {
  const chosen = { category: value('category'), severity: value('severity') };
  $('categories').replaceChildren(...CATEGORIES.map((c) => choice('category', c, [categoryIcon(c), h('span', {}, t(`category.${c}`))], chosen.category)));
  $('severities').replaceChildren(...SEVERITIES.map((s) => choice('severity', s, [h('span', { class: `sev sev-${s}`, 'aria-hidden': 'true' }), h('span', {}, t(`severity.${s}`))], chosen.severity)));
}
function choice(name, id, content, chosen) {
  const inputId = `${name}-${id}`;
  return h('div', { class: 'choice' },
    h('input', { type: 'radio', name, id: inputId, value: id, checked: id === chosen }),
    h('label', { for: inputId }, ...content));
}
const value = (name) => document.querySelector(`input[name="${name}"]:checked`)?.value ?? null;
drawChoices();

// ---- place: the device's position, or a pin on the map ---------------------------------------
/** { lat, lon, accuracyM, source: 'gps' | 'pin' } once placed. */
let place = null;
const map = L.map('pin-map', { minZoom: 3, maxZoom: 19 }).setView([DEFAULT_VIEW.lat, DEFAULT_VIEW.lon], DEFAULT_VIEW.zoom);
map.attributionControl.setPrefix(false);
L.control.scale({ imperial: false }).addTo(map);
const pin = L.marker([DEFAULT_VIEW.lat, DEFAULT_VIEW.lon], { draggable: true, keyboard: true });
const accuracy = L.circle([DEFAULT_VIEW.lat, DEFAULT_VIEW.lon], { radius: 1, weight: 1, fillOpacity: 0.1 });

function setPlace(lat, lon, source, accuracyM = null) {
  place = { lat: Math.round(lat * 1e6) / 1e6, lon: Math.round(lon * 1e6) / 1e6, source, accuracyM };
  pin.setLatLng([lat, lon]).addTo(map);
  if (accuracyM) accuracy.setLatLng([lat, lon]).setRadius(accuracyM).addTo(map);
  else accuracy.remove();
  $('pin-map').dataset.placed = source;
  showPlace();
}
function showPlace() {
  if (!place) return;
  const where = `${formatNumber(place.lat, { maximumFractionDigits: 5 })}, ${formatNumber(place.lon, { maximumFractionDigits: 5 })}`;
  $('place-status').textContent = place.source === 'gps'
    ? t('place.gps', { where, accuracy: formatNumber(Math.round(place.accuracyM ?? 0)) })
    : t('place.pin', { where });
}
map.on('click', (e) => setPlace(e.latlng.lat, e.latlng.lng, 'pin'));
pin.on('dragend', () => {
  const p = pin.getLatLng();
  setPlace(p.lat, p.lng, 'pin');
});

$('locate').addEventListener('click', () => {
  if (!navigator.geolocation) {
    $('place-status').textContent = t('place.noGps');
    return;
  }
  $('place-status').textContent = t('place.locating');
  navigator.geolocation.getCurrentPosition(
    (pos) => {
      setPlace(pos.coords.latitude, pos.coords.longitude, 'gps', pos.coords.accuracy);
      map.setView([pos.coords.latitude, pos.coords.longitude], 17);
    },
    (err) => ($('place-status').textContent = t(err.code === err.PERMISSION_DENIED ? 'place.denied' : 'place.failed')),
    { enableHighAccuracy: true, timeout: 20_000, maximumAge: 60_000 },
  );
});

// ---- an optional photo: shown from the file itself, uploaded when the report is sent ----------
/** { file, previewUrl, url } while a photo is chosen; `url` once the server has kept it. */
let photo = null;

$('photo').addEventListener('change', () => {
  const file = $('photo').files?.[0];
  clearPhoto();
  if (!file) return;
  photo = { file, previewUrl: URL.createObjectURL(file), url: null };
  $('photo-image').src = photo.previewUrl;
  $('photo-preview').hidden = false;
  showPhotoStatus(t('photo.chosen', { name: file.name, size: formatNumber(Math.max(1, Math.round(file.size / 1024))) }));
});
$('photo-remove').addEventListener('click', () => {
  clearPhoto();
  $('photo').value = '';
  $('form-error').textContent = '';
});

function clearPhoto() {
  if (photo) URL.revokeObjectURL(photo.previewUrl);
  photo = null;
  $('photo-image').removeAttribute('src');
  $('photo-preview').hidden = true;
  showPhotoStatus('');
}
/** The photo's state in words; `refusedCode`, the server's error code, marks a refusal. */
function showPhotoStatus(text, refusedCode = null) {
  const status = $('photo-status');
  status.textContent = text;
  status.classList.toggle('error', refusedCode !== null);
  if (refusedCode !== null) status.dataset.code = refusedCode;
  else delete status.dataset.code;
}

async function sha256Hex(blob) {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Sends the chosen photo (its bytes, addressed by their SHA-256) and keeps its URL; true when it is
 * kept or there is none. A refusal is shown in the photo's place with the server's code: the report
 * waits until the photo is removed or another is chosen.
 */
async function uploadPhoto() {
  if (!photo || photo.url) return true;
  showPhotoStatus(t('photo.sending'));
  const sha256 = await sha256Hex(photo.file);
  const res = await fetch(`/v1/report-photos/${sha256}`, {
    method: 'PUT',
    headers: { 'content-type': photo.file.type || 'application/octet-stream', accept: 'application/json' },
    body: photo.file,
  });
  const answer = await res.json().catch(() => ({}));
  if (res.ok && typeof answer.href === 'string') {
    photo.url = new URL(answer.href, location.origin).href;
    showPhotoStatus(t('photo.sent'));
    return true;
  }
  const code = typeof answer.error === 'string' ? answer.error : String(res.status);
  if (res.status === 429) {
    showPhotoStatus(t('photo.tooMany', { minutes: Math.max(1, Math.ceil(Number(res.headers.get('retry-after') ?? 60) / 60)) }), code);
  } else {
    const reason = has(`photo.reason.${code}`) ? t(`photo.reason.${code}`) : t('photo.reason.other');
    showPhotoStatus(t('photo.refused', { reason, code }), code);
  }
  return false;
}

// ---- sending --------------------------------------------------------------------------------
$('report-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const error = $('form-error');
  const category = value('category');
  const severity = value('severity');
  const missing = [!category && t('error.category'), !severity && t('error.severity'), !place && t('error.place')].filter(Boolean);
  if (missing.length) {
    error.textContent = missing.join(' ');
    return;
  }
  const description = $('description').value.trim();
  $('send').disabled = true;
  error.textContent = '';
  try {
    if (!(await uploadPhoto())) {
      error.textContent = t('error.photo');
      return;
    }
    const body = {
      category,
      severity,
      lon: place.lon,
      lat: place.lat,
      reporter: { kind: 'villager' },
      ...(description ? { description } : {}),
      ...(photo?.url ? { photoUrls: [photo.url] } : {}),
    };
    const res = await fetch('/v1/hazards', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) });
    const answer = await res.json().catch(() => ({}));
    if (res.status === 202) return sent(answer.hazardId, category);
    if (res.status === 429) error.textContent = t('error.tooMany', { minutes: Math.max(1, Math.ceil(Number(res.headers.get('retry-after') ?? 60) / 60)) });
    else if (res.status === 400) error.textContent = t('error.invalid', { fields: (answer.fields ?? []).map((f) => f.field).join(', ') || '–' });
    else error.textContent = t('error.server', { status: res.status });
  } catch {
    error.textContent = t('error.offline');
  } finally {
    $('send').disabled = false;
  }
});

function sent(code, category) {
  remember({ code, category, at: new Date().toISOString() });
  $('report-form').hidden = true;
  $('sent').hidden = false;
  $('tracking-code').textContent = code;
  $('tracking-link').href = `/report/track#code=${encodeURIComponent(code)}`;
  $('tracking-link').focus();
}

$('another').addEventListener('click', () => {
  $('report-form').reset();
  clearPhoto();
  place = null;
  pin.remove();
  accuracy.remove();
  delete $('pin-map').dataset.placed;
  $('place-status').textContent = t('place.none');
  $('sent').hidden = true;
  $('report-form').hidden = false;
});
