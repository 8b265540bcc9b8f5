// The road crew's app: its tasks, most urgent first, with the distance from here; a task's place
// on a small map with a link to the phone's navigation; accept, start, unable to fix; evidence
// (photos from the camera, the GPS position, notes) and submit. Everything the crew does goes
// through the outbox (outbox.js), so it works without a network and is sent, in order and once,
// when the network returns.
import * as L from '/map/vendor/leaflet-src.esm.js';
import { LANGUAGE_CHANGED, formatDateTime, formatNumber, has, loadCatalogue, mountLanguageSwitch, t } from '../i18n/i18n.js';
import { fill, h } from '/map/dom.js';
import { claimsOf, expired } from '/map/session.js';
import * as outbox from './outbox.js';
import { byUrgency, currentPosition, distanceM, geoUri, sha256Hex } from './places.js';

const $ = (id) => document.getElementById(id);
const TOKEN_KEY = 'roadloop.crew.token';
/** The statuses a crew's list shows: work it owes, and work waiting for the inspector. */
const LISTED = ['assigned', 'accepted', 'in_progress', 'rejected', 'reopened', 'submitted'];
/** What each crew command leads to, to show the task as it will be once the outbox is sent. */
const LEADS_TO = { accept: 'accepted', start: 'in_progress', submit: 'submitted', unable_to_fix: 'unable_to_fix' };
const ROUTE = { accept: 'accept', start: 'start', submit: 'submit', unable_to_fix: 'unable-to-fix' };
const REFRESH_MS = 60_000;
const RETRY_MS = 15_000;

const state = {
  token: null,
  claims: null,
  tasks: [],
  items: [],
  /** The crew's own position, for distances: { lon, lat, accuracyM }. */
  me: null,
  /** Evidence positions taken per task. */
  positions: new Map(),
  /** Notes being typed per task (saved to the draft a moment later). */
  notes: new Map(),
  segments: new Map(),
  notice: null,
};
let taskMap = null;

await loadCatalogue('crew');
mountLanguageSwitch($('language'), { onChange: () => render() });
document.addEventListener(LANGUAGE_CHANGED, () => render());

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/crew/sw.js', { scope: '/crew/' }).catch(() => {
    // Without a service worker the app still works online; the outbox still queues.
  });
  // Once the worker takes charge, the tasks' roads are fetched again through it, so that it keeps them.
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    state.segments.clear();
    for (const task of state.tasks) loadSegment(task.segmentId);
  });
}

