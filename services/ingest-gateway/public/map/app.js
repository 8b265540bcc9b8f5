import * as L from '/map/vendor/leaflet-src.esm.js';
import { createApi, query } from './api.js';
import { CLIFF, LEVELS, RISK_UNIT, WATER, designStars, loadRiskModel, starsText } from './colours.js';
import { debounce, fill, h, unavailable } from './dom.js';
import { JurisdictionLayer, SegmentLayer, SymbolLayer, hazardIcon, requestBox, taskIcon } from './layers.js';
import { connectLive } from './live.js';
import { DetailPanel, hazardPopup, isOpenTask, renderEffectiveness, renderIndex, renderTop, taskPopup } from './panels.js';
import { adoptTokenFromUrl, currentSession, signIn, signOut } from './session.js';

const $ = (id) => document.getElementById(id);
/** The sample region (Andorra) when nothing else says where to look. */
const DEFAULT_VIEW = { lat: 42.54, lon: 1.56, zoom: 12 };
/** Task symbols from this zoom on; below it they would hide the roads (each segment's tasks are in its panel). */
const TASK_SYMBOL_MIN_ZOOM = 15;

// The levels, their unit and colours come from the risk model (served by the gateway) before anything is drawn.
await loadRiskModel();

adoptTokenFromUrl();
let session = currentSession();
const api = createApi(() => session?.token ?? '', () => {
  signOut();
  session = null;
  showSignIn('Your sign-in was refused or has expired; paste a new token.');
});

const notice = (text) => ($('notice').textContent = text);

