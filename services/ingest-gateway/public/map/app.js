import * as L from '/map/vendor/leaflet-src.esm.js';
import { createApi, query } from './api.js';
import { CLIFF, LEVELS, UNKNOWN_ROADSIDE, WATER, designStars, levelLabel, loadRiskModel, starsText, unitText } from './colours.js';
import { debounce, fill, h, unavailable } from './dom.js';
import { JurisdictionLayer, SegmentLayer, SymbolLayer, hazardIcon, requestBox, taskIcon } from './layers.js';
import { connectLive } from './live.js';
import { DetailPanel, hazardPopup, isOpenTask, renderEffectiveness, renderIndex, renderTop, taskPopup } from './panels.js';
import { ProgrammeLayer, ProgrammePanel, canReadProgrammes } from './programme.js';
import { adoptTokenFromUrl, currentSession, signIn, signOut } from './session.js';
import { loadCatalogue, mountLanguageSwitch, t } from '../i18n/i18n.js';
import { named } from './names.js';

const $ = (id) => document.getElementById(id);
/** The sample region (Andorra) when nothing else says where to look. */
const DEFAULT_VIEW = { lat: 42.54, lon: 1.56, zoom: 12 };
/** Task symbols from this zoom on; below it they would hide the roads (each segment's tasks are in its panel). */
const TASK_SYMBOL_MIN_ZOOM = 15;

// The levels, their unit and colours come from the risk model (served by the gateway) before anything is drawn.
await loadCatalogue('map');
await loadRiskModel();
// A new language redraws the page (the session and the view are kept in the tab and the address).
mountLanguageSwitch($('language'));

adoptTokenFromUrl();
let session = currentSession();
const api = createApi(() => session?.token ?? '', () => {
  signOut();
  session = null;
  showSignIn(t('signIn.expired'));
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
  `${t('map.roads')} © <a href="https://www.openstreetmap.org/copyright">${t('map.osm')}</a> (ODbL)`,
);
L.control.scale({ imperial: false }).addTo(map);

const areas = new JurisdictionLayer(map);
const segments = new SegmentLayer(map, (id) => selectSegment(id));
const hazards = new SymbolLayer(map, {
  kind: 'hazards',
  icon: hazardIcon,
  label: (p) => t('hazard.label', { category: named('category', p.category), severity: named('severity', p.severity) }),
  popup: hazardPopup,
});
const tasks = new SymbolLayer(map, {
  kind: 'tasks',
  icon: taskIcon,
  label: (p) => t('task.label', { countermeasure: named('countermeasure', p.countermeasure), status: named('taskStatus', p.status) }),
  popup: (p) => taskPopup(p, api, () => session, () => refreshAfterTaskChange(p.segmentId)),
});
const programmeLayer = new ProgrammeLayer(map);
const programme = new ProgrammePanel($('programme-body'), { api, session: () => session, layer: programmeLayer, map });
const detail = new DetailPanel($('detail'), $('detail-body'), { api, session: () => session, onChanged: () => refreshAfterTaskChange() });

// ---- filters ---------------------------------------------------------------------------------
for (const level of LEVELS) {
  const id = `level-${level.id}`;
  $('level-filter').append(h('label', { for: id }, h('input', { type: 'checkbox', id, value: level.id, checked: true }), h('span', { class: `chip ${level.id}` }, levelLabel(level.id))));
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
  h('li', { class: 'legend-unit' }, h('strong', {}, t('legend.live')), ` — ${unitText('long')}`),
  LEVELS.map((l) => h('li', { 'data-level': l.id },
    h('span', { class: `swatch chip ${l.id}` }), `${t('legend.level', { level: levelLabel(l.id) })} `, h('span', { class: 'range muted' }, band(l)),
    ' · ', h('span', { class: 'design-rating', title: t('legend.designTitle') }, t('design.stars', { stars: starsText(designStars(l.id)) })))),
  h('li', { class: 'legend-design muted' }, t('legend.design')),
  h('li', {}, h('span', { class: 'swatch water', title: WATER }), t('legend.water')),
  h('li', {}, h('span', { class: 'swatch cliff', title: CLIFF }), t('legend.cliff')),
  h('li', {}, h('span', { class: 'swatch unknown-roadside', title: UNKNOWN_ROADSIDE }), t('legend.unknownRoadside')),
  h('li', {}, h('span', { class: 'sym sym-hazard legend-sym' }, h('span', {}, '!')), ` ${t('legend.hazard')}`),
  h('li', {}, h('span', { class: 'sym sym-task legend-sym' }, h('span', {}, 'T')), ` ${t('legend.task')}`),
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
    if (result.clipped) problems.push(t('notice.clipped'));
    if (result.truncated) problems.push(t('notice.truncated'));
  } catch (err) {
    if (err.name === 'AbortError') return;
    problems.push(t('notice.roadsUnavailable', { reason: err.message }));
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
    problems.push(t('notice.hazardsUnavailable'));
  }
  if (taskResult.status === 'fulfilled') {
    tasks.draw((taskResult.value.features ?? []).filter((t) => f.taskState !== 'open' || isOpenTask(t.properties)));
  } else {
    tasks.clear();
    problems.push(t('notice.tasksUnavailable'));
  }
  if (!showTasks) problems.push(t('notice.zoomForTasks'));
  notice(problems.join(' '));
}

const reloadTop = debounce(() => {
  if (session) renderTop($('top-body'), api, filters(), (id) => selectSegment(id, true)).catch((err) => fill($('top-body'), unavailable(t('top.unavailableBecause', { reason: err.message }))));
}, 300);

const reloadEffectiveness = debounce(() => {
  if (session) {
    renderEffectiveness($('effect-body'), api, filters(), $('effect-period').value)
      .catch((err) => fill($('effect-body'), unavailable(t('effect.unavailableBecause', { reason: err.message }))));
  }
}, 300);
$('effect-period').addEventListener('change', () => reloadEffectiveness());

const reloadIndex = debounce(() => {
  if (session) renderIndex($('index-body'), api).catch((err) => fill($('index-body'), unavailable(t('index.unavailableBecause', { reason: err.message }))));
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
  fill(select, h('option', { value: '' }, t('filters.all')), features.map((f) => {
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
  $('live').textContent = t('live.off');
  document.body.dataset.role = '';
}

function start() {
  $('sign-in').hidden = true;
  $('who').hidden = false;
  $('who-text').textContent = t('signIn.who', { sub: session.sub, role: named('role', session.role) });
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
  loadAreas().catch(() => notice(t('index.areasUnavailable')));
  $('programme-box').hidden = !canReadProgrammes(session);
  if (canReadProgrammes(session)) programme.load();
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
    $('sign-in-error').textContent = t('signIn.unusable', { reason: err.message });
  }
});
$('sign-out').addEventListener('click', () => {
  signOut();
  session = null;
  segments.draw([]);
  hazards.clear();
  tasks.clear();
  programmeLayer.clear();
  showSignIn();
});

if (session) start();
else showSignIn();