// ---- session --------------------------------------------------------------------------------
function adoptTokenFromUrl() {
  const params = new URLSearchParams(location.hash.replace(/^#\/?/, ''));
  const token = params.get('token');
  if (!token) return;
  localStorage.setItem(TOKEN_KEY, token);
  history.replaceState(null, '', `${location.pathname}#/`);
}

function loadSession() {
  const token = localStorage.getItem(TOKEN_KEY);
  if (!token) return false;
  let claims = null;
  try {
    claims = claimsOf(token);
  } catch {
    return refuseToken(t('signIn.notJwt'));
  }
  if (claims.role !== 'crew' || !claims.crewId) return refuseToken(t('signIn.notCrew'));
  if (expired(claims)) return refuseToken(t('signIn.expired'));
  state.token = token;
  state.claims = claims;
  return true;
}

function refuseToken(reason) {
  $('sign-in-error').textContent = reason;
  localStorage.removeItem(TOKEN_KEY);
  return false;
}

$('sign-in-form').addEventListener('submit', (e) => {
  e.preventDefault();
  localStorage.setItem(TOKEN_KEY, $('token-input').value.trim());
  start();
});

$('sign-out').addEventListener('click', async () => {
  if (state.items.length && !confirm(t('signIn.confirmLoss', { count: state.items.length }))) return;
  await outbox.clearAll();
  localStorage.removeItem(TOKEN_KEY);
  navigator.serviceWorker?.controller?.postMessage('forget-data');
  location.reload();
});

// ---- the API --------------------------------------------------------------------------------
/** A call with the crew's token: { ok, status, body }; throws when the network is down. */
async function api(method, path, { body, headers = {}, bytes } = {}) {
  const res = await fetch(path, {
    method,
    headers: { authorization: `Bearer ${state.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: bytes ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const text = await res.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = { message: text.slice(0, 200) };
  }
  if (res.status === 401) showNotice(t('signIn.expired'));
  return { ok: res.ok, status: res.status, body: parsed };
}

/** The text of a refusal in the chosen language (by the server's error code), with what it is about. */
function errorText(error, params = {}) {
  const code = error?.error;
  if (code && has(`error.${code}`)) return t(`error.${code}`, params);
  return t('error.other', { message: error?.message ?? '' });
}

async function loadTasks() {
  try {
    const res = await api('GET', `/v1/tasks?status=${LISTED.join(',')}&limit=200`);
    if (res.ok) {
      state.tasks = res.body.items;
      for (const task of state.tasks) loadSegment(task.segmentId);
    } else if (res.status !== 401) showNotice(errorText(res.body));
  } catch {
    showNotice(t('network.noTasks'));
  }
}

/** The segment's geometry, fetched once per session (the service worker keeps it for offline use). */
async function loadSegment(segmentId) {
  if (state.segments.has(segmentId)) return state.segments.get(segmentId);
  try {
    const res = await api('GET', `/v1/segments/${encodeURIComponent(segmentId)}`);
    if (res.ok && res.body?.geometry) state.segments.set(segmentId, res.body.geometry);
  } catch {
    // Offline and never fetched: the task's midpoint is drawn instead.
  }
  return state.segments.get(segmentId) ?? null;
}

// ---- the outbox -----------------------------------------------------------------------------
function send(item) {
  if (item.kind === 'photo') {
    return api('PUT', `/v1/tasks/${item.taskId}/photos/${item.sha256}`, { bytes: item.blob, headers: { 'content-type': item.type || 'application/octet-stream' } });
  }
  return api('POST', `/v1/tasks/${item.taskId}/${ROUTE[item.action]}`, {
    body: { ...item.body, expectedVersion: item.expectedVersion },
    headers: { 'idempotency-key': item.key },
  });
}

function onSent(item, result) {
  if (item.kind === 'command' && result.ok && result.body?.id) {
    state.tasks = state.tasks.map((task) => (task.id === result.body.id ? { ...task, ...result.body } : task));
  }
}

async function refreshItems() {
  state.items = await outbox.allItems();
}

let flushing = false;
async function kick() {
  if (flushing) return outbox.flush(send, onSent);
  flushing = true;
  try {
    const before = state.items.length;
    await outbox.flush(send, onSent);
    await refreshItems();
    if (state.items.length !== before && navigator.onLine) await loadTasks();
  } finally {
    flushing = false;
    render();
  }
}

/** Queues a crew command with the version the task will have when it is sent (the ones queued before it applied). */
async function act(task, action, body = {}) {
  const ahead = state.items.filter((i) => i.taskId === task.id && i.kind === 'command' && i.state === 'pending').length;
  await outbox.enqueue({ kind: 'command', taskId: task.id, action, body, expectedVersion: task.version + ahead, key: crypto.randomUUID() });
  await refreshItems();
  render();
  kick();
}

/** Sends a refused item again against the task as it is now: its version, and those of the commands queued after it. */
async function sendAgain(item) {
  try {
    const res = await api('GET', `/v1/tasks/${item.taskId}`);
    if (!res.ok) return showNotice(errorText(res.body));
    state.tasks = state.tasks.map((task) => (task.id === res.body.id ? { ...task, ...res.body } : task));
    let version = res.body.version;
    for (const queued of state.items.filter((i) => i.taskId === item.taskId && i.seq >= item.seq)) {
      if (queued.kind === 'command') await outbox.retryItem(queued.seq, { expectedVersion: version++ });
      else if (queued.seq === item.seq) await outbox.retryItem(queued.seq);
    }
  } catch {
    return showNotice(t('network.offline'));
  }
  await refreshItems();
  kick();
}

async function discard(item) {
  await outbox.removeItem(item.seq);
  if (item.kind === 'photo') {
    const draft = await outbox.draftOf(item.taskId);
    await outbox.saveDraft({ ...draft, photos: draft.photos.filter((p) => p.sha256 !== item.sha256) });
  }
  await refreshItems();
  render();
  kick();
}

// ---- views ----------------------------------------------------------------------------------
function showNotice(text) {
  state.notice = text;
  renderNetwork();
}

/** The task as it will be once the outbox is sent. */
function statusOf(task) {
  let status = task.status;
  for (const i of state.items) if (i.taskId === task.id && i.kind === 'command' && i.state === 'pending') status = LEADS_TO[i.action] ?? status;
  return status;
}

const queuedFor = (taskId) => state.items.filter((i) => i.taskId === taskId);
const countermeasure = (task) => t(`countermeasure.${task.countermeasure}`);
const distanceText = (task) =>
  state.me && task.location ? t('task.distance', { km: formatNumber(distanceM(state.me, task.location) / 1000, { maximumFractionDigits: 1 }) }) : null;

function render() {
  renderNetwork();
  renderOutbox();
  if (!state.token) return;
  const match = /^#\/task\/([0-9a-f-]{36})$/.exec(location.hash);
  if (match) renderTask(match[1]);
  else renderList();
}

function renderNetwork() {
  const online = navigator.onLine;
  const net = $('network');
  net.dataset.online = String(online);
  const pending = state.items.filter((i) => i.state === 'pending').length;
  net.textContent = [online ? t('network.online') : t('network.offline'), pending ? t('network.pending', { count: pending }) : null, state.notice]
    .filter(Boolean)
    .join(' · ');
}

function renderOutbox() {
  const box = $('outbox');
  box.hidden = state.items.length === 0;
  box.dataset.pending = String(state.items.filter((i) => i.state === 'pending').length);
  box.dataset.refused = String(state.items.filter((i) => i.state !== 'pending').length);
  fill(
    $('outbox-list'),
    state.items.map((item) => {
      const task = state.tasks.find((x) => x.id === item.taskId);
      const what = item.kind === 'photo' ? t('outbox.photo', { name: item.name ?? item.sha256.slice(0, 8) }) : t(`outbox.${item.action}`);
      const about = task ? countermeasure(task) : item.taskId.slice(0, 8);
      return h(
        'li',
        { 'data-state': item.state, 'data-kind': item.kind, 'data-action': item.action ?? null },
        h('span', { class: 'what' }, `${what} · ${about}`),
        h('span', { class: 'state' }, t(`outbox.state.${item.state}`)),
        item.error ? h('span', { class: 'error' }, errorText(item.error, { name: item.name ?? '' })) : null,
        item.state === 'pending' ? null : h('button', { type: 'button', class: 'retry', onclick: () => sendAgain(item) }, t('outbox.sendAgain')),
        item.state === 'pending' ? null : h('button', { type: 'button', class: 'discard', onclick: () => discard(item) }, t('outbox.discard')),
      );
    }),
  );
}

/** Each drawing of the view has a number: a slower one that an newer one overtook stops. */
let drawing = 0;

function renderList() {
  drawing++;
  dropMap();
  const view = $('view');
  view.dataset.view = 'list';
  const shown = state.tasks.filter((task) => LISTED.includes(statusOf(task)) || queuedFor(task.id).length).sort(byUrgency);
  fill(
    view,
    h('h2', {}, t('tasks.title')),
    shown.length === 0
      ? h('p', { class: 'muted' }, t('tasks.none'))
      : h(
          'ul',
          { class: 'task-list' },
          shown.map((task) =>
            h(
              'li',
              { 'data-task-id': task.id, 'data-status': statusOf(task), class: `priority-${task.priority}` },
              h(
                'a',
                { href: `#/task/${task.id}` },
                h('strong', {}, countermeasure(task)),
                h('span', { class: 'badge' }, t(`priority.${task.priority}`)),
                h('span', { class: 'status' }, t(`status.${statusOf(task)}`)),
                h('span', { class: 'due' }, t('task.due', { when: formatDateTime(task.dueAt) })),
                distanceText(task) ? h('span', { class: 'distance' }, distanceText(task)) : null,
                queuedFor(task.id).length ? h('span', { class: 'queued' }, t('task.queued', { count: queuedFor(task.id).length })) : null,
              ),
            ),
          ),
        ),
  );
}

