import { query } from './api.js';
import { designStars, levelLabel, starsText, unitText } from './colours.js';
import { fill, h, unavailable } from './dom.js';
import { canAssign } from './session.js';
import { formatDateTime, t } from '../i18n/i18n.js';
import { named } from './names.js';

const fmt = (n, digits = 1) => (typeof n === 'number' ? n.toFixed(digits).replace(/\.0+$/, '') : '–');
const date = (iso) => formatDateTime(iso);
const levelChip = (level) => h('span', { class: `chip ${level ?? 'none'}` }, levelLabel(level));
const statusChip = (status, group = 'taskStatus') => h('span', { class: `chip ${status ?? 'none'}` }, named(group, status));
const sideText = (side) => named('side', side && side !== 'none' ? side : 'none');
const CLOSED = ['verified', 'cancelled', 'duplicate'];
export const isOpenTask = (t) => !CLOSED.includes(t.status);

/** The selected segment: risk and its factors, open hazards, crashes, tasks (with assignment). */
export class DetailPanel {
  constructor(root, body, { api, session, onChanged }) {
    Object.assign(this, { root, body, api, session, onChanged });
    this.segmentId = null;
  }

  async show(segmentId) {
    this.segmentId = segmentId;
    this.root.dataset.segmentId = segmentId;
    fill(this.body, h('p', { class: 'muted' }, t('detail.loading', { id: segmentId })));
    let segment;
    try {
      segment = await this.api.get(`/v1/segments/${encodeURIComponent(segmentId)}`);
    } catch (err) {
      if (this.segmentId === segmentId) fill(this.body, h('p', { class: 'error' }, t('detail.failed', { id: segmentId, reason: err.message })));
      return;
    }
    const tasks = await this.api.get(`/v1/tasks${query({ segmentId, limit: 50 })}`).then((b) => b.items, () => null);
    if (this.segmentId !== segmentId) return;
    fill(this.body, this.render(segment, tasks));
  }

  refresh() {
    if (this.segmentId) return this.show(this.segmentId);
  }

  render(s, tasks) {
    const risk = s.risk ?? null;
    const attrs = s.attributes ?? {};
    const factors = risk?.factors ?? s.exposureFactors ?? [];
    return [
      h('p', {}, h('strong', { class: 'segment-name' }, s.name ?? t('detail.unnamed')), ' ', h('code', { class: 'segment-id' }, s.id)),
      h('dl', { class: 'facts' },
        h('dt', {}, t('detail.risk')), h('dd', {}, levelChip(risk?.level ?? null), ' ', h('span', { class: 'score', title: unitText('long') }, `${fmt(risk?.score, 4)} ${unitText('short')}`),
          ' · ', h('span', { class: 'design-rating', title: t('detail.designTitle') }, t('design.stars', { stars: starsText(designStars(s.exposureLevel)) }))),
        h('dt', {}, t('detail.alarm')), h('dd', {}, named('status', risk?.alarm)),
        h('dt', {}, t('detail.road')), h('dd', {}, t('detail.roadValue', { roadClass: named('roadClass', s.roadClass), length: fmt(s.lengthM, 0) })),
        h('dt', {}, t('detail.waterSide')), h('dd', {}, sideText(attrs.waterSide)),
        h('dt', {}, t('detail.cliffSide')), h('dd', {}, sideText(attrs.cliffSide)),
        h('dt', {}, t('detail.designRating')), h('dd', {}, t('detail.designValue', { stars: starsText(designStars(s.exposureLevel)), exposure: fmt(s.designRating?.score ?? s.exposureScore), level: levelLabel(s.exposureLevel).toLowerCase() })),
        ...designRange(s.designRating?.range),
        h('dt', {}, t('detail.guardrail')), h('dd', { class: 'roadside-inventory' }, roadsideText(s.roadside ?? [])),
      ),
      h('div', { class: 'detail-section' },
        h('h3', {}, t('detail.factors')),
        factors.length
          ? h('table', { class: 'factors' },
              h('thead', {}, h('tr', {}, h('th', {}, t('detail.factor')), h('th', { class: 'num', title: t('detail.multiplyTitle') }, '×'), h('th', {}, t('detail.factorDetail')))),
              h('tbody', {}, factors.map((f) => h('tr', { 'data-factor': f.factor }, h('td', {}, f.factor), h('td', { class: 'num' }, fmt(f.value, 2)), h('td', {}, f.detail ?? '')))))
          : h('p', { class: 'muted' }, t('detail.noFactors')),
      ),
      h('div', { class: 'detail-section' },
        h('h3', {}, t('detail.openHazards', { count: (s.openHazards ?? []).length })),
        list(s.openHazards ?? [], (x) => t('detail.hazardLine', { category: named('category', x.category), severity: named('severity', x.severity), when: date(x.reportedAt) })),
      ),
      h('div', { class: 'detail-section' },
        h('h3', {}, t('detail.crashes', { count: (s.crashes ?? []).length })),
        list((s.crashes ?? []).slice(0, 10), (c) => t('detail.crashLine', { when: date(c.occurredAt), deaths: c.deaths ?? 0, serious: c.seriousInjuries ?? 0, slight: c.slightInjuries ?? 0 })),
      ),
      h('div', { class: 'detail-section tasks' },
        h('h3', {}, t('detail.tasks')),
        tasks === null ? unavailable(t('detail.tasksUnavailable')) : tasks.length ? tasks.map((task) => this.task(task)) : h('p', { class: 'muted' }, t('common.none')),
      ),
    ];
  }