// ---- map -------------------------------------------------------------------------------------
/** The view lives in the address bar like openstreetmap.org's (`#map=zoom/lat/lon`), so a link or a reload keeps it. */
function viewFromUrl() {
  const [zoom, lat, lon] = (new URLSearchParams(location.hash.replace(/^#/, '')).get('map') ?? '').split('/').map(Number);
  return [zoom, lat, lon].every(Number.isFinite) ? { zoom, lat, lon } : null;
}
const saved = viewFromUrl();
const view = saved ?? DEFAULT_VIEW;
const map = L.map('map', { zoomControl: true, preferCanvas: false, minZoom: 3, maxZoom: 19 }).setView([view.lat, view.lon], view.zoom);
map.attributionControl.setPrefix(false);
map.attributionControl.addAttribution(
  'Roads © <a href="https://www.openstreetmap.org/copyright">OpenStreetMap contributors</a> (ODbL)',
);
L.control.scale({ imperial: false }).addTo(map);

const areas = new JurisdictionLayer(map);
const segments = new SegmentLayer(map, (id) => selectSegment(id));
const hazards = new SymbolLayer(map, {
  kind: 'hazards',
  icon: hazardIcon,
  label: (p) => `Hazard: ${p.category} (${p.severity})`,
  popup: hazardPopup,
});
const tasks = new SymbolLayer(map, {
  kind: 'tasks',
  icon: taskIcon,
  label: (p) => `Task: ${p.countermeasure} (${p.status})`,
  popup: (p) => taskPopup(p, api, () => session, () => refreshAfterTaskChange(p.segmentId)),
});
const detail = new DetailPanel($('detail'), $('detail-body'), { api, session: () => session, onChanged: () => refreshAfterTaskChange() });

// ---- filters ---------------------------------------------------------------------------------
for (const level of LEVELS) {
  const id = `level-${level.id}`;
  $('level-filter').append(h('label', { for: id }, h('input', { type: 'checkbox', id, value: level.id, checked: true }), h('span', { class: `chip ${level.id}` }, level.label)));
}
function filters() {
  const checked = [...document.querySelectorAll('#level-filter input:checked')].map((i) => i.value);
  return {
    levels: checked.length === LEVELS.length ? [] : checked,
    jurisdiction: $('jurisdiction-filter').value,
    roadClass: $('road-class-filter').value,
    /** '', 'water', 'cliff' or 'water,cliff' (either). */
    side: $('roadside-filter').value,
    taskState: $('task-state-filter').value,
  };
}
$('filters').addEventListener('change', () => {
  reloadMap();
  reloadTop();
  reloadEffectiveness();
});

// ---- legend ----------------------------------------------------------------------------------
// Roads are coloured by their live level, in the model's unit; the design rating (stars for the
// roadside as built) is shown beside each level, never as the colour.
const band = (l) => (l.to === null ? `≥ ${l.from}` : l.from === 0 ? `< ${l.to}` : `${l.from}–${l.to}`);
fill($('legend'),
  h('li', { class: 'legend-unit' }, h('strong', {}, 'Live risk level'), ` — ${RISK_UNIT.long}`),
  LEVELS.map((l) => h('li', { 'data-level': l.id },
    h('span', { class: `swatch chip ${l.id}` }), `${l.label} risk `, h('span', { class: 'range muted' }, band(l)),
    ' · ', h('span', { class: 'design-rating', title: 'Design rating of a road whose static exposure is at this level' }, `design ${starsText(designStars(l.id))}`))),
  h('li', { class: 'legend-design muted' }, 'Design rating: how forgiving the roadside is built (5 stars best), shown beside the live level; it does not colour the road.'),
  h('li', {}, h('span', { class: 'swatch water', title: WATER }), 'Water-side road (dashed blue casing)'),
  h('li', {}, h('span', { class: 'swatch cliff', title: CLIFF }), 'Cliff-side road (dashed brown casing)'),
  h('li', {}, h('span', { class: 'sym sym-hazard legend-sym' }, h('span', {}, '!')), ' Open hazard'),
  h('li', {}, h('span', { class: 'sym sym-task legend-sym' }, h('span', {}, 'T')), ' Task'),
);

// ---- loading ---------------------------------------------------------------------------------
let loading = null;
const polygons = new Map();

async function jurisdictionPolygon(id) {
  if (!polygons.has(id)) polygons.set(id, api.get(`/v1/jurisdictions/${encodeURIComponent(id)}`).then((j) => j.geometry));
  return polygons.get(id);
}

async function reloadMap() {
  if (!session) return;
  loading?.abort();
  const controller = new AbortController();
  loading = controller;
  const f = filters();
  const signal = controller.signal;
  const { bbox } = requestBox(map.getBounds());
  const problems = [];
  try {
    const polygon = f.jurisdiction ? await jurisdictionPolygon(f.jurisdiction) : undefined;
    const result = await segments.load(api, { filters: f, polygon, signal });
    if (result.clipped) problems.push('Zoomed out too far: roads are shown for the centre of the view only.');
    if (result.truncated) problems.push('Only the first 10,000 roads are drawn; zoom in for the rest.');
  } catch (err) {
    if (err.name === 'AbortError') return;
    problems.push(`Roads not available: ${err.message}`);
  }
  const showTasks = map.getZoom() >= TASK_SYMBOL_MIN_ZOOM;
  const [hazardResult, taskResult] = await Promise.allSettled([
    api.get(`/v1/hazards${query({ bbox, status: 'open', format: 'geojson', limit: 500 })}`, { signal }),
    showTasks
      ? api.get(`/v1/tasks${query({ bbox, format: 'geojson', limit: 500, jurisdiction: f.jurisdiction, status: f.taskState === 'open' ? undefined : f.taskState })}`, { signal })
      : Promise.resolve({ features: [] }),
  ]);
  if (signal.aborted) return;
  if (hazardResult.status === 'fulfilled') hazards.draw(hazardResult.value.features ?? []);
  else {
    hazards.clear();
    problems.push('Hazards on the map: not available.');
  }
  if (taskResult.status === 'fulfilled') {
    tasks.draw((taskResult.value.features ?? []).filter((t) => f.taskState !== 'open' || isOpenTask(t.properties)));
  } else {
    tasks.clear();
    problems.push('Tasks on the map: not available (see a segment’s tasks in its panel).');
  }
  if (!showTasks) problems.push('Zoom in to see task symbols.');
  notice(problems.join(' '));
}

const reloadTop = debounce(() => {
  if (session) renderTop($('top-body'), api, filters(), (id) => selectSegment(id, true)).catch((err) => fill($('top-body'), unavailable(`The ranking (${err.message}) is`)));
}, 300);

const reloadEffectiveness = debounce(() => {
  if (session) {
    renderEffectiveness($('effect-body'), api, filters(), $('effect-period').value)
      .catch((err) => fill($('effect-body'), unavailable(`Fix effectiveness (${err.message}) is`)));
  }
}, 300);
$('effect-period').addEventListener('change', () => reloadEffectiveness());

const reloadIndex = debounce(() => {
  if (session) renderIndex($('index-body'), api).catch((err) => fill($('index-body'), unavailable(`The index (${err.message}) is`)));
}, 300);

/** Jurisdiction polygons: the index's GeoJSON (five-colour band) or, before it exists, each area's outline. */
async function loadAreas() {
  let features = null;
  try {
    features = (await api.get('/v1/jurisdictions/index?format=geojson')).features;
  } catch {
    const list = await api.get('/v1/jurisdictions').then((b) => b.items, () => []);
    features = (
      await Promise.all(
        list.slice(0, 50).map((j) =>
          jurisdictionPolygon(j.id).then((geometry) => ({ type: 'Feature', geometry, properties: { id: j.id, name: j.name, status: j.status } }), () => null),
        ),
      )
    ).filter((x) => x?.geometry);
  }
  areas.draw(features);
  const select = $('jurisdiction-filter');
  const chosen = select.value;
  fill(select, h('option', { value: '' }, 'All'), features.map((f) => {
    const id = f.properties.jurisdictionId ?? f.properties.id;
    return h('option', { value: id, selected: id === chosen }, f.properties.name ?? id);
  }));
  const bounds = areas.bounds();
  if (!saved && bounds?.isValid()) map.fitBounds(bounds, { padding: [10, 10] });
}

function selectSegment(id, zoomTo = false) {
  segments.select(id);
  const bounds = segments.boundsOf(id);
  if (zoomTo && bounds) map.fitBounds(bounds, { maxZoom: 16, padding: [40, 40] });
  detail.show(id);
}

function refreshAfterTaskChange(segmentId) {
  if (!segmentId || segmentId === detail.segmentId) detail.refresh();
  reloadTasks();
  reloadIndex();
  reloadEffectiveness();
}
const reloadTasks = debounce(() => reloadMap(), 1000);

map.on('moveend', () => {
  const c = map.getCenter();
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  params.set('map', `${map.getZoom()}/${c.lat.toFixed(5)}/${c.lng.toFixed(5)}`);
  history.replaceState(null, '', `#${params.toString().replace(/%2F/g, '/')}`);
  reloadMap();
});

// ---- sign-in ---------------------------------------------------------------------------------
let disconnectLive = null;

function showSignIn(message = '') {
  disconnectLive?.();
  disconnectLive = null;
  $('sign-in').hidden = false;
  $('who').hidden = true;
  $('sign-in-error').textContent = message;
  $('live').dataset.live = 'off';
  $('live').textContent = 'Live: off';
  document.body.dataset.role = '';
}

function start() {
  $('sign-in').hidden = true;
  $('who').hidden = false;
  $('who-text').textContent = `${session.sub} (${session.role})`;
  document.body.dataset.role = session.role;
  disconnectLive?.();
  disconnectLive = connectLive(session.token, $('live'), {
    risk: (e) => {
      segments.recolour(e.segmentId, e.level, e.score);
      if (e.segmentId === detail.segmentId) detail.refresh();
      reloadTop();
      reloadIndex();
    },
    task: (e) => refreshAfterTaskChange(e.segmentId),
  });
  loadAreas().catch(() => notice('Jurisdictions: not available.'));
  reloadMap();
  reloadTop();
  reloadIndex();
  reloadEffectiveness();
}

$('sign-in-form').addEventListener('submit', (e) => {
  e.preventDefault();
  try {
    signIn($('token-input').value);
    $('token-input').value = '';
    session = currentSession();
    start();
  } catch (err) {
    $('sign-in-error').textContent = `That is not a usable token: ${err.message}`;
  }
});
$('sign-out').addEventListener('click', () => {
  signOut();
  session = null;
  segments.draw([]);
  hazards.clear();
  tasks.clear();
  showSignIn();
});

if (session) start();
else showSignIn();