async function renderTask(id) {
  const mine = ++drawing;
  const view = $('view');
  const task = state.tasks.find((x) => x.id === id);
  view.dataset.view = 'task';
  if (!task) {
    dropMap();
    fill(view, h('p', { class: 'muted' }, t('task.notFound')), h('a', { href: '#/' }, t('task.back')));
    return;
  }
  const status = statusOf(task);
  const draft = await outbox.draftOf(task.id);
  if (mine !== drawing) return;
  const place = task.location;
  dropMap();
  fill(
    view,
    h(
      'article',
      { class: 'task', 'data-task-id': task.id, 'data-status': status },
      h('a', { href: '#/', class: 'back' }, t('task.back')),
      h('h2', {}, countermeasure(task)),
      h(
        'dl',
        {},
        h('dt', {}, t('task.status')),
        h('dd', { class: 'status' }, t(`status.${status}`)),
        h('dt', {}, t('task.priority')),
        h('dd', {}, t(`priority.${task.priority}`)),
        h('dt', {}, t('task.dueLabel')),
        h('dd', {}, formatDateTime(task.dueAt)),
        h('dt', {}, t('task.segment')),
        h('dd', {}, task.segmentId),
        distanceText(task) ? [h('dt', {}, t('task.distanceLabel')), h('dd', {}, distanceText(task))] : null,
      ),
      h('div', { id: 'task-map', class: 'task-map', role: 'img', 'aria-label': t('task.mapLabel'), 'data-drawn': 'none' }),
      place ? h('a', { class: 'navigate button', href: geoUri(place) }, t('task.navigate')) : null,
      actions(task, status),
      status === 'in_progress' ? evidenceForm(task, draft) : null,
      ['assigned', 'accepted', 'in_progress', 'rejected'].includes(status) ? unableForm(task) : null,
      status === 'submitted' ? h('p', { class: 'muted waiting' }, t('task.waitingInspection')) : null,
    ),
  );
  drawMap(task);
}