  task(task) {
    const box = h('div', { class: 'task', 'data-task-id': task.id, 'data-status': task.status },
      h('div', {}, h('strong', {}, named('countermeasure', task.countermeasure)), ` · ${task.priority} · `, statusChip(task.status), task.overdue ? ` · ${t('task.overdue')}` : ''),
      h('div', { class: 'muted' }, `${t('task.crew')}: `, h('span', { class: 'crew' }, task.crewId ?? t('task.unassigned')), ` · ${t('task.due', { when: date(task.dueAt), version: task.version })}`),
    );
    if (canAssign(this.session()) && isOpenTask(task)) box.append(assignControl(this.api, task, () => this.onChanged()));
    return box;
  }
}

/** While a side's guardrail is unknown, the design rating as a range: protected … unprotected. */
function designRange(range) {
  if (!range) return [];
  const sides = range.unknownSides.length > 1 ? 'both' : range.unknownSides[0];
  return [
    h('dt', {}, t('detail.designRange')),
    h('dd', { class: 'design-range', 'data-unknown-sides': range.unknownSides.join(',') }, t('detail.designRangeValue', {
      protected: starsText(designStars(range.protected.level)),
      unprotected: starsText(designStars(range.unprotected.level)),
      side: named('roadsideSide', sides),
    })),
  ];
}

/** What is recorded of each side's guardrail (a survey, an import), or that nothing is. */
const roadsideText = (recorded) =>
  recorded.length
    ? recorded.map((r) => t('detail.guardrailLine', { side: named('side', r.side), status: named('guardrailStatus', r.status), source: named('inventorySource', r.source), when: date(r.observedAt) })).join('; ')
    : t('detail.guardrailNone');

const list = (items, text) => (items.length ? h('ul', { class: 'plain' }, items.map((x) => h('li', {}, text(x)))) : h('p', { class: 'muted' }, t('common.none')));

