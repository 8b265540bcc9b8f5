// The inspector's queue: submitted fixes, the longest-waiting first, each with its photos
// (thumbnails; the full photo on a tap), the automatic checks and their results, and the segment's
// risk before the fix; the inspector verifies or rejects with a reason.
import { formatDateTime, formatNumber, loadCatalogue, mountLanguageSwitch, t } from '../i18n/i18n.js';
import { fill, h } from '/map/dom.js';
import { adoptTokenFromUrl, currentSession, signIn, signOut } from '/map/session.js';

const $ = (id) => document.getElementById(id);
let session = null;
let queue = [];
/** Object URLs of the photos shown, released when the queue is drawn again. */
let shown = [];
const liveRisk = new Map();

await loadCatalogue('inspector');
mountLanguageSwitch($('language'), { onChange: () => draw() });

async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: { authorization: `Bearer ${session.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 401) {
    signOut();
    location.reload();
  }
  return res;
}

async function json(res) {
  try {
    return await res.json();
  } catch {
    return null;
  }
}

const refusal = (body) => t('error.refused', { message: body?.message ?? '' });

async function load() {
  $('notice').textContent = t('queue.loading');
  try {
    const res = await api('GET', '/v1/inspections?limit=100');
    const body = await json(res);
    if (!res.ok) {
      $('notice').textContent = res.status === 403 ? t('signIn.notInspector') : refusal(body);
      return;
    }
    queue = body.items;
    $('notice').textContent = '';
  } catch {
    $('notice').textContent = t('queue.offline');
    return;
  }
  draw();
  for (const item of queue) loadRisk(item.segmentId);
}

/** The segment's live risk: before verification, the risk the fix is meant to lower. */
async function loadRisk(segmentId) {
  if (liveRisk.has(segmentId)) return;
  liveRisk.set(segmentId, null);
  try {
    const res = await api('GET', `/v1/segments/${encodeURIComponent(segmentId)}`);
    if (res.ok) liveRisk.set(segmentId, (await res.json()).risk ?? null);
  } catch {
    return;
  }
  draw();
}

function riskText(item) {
  const live = liveRisk.get(item.segmentId);
  const level = live?.level ?? item.riskBefore?.level;
  const score = live?.score ?? item.riskBefore?.score;
  if (!level) return t('risk.unknown');
  return t('risk.value', { level: t(`level.${level}`), score: typeof score === 'number' ? formatNumber(score, { maximumSignificantDigits: 3 }) : '–' });
}

function draw() {
  for (const url of shown) URL.revokeObjectURL(url);
  shown = [];
  const list = $('queue');
  list.dataset.loaded = 'true';
  list.dataset.count = String(queue.length);
  fill(list, queue.length ? queue.map(card) : [h('li', { class: 'muted empty' }, t('queue.empty'))]);
}

function card(item) {
  const flagged = new Set(item.checks.flatMap((c) => c.photos ?? []));
  const photos = item.evidence?.photos ?? [];
  const canDecide = session.role === 'inspector';
  const reason = h('textarea', { rows: 2, maxlength: 2000, class: 'reason', 'aria-label': t('decision.reason') });
  const error = h('p', { class: 'error', role: 'alert' });
  return h(
    'li',
    { 'data-task-id': item.id, 'data-checks-passed': String(item.checksPassed) },
    h('h2', {}, t(`countermeasure.${item.countermeasure}`)),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, t('task.segment')),
      h('dd', {}, item.segmentId),
      h('dt', {}, t('task.crew')),
      h('dd', {}, item.crewId ?? '–'),
      h('dt', {}, t('task.submitted')),
      h('dd', {}, formatDateTime(item.submittedAt)),
      h('dt', {}, t('task.riskBefore')),
      h('dd', { class: 'risk' }, riskText(item)),
      item.evidence?.notes ? [h('dt', {}, t('task.notes')), h('dd', { class: 'notes' }, item.evidence.notes)] : null,
    ),
    h('p', { class: item.checksPassed ? 'summary' : 'summary summary-failed', 'data-passed': String(item.checksPassed) }, item.checksPassed ? t('checks.allPassed') : t('checks.someFailed')),
    h(
      'ul',
      { class: 'checks' },
      item.checks.map((c) => h('li', { 'data-check': c.check, 'data-passed': String(c.passed) }, `${t(`check.${c.check}`)}: ${c.passed ? t('check.passed') : t('check.failed')} — ${c.detail}`)),
    ),
    h(
      'ul',
      { class: 'photos' },
      photos.map((p, i) =>
        h(
          'li',
          { 'data-sha256': p.sha256, 'data-flagged': String(flagged.has(p.sha256)) },
          p.uploaded
            ? h('button', { type: 'button', class: 'thumb', onclick: () => openPhoto(p), 'aria-label': t('photo.open', { n: i + 1 }) }, thumbnail(p, i))
            : h('span', { class: 'muted' }, t('photo.linked', { n: i + 1 })),
        ),
      ),
    ),
    canDecide
      ? h(
          'div',
          { class: 'decision' },
          h('button', { type: 'button', class: 'verify', onclick: () => decide(item, 'verify', {}, error) }, t('decision.verify')),
          reason,
          h(
            'button',
            {
              type: 'button',
              class: 'reject',
              onclick: () => (reason.value.trim() ? decide(item, 'reject', { reason: reason.value.trim() }, error) : (error.textContent = t('decision.reasonRequired'))),
            },
            t('decision.reject'),
          ),
          error,
        )
      : null,
  );
}

/** A thumbnail fetched with the token (an <img src> cannot send it) and shown from memory. */
function thumbnail(photo, i) {
  const img = h('img', { alt: t('photo.alt', { n: i + 1 }), width: 120, height: 90, 'data-loaded': 'false' });
  const href = photo.thumbnailHref ?? photo.href;
  api('GET', href)
    .then((res) => (res.ok ? res.blob() : null))
    .then((blob) => {
      if (!blob) return;
      const url = URL.createObjectURL(blob);
      shown.push(url);
      img.src = url;
      img.dataset.loaded = 'true';
    })
    .catch(() => undefined);
  return img;
}

async function openPhoto(photo) {
  const res = await api('GET', photo.href);
  if (!res.ok) return;
  const url = URL.createObjectURL(await res.blob());
  shown.push(url);
  const img = $('viewer-img');
  img.src = url;
  img.dataset.sha256 = photo.sha256;
  $('viewer').showModal();
}

async function decide(item, action, body, error) {
  error.textContent = '';
  try {
    const res = await api('POST', `/v1/tasks/${item.id}/${action}`, { ...body, expectedVersion: item.version });
    if (!res.ok) {
      const refused = await json(res);
      error.textContent = res.status === 409 ? t('error.conflict') : refusal(refused);
      return;
    }
  } catch {
    error.textContent = t('queue.offline');
    return;
  }
  $('notice').textContent = action === 'verify' ? t('decision.verified') : t('decision.rejected');
  queue = queue.filter((q) => q.id !== item.id);
  draw();
}

function start() {
  adoptTokenFromUrl();
  session = currentSession();
  $('sign-in').hidden = Boolean(session);
  $('app').hidden = !session;
  $('sign-out').hidden = !session;
  if (!session) return;
  $('who-text').textContent = t('signIn.who', { sub: session.sub, role: t(`role.${session.role}`) });
  load();
}

$('sign-in-form').addEventListener('submit', (e) => {
  e.preventDefault();
  try {
    signIn($('token-input').value);
    start();
  } catch {
    $('sign-in-error').textContent = t('signIn.unusable');
  }
});
$('sign-out').addEventListener('click', () => {
  signOut();
  location.reload();
});
$('refresh').addEventListener('click', () => load());

start();