function actions(task, status) {
  const buttons = [];
  if (status === 'assigned') buttons.push(h('button', { type: 'button', id: 'accept', onclick: () => act(task, 'accept') }, t('action.accept')));
  if (status === 'accepted' || status === 'rejected') buttons.push(h('button', { type: 'button', id: 'start', onclick: () => act(task, 'start') }, t('action.start')));
  return buttons.length ? h('div', { class: 'actions' }, buttons) : null;
}

function unableForm(task) {
  const error = h('p', { class: 'error', role: 'alert' });
  return h(
    'details',
    { class: 'unable' },
    h('summary', {}, t('unable.title')),
    h('label', { for: 'unable-reason' }, t('unable.reason')),
    h('textarea', { id: 'unable-reason', rows: 2, maxlength: 2000 }),
    h(
      'button',
      {
        type: 'button',
        id: 'unable-submit',
        onclick: () => {
          const reason = $('unable-reason').value.trim();
          if (!reason) error.textContent = t('unable.reasonRequired');
          else act(task, 'unable_to_fix', { reason });
        },
      },
      t('unable.submit'),
    ),
    error,
  );
}

function evidenceForm(task, draft) {
  const position = state.positions.get(task.id);
  const photoRows = draft.photos.map((p) => {
    const item = state.items.find((i) => i.kind === 'photo' && i.taskId === task.id && i.sha256 === p.sha256);
    const photoState = !item ? 'sent' : item.state === 'pending' ? 'waiting' : 'refused';
    return h(
      'li',
      { 'data-sha256': p.sha256, 'data-state': photoState },
      p.blob ? h('img', { src: URL.createObjectURL(p.blob), alt: p.name, width: 72, height: 72 }) : null,
      h('span', { class: 'name' }, p.name),
      h('span', { class: 'state' }, t(`photo.${photoState}`)),
      item?.error ? h('span', { class: 'error' }, errorText(item.error, { name: p.name })) : null,
      h('button', { type: 'button', class: 'remove', onclick: () => removePhoto(task, p) }, t('photo.remove')),
    );
  });
  return h(
    'section',
    { class: 'evidence', 'aria-labelledby': 'evidence-title' },
    h('h3', { id: 'evidence-title' }, t('evidence.title')),
    h('label', { for: 'photo-input', class: 'button' }, t('evidence.addPhoto')),
    h('input', { type: 'file', id: 'photo-input', accept: 'image/*', capture: 'environment', multiple: true, class: 'visually-hidden', onchange: (e) => addPhotos(task, e.target.files) }),
    h('ul', { class: 'photos', id: 'photos' }, photoRows),
    h(
      'p',
      { class: 'position' },
      h('button', { type: 'button', id: 'locate', onclick: () => locate(task) }, t('evidence.locate')),
      h(
        'span',
        { id: 'position', 'data-located': position ? 'true' : 'false' },
        position
          ? t('evidence.position', {
              lat: formatNumber(position.lat, { maximumFractionDigits: 5 }),
              lon: formatNumber(position.lon, { maximumFractionDigits: 5 }),
              accuracy: formatNumber(Math.round(position.accuracyM)),
            })
          : t('evidence.noPosition'),
      ),
    ),
    h('label', { for: 'notes' }, t('evidence.notes')),
    h('textarea', { id: 'notes', rows: 3, maxlength: 2000, oninput: (e) => saveNotes(task, e.target.value) }, state.notes.get(task.id) ?? draft.notes),
    h('button', { type: 'button', id: 'submit-evidence', onclick: () => submitEvidence(task) }, t('evidence.submit')),
    h('p', { class: 'error', id: 'evidence-error', role: 'alert' }),
  );
}