/** "Assign / reassign": choose a crew of the task's jurisdiction, sent with the version seen. */
export function assignControl(api, task, onDone) {
  const wrap = h('div', {});
  const message = h('p', { class: 'message', role: 'status' });
  const open = h('button', { type: 'button', class: 'assign', onclick: () => showForm() }, t('assign.open'));
  wrap.append(open, message);

  async function crewsFor(jurisdictionId) {
    if (jurisdictionId) {
      for (const key of ['jurisdictionId', 'jurisdiction']) {
        const items = await api.get(`/v1/crews${query({ [key]: jurisdictionId })}`).then((b) => b.items, () => null);
        if (items) return items;
      }
    }
    return api.get('/v1/crews').then((b) => b.items);
  }

  async function showForm() {
    open.disabled = true;
    let crews;
    try {
      crews = await crewsFor(task.jurisdictionId);
    } catch (err) {
      message.textContent = t('assign.crewsUnavailable', { reason: err.message });
      open.disabled = false;
      return;
    }
    const id = `crew-${task.id}`;
    const select = h('select', { id, class: 'crew-select' }, crews.map((c) => h('option', { value: c.id, selected: c.id === task.crewId }, c.openTasks != null ? t('assign.crewOption', { name: c.name ?? c.id, open: c.openTasks }) : (c.name ?? c.id))));
    const form = h('form', { class: 'assign-form' },
      h('label', { for: id }, t('assign.crew')), select,
      h('button', { type: 'submit', class: 'primary' }, t('assign.submit')),
      h('button', { type: 'button', onclick: () => { form.remove(); open.disabled = false; } }, t('assign.cancel')),
    );
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        const updated = await api.post(`/v1/tasks/${task.id}/assign`, { crewId: select.value, expectedVersion: task.version });
        message.textContent = t('assign.done', { crew: updated.crewId });
        form.remove();
        onDone();
      } catch (err) {
        message.textContent = err.status === 409 ? t('assign.conflict') : t('assign.failed', { reason: err.message });
        if (err.status === 409) onDone();
      }
    });
    wrap.insertBefore(form, message);
    select.focus();
  }
  return wrap;
}

/** The top-N list, with the filters when the ranking supports them. */
export async function renderTop(body, api, filters, onPick) {
  const params = { limit: 20, jurisdiction: filters.jurisdiction, roadClass: filters.roadClass, side: filters.side, level: filters.levels.join(',') };
  let result;
  let filtered = true;
  try {
    result = await api.get(`/v1/segments/top${query(params)}`);
  } catch (err) {
    if (!err.unavailable) throw err;
    filtered = false;
    result = await api.get(`/v1/segments/top${query({ limit: 20 })}`).catch(() => null);
  }
  if (!result) return fill(body, unavailable(t('top.unavailable')));
  const anyFilter = filters.jurisdiction || filters.roadClass || filters.side || filters.levels.length;
  fill(body,
    anyFilter && !filtered ? h('p', { class: 'unavailable' }, t('top.unfiltered')) : null,
    h('p', { class: 'muted' }, t('top.source', { source: named('source', result.source ?? 'database') })),
    h('ol', { class: 'top' }, result.items.map((it, i) =>
      h('li', {}, h('button', { type: 'button', 'data-segment-id': it.segmentId, onclick: () => onPick(it.segmentId) },
        h('span', {}, `${it.rank ?? i + 1}.`),
        h('span', {}, it.name ?? it.segmentId, it.jurisdictionName ? h('span', { class: 'muted' }, ` · ${it.jurisdictionName}`) : null),
        h('span', {}, levelChip(it.level), ` ${fmt(it.score, 3)}`))))),
  );
}

/** Today's index per jurisdiction (five colours) with the three-colour status; the status alone before the index exists. */
export async function renderIndex(body, api) {
  try {
    const index = await api.get('/v1/jurisdictions/index');
    if (!index.items.length) return fill(body, h('p', { class: 'muted' }, t('index.none')));
    return fill(body,
      h('p', { class: 'muted' }, t('index.about', { date: index.date })),
      h('table', { class: 'index' },
        h('thead', {}, h('tr', {}, h('th', {}, t('index.jurisdiction')), h('th', { class: 'num' }, t('index.index')), h('th', {}, t('index.status')))),
        h('tbody', {}, index.items.map((j) => h('tr', { 'data-jurisdiction-id': j.jurisdictionId },
          h('td', {}, j.name ?? j.jurisdictionId),
          h('td', { class: 'num' }, h('span', { class: `chip ${j.band}` }, fmt(j.index, 0))),
          h('td', { title: (j.statusReasons ?? []).join('; ') }, statusChip(j.status, 'status')))))),
    );
  } catch (err) {
    if (!err.unavailable) throw err;
  }
  const list = await api.get('/v1/jurisdictions').then((b) => b.items, () => null);
  if (!list) return fill(body, unavailable(t('index.unavailable')));
  fill(body,
    h('p', { class: 'unavailable' }, t('index.statusOnly')),
    list.length
      ? h('table', { class: 'index' },
          h('thead', {}, h('tr', {}, h('th', {}, t('index.jurisdiction')), h('th', { class: 'num' }, t('index.open')), h('th', { class: 'num' }, t('index.overdue')), h('th', {}, t('index.status')))),
          h('tbody', {}, list.map((j) => h('tr', { 'data-jurisdiction-id': j.id },
            h('td', {}, j.name), h('td', { class: 'num' }, j.open ?? '–'), h('td', { class: 'num' }, j.overdue ?? '–'), h('td', {}, statusChip(j.status, 'status'))))))
      : h('p', { class: 'muted' }, t('index.none')),
  );
}

