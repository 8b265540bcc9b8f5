import { LANGUAGE_CHANGED, formatDateTime, has, loadCatalogue, mountLanguageSwitch, t } from '../i18n/i18n.js';
import { h } from '/map/dom.js';
import { remembered } from './reports.js';

const $ = (id) => document.getElementById(id);
const STAGES = ['received', 'matched', 'linked', 'fixed'];
/** How often the page asks again while the report is not fixed and the page is in view, ms. */
const REFRESH_MS = 5_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

await loadCatalogue('report');
mountLanguageSwitch($('language'), { onChange: () => (last ? draw(last) : showRemembered()) });

let code = new URLSearchParams(location.hash.replace(/^#/, '')).get('code')?.trim() ?? '';
let last = null;
let timer = null;

$('code-input').value = code;
$('code-form').addEventListener('submit', (e) => {
  e.preventDefault();
  code = $('code-input').value.trim();
  // The code stays in the fragment: it is never sent to a server in a URL or a Referer.
  history.replaceState(null, '', `#code=${encodeURIComponent(code)}`);
  last = null;
  load();
});
window.addEventListener('hashchange', () => {
  code = new URLSearchParams(location.hash.replace(/^#/, '')).get('code')?.trim() ?? '';
  $('code-input').value = code;
  last = null;
  load();
});
document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && code && load());
document.addEventListener(LANGUAGE_CHANGED, () => !last && code && load());

const message = (text) => ($('track-message').textContent = text);
const label = (prefix, id) => (has(`${prefix}.${id}`) ? t(`${prefix}.${id}`) : id.replace(/_/g, ' '));

async function load() {
  clearTimeout(timer);
  if (!code) return showRemembered();
  if (!UUID.test(code)) {
    $('progress').hidden = true;
    return message(t('track.badCode'));
  }
  let res;
  try {
    res = await fetch(`/v1/hazards/${encodeURIComponent(code)}/status`, { headers: { accept: 'application/json' }, cache: 'no-store' });
  } catch {
    message(t('track.offline'));
    return again();
  }
  if (res.status === 404) {
    $('progress').hidden = true;
    message(t('track.notYet'));
    return again();
  }
  if (!res.ok) {
    message(t('error.server', { status: res.status }));
    return again();
  }
  last = await res.json();
  draw(last);
  if (last.stage !== 'fixed') again();
}

function again() {
  if (document.visibilityState === 'visible') timer = setTimeout(load, REFRESH_MS);
}

function draw(s) {
  const at = STAGES.indexOf(s.stage);
  $('progress').hidden = false;
  $('progress').dataset.stage = s.stage;
  $('stages').replaceChildren(...STAGES.map((stage, i) =>
    h('li', { class: `${i <= at ? 'done' : ''} ${i === at ? 'current' : ''}`.trim(), 'data-stage': stage, 'aria-current': i === at ? 'step' : undefined }, t(`stage.${stage}`))));
  const road = s.road ? (s.road.name ?? t('track.unnamedRoad')) : s.placement === 'off_road' ? t('track.offRoad') : t('track.placing');
  const rows = [
    [t('track.category'), label('category', s.category)],
    [t('track.severity'), label('severity', s.severity)],
    [t('track.reported'), formatDateTime(s.reportedAt)],
    [t('track.road'), road],
    s.task ? [t('track.task'), t('track.taskState', { what: label('countermeasure', s.task.countermeasure), state: label('taskStatus', s.task.status) })] : null,
    s.resolvedAt ? [t('track.fixedAt'), formatDateTime(s.resolvedAt)] : null,
    s.duplicate ? [t('track.note'), t('track.duplicate')] : null,
  ].filter(Boolean);
  $('facts').replaceChildren(...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
  $('updated').textContent = t('track.updated', { when: formatDateTime(s.updatedAt) });
  message('');
}

function showRemembered() {
  const list = remembered();
  $('progress').hidden = true;
  if (!list.length) return message('');
  message(t('track.pickRecent'));
  $('track-message').append(h('ul', { class: 'recent' }, list.map((r) =>
    h('li', {}, h('a', { href: `#code=${encodeURIComponent(r.code)}` }, `${label('category', r.category)} · ${formatDateTime(r.at)}`)))));
}

load();