async function addPhotos(task, files) {
  const draft = await outbox.draftOf(task.id);
  for (const file of files) {
    const sha256 = await sha256Hex(file);
    if (draft.photos.some((p) => p.sha256 === sha256)) continue;
    // The file itself is kept (IndexedDB stores blobs): shown here, sent from the outbox.
    draft.photos.push({ sha256, name: file.name, type: file.type, size: file.size, blob: file });
    await outbox.enqueue({ kind: 'photo', taskId: task.id, sha256, name: file.name, type: file.type, blob: file });
  }
  await outbox.saveDraft(draft);
  await refreshItems();
  render();
  kick();
}

async function removePhoto(task, photo) {
  const item = state.items.find((i) => i.kind === 'photo' && i.taskId === task.id && i.sha256 === photo.sha256);
  if (item) await outbox.removeItem(item.seq);
  const draft = await outbox.draftOf(task.id);
  await outbox.saveDraft({ ...draft, photos: draft.photos.filter((p) => p.sha256 !== photo.sha256) });
  await refreshItems();
  render();
  kick();
}

let notesTimer = null;
function saveNotes(task, notes) {
  state.notes.set(task.id, notes);
  clearTimeout(notesTimer);
  notesTimer = setTimeout(async () => outbox.saveDraft({ ...(await outbox.draftOf(task.id)), notes }), 200);
}