/** The calendar quarter before the one `now` is in, or the last 12 months, as verification dates. */
export function periodOf(choice, now = new Date()) {
  const day = (d) => d.toISOString().slice(0, 10);
  if (choice === 'last-quarter') {
    const q = Math.floor(now.getUTCMonth() / 3);
    const start = new Date(Date.UTC(now.getUTCFullYear(), (q - 1) * 3, 1));
    const end = new Date(Date.UTC(now.getUTCFullYear(), q * 3, 0));
    return { verifiedFrom: day(start), verifiedTo: day(end) };
  }
  if (choice === '12-months') return { verifiedFrom: day(new Date(now.getTime() - 365 * 86_400_000)), verifiedTo: day(now) };
  return {};
}

/** Empirical Bayes before–after per countermeasure: what changed, how sure, or why it cannot say yet. */
export async function renderEffectiveness(body, api, filters, period) {
  const result = await api.get(`/v1/effectiveness${query({ jurisdiction: filters.jurisdiction, ...periodOf(period) })}`);
  const rows = result.countermeasures ?? [];
  if (!rows.length) return fill(body, h('p', { class: 'muted' }, t('effect.none')));
  const pct = (v) => (v == null ? '–' : `${fmt(v, 0)} %`);
  fill(body,
    h('table', { class: 'effect' },
      h('thead', {}, h('tr', {}, h('th', {}, t('effect.fix')), h('th', { class: 'num' }, t('effect.sites')), h('th', { class: 'num' }, t('effect.crashes')), h('th', { class: 'num' }, t('effect.change')))),
      h('tbody', {}, rows.map((r) => h('tr', { 'data-countermeasure': r.countermeasure, 'data-verdict': r.verdict, title: r.note ?? '' },
        h('td', {}, named('countermeasure', r.countermeasure)),
        h('td', { class: 'num' }, String(r.sites)),
        h('td', { class: 'num' }, `${r.beforeCrashes} → ${r.afterCrashes}`),
        h('td', { class: 'num' }, r.verdict === 'insufficient_data' ? h('span', { class: 'muted' }, t('effect.tooLittle'))
          : h('span', {}, `${pct(-r.effectivenessPct)} `, h('span', { class: 'muted' }, named('verdict', r.verdict)))))))),
    h('p', { class: 'muted' }, t('effect.about')),
  );
}

export function hazardPopup(p) {
  return h('div', {}, h('strong', {}, named('category', p.category)), ` · ${named('severity', p.severity)} · ${named('hazardStatus', p.status)}`,
    h('br'), t('popup.segment', { id: p.segmentId ?? '–' }), h('br'), date(p.reportedAt), p.description ? h('p', {}, p.description) : null);
}

export function taskPopup(p, api, session, onChanged) {
  const box = h('div', { 'data-task-id': p.id },
    h('strong', {}, named('countermeasure', p.countermeasure)), ` · ${p.priority ?? ''} · ${named('taskStatus', p.status)}`,
    h('br'), t('popup.taskWhere', { id: p.segmentId, crew: p.crewId ?? t('task.unassigned') }), h('br'), t(p.overdue ? 'popup.dueOverdue' : 'popup.due', { when: date(p.dueAt) }));
  if (canAssign(session()) && isOpenTask(p)) box.append(assignControl(api, p, onChanged));
  return box;
}