async function locate(task) {
  $('position').textContent = t('evidence.locating');
  try {
    state.positions.set(task.id, await currentPosition());
  } catch (err) {
    $('position').textContent = t(`position.${err.message}`);
    return null;
  }
  render();
  return state.positions.get(task.id);
}

async function submitEvidence(task) {
  clearTimeout(notesTimer);
  const notes = $('notes').value.trim();
  const draft = { ...(await outbox.draftOf(task.id)), notes };
  const position = state.positions.get(task.id) ?? (await locate(task));
  if (!position) {
    $('evidence-error').textContent = t('evidence.needPosition');
    return;
  }
  if (draft.photos.length === 0 && !confirm(t('evidence.confirmNoPhoto'))) return;
  await outbox.dropDraft(task.id);
  state.positions.delete(task.id);
  state.notes.delete(task.id);
  await act(task, 'submit', {
    evidence: {
      photos: draft.photos.map((p) => ({ sha256: p.sha256 })),
      position: { lon: position.lon, lat: position.lat, accuracyM: Math.round(position.accuracyM * 10) / 10 },
      capturedAt: new Date().toISOString(),
      ...(notes ? { notes } : {}),
    },
  });
}

// ---- the task's place ------------------------------------------------------------------------
function dropMap() {
  const map = taskMap;
  taskMap = null;
  try {
    map?.remove();
  } catch {
    // A map whose drawing failed half-way: its element is replaced anyway.
  }
}

async function drawMap(task) {
  const el = $('task-map');
  if (!el) return;
  const map = L.map(el, { zoomControl: true, attributionControl: true });
  taskMap = map;
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution(`© <a href="https://www.openstreetmap.org/copyright">${t('map.osm')}</a>`);
  const geometry = await loadSegment(task.segmentId);
  if (taskMap !== map || !el.isConnected) return;
  const layers = [];
  if (geometry) layers.push(L.geoJSON(geometry, { style: { color: '#d7301f', weight: 7, opacity: 0.9 } }));
  else if (task.location) layers.push(L.circleMarker([task.location.lat, task.location.lon], { radius: 9, color: '#d7301f' }));
  if (state.me) layers.push(L.circleMarker([state.me.lat, state.me.lon], { radius: 6, color: '#1f5fbf', fillOpacity: 0.8 }));
  // The view first: Leaflet draws vector layers only on a map that has one.
  const bounds = L.featureGroup(layers).getBounds();
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 17 });
  else map.setView([0, 0], 2);
  for (const layer of layers) layer.addTo(map);
  el.dataset.drawn = geometry ? 'segment' : task.location ? 'point' : 'none';
}

// ---- start ----------------------------------------------------------------------------------
async function start() {
  adoptTokenFromUrl();
  const signedIn = loadSession();
  $('sign-in').hidden = signedIn;
  $('app').hidden = !signedIn;
  if (!signedIn) return;
  $('who-text').textContent = t('signIn.who', { sub: state.claims.sub, crew: state.claims.crewId });
  await refreshItems();
  render();
  await loadTasks();
  render();
  kick();
}

window.addEventListener('hashchange', () => render());
window.addEventListener('online', () => {
  state.notice = null;
  kick();
  loadTasks().then(render);
});
window.addEventListener('offline', () => renderNetwork());
navigator.geolocation?.watchPosition(
  (p) => {
    const first = !state.me;
    state.me = { lon: p.coords.longitude, lat: p.coords.latitude, accuracyM: p.coords.accuracy };
    if (first || $('view').dataset.view === 'list') render();
  },
  () => undefined,
  { enableHighAccuracy: true, maximumAge: 60_000 },
);
setInterval(() => state.items.some((i) => i.state === 'pending') && kick(), RETRY_MS);
setInterval(() => navigator.onLine && state.token && loadTasks().then(() => $('view').dataset.view === 'list' && render()), REFRESH_MS);

await start();
