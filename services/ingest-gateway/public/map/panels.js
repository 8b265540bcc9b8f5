import { query } from './api.js';
import { RISK_UNIT, designStars, levelLabel, starsText } from './colours.js';
import { fill, h, unavailable } from './dom.js';
import { canAssign } from './session.js';

const fmt = (n, digits = 1) => (typeof n === 'number' ? n.toFixed(digits).replace(/\.0+$/, '') : '–');
const date = (iso) => (iso ? new Date(iso).toLocaleString() : '–');
const levelChip = (level) => h('span', { class: `chip ${level ?? 'none'}` }, levelLabel(level));
const statusChip = (status) => h('span', { class: `chip ${status ?? 'none'}` }, status ?? '–');
const sideText = (side) => (side && side !== 'none' ? side : 'no');
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
    fill(this.body, h('p', { class: 'muted' }, `Loading ${segmentId}…`));
    let segment;
    try {
      segment = await this.api.get(`/v1/segments/${encodeURIComponent(segmentId)}`);
    } catch (err) {
      if (this.segmentId === segmentId) fill(this.body, h('p', { class: 'error' }, `Segment ${segmentId}: ${err.message}`));
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
      h('p', {}, h('strong', { class: 'segment-name' }, s.name ?? 'Unnamed road'), ' ', h('code', { class: 'segment-id' }, s.id)),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Risk'), h('dd', {}, levelChip(risk?.level ?? null), ' ', h('span', { class: 'score', title: RISK_UNIT.long }, `${fmt(risk?.score, 4)} ${RISK_UNIT.short}`),
          ' · ', h('span', { class: 'design-rating', title: 'Design rating: the roadside as built (5 stars best)' }, `design ${starsText(designStars(s.exposureLevel))}`)),
        h('dt', {}, 'Alarm'), h('dd', {}, risk?.alarm ?? '–'),
        h('dt', {}, 'Road'), h('dd', {}, `${s.roadClass ?? '–'}, ${fmt(s.lengthM, 0)} m`),
        h('dt', {}, 'Water side'), h('dd', {}, sideText(attrs.waterSide)),
        h('dt', {}, 'Cliff side'), h('dd', {}, sideText(attrs.cliffSide)),
        h('dt', {}, 'Design rating'), h('dd', {}, `${starsText(designStars(s.exposureLevel))} (exposure ${fmt(s.designRating?.score ?? s.exposureScore)}, ${levelLabel(s.exposureLevel).toLowerCase()})`),
      ),
      h('div', { class: 'detail-section' },
        h('h3', {}, 'Factor breakdown'),
        factors.length
          ? h('table', { class: 'factors' },
              h('thead', {}, h('tr', {}, h('th', {}, 'Factor'), h('th', { class: 'num', title: 'The factors multiply to the score' }, '×'), h('th', {}, 'Detail'))),
              h('tbody', {}, factors.map((f) => h('tr', { 'data-factor': f.factor }, h('td', {}, f.factor), h('td', { class: 'num' }, fmt(f.value, 2)), h('td', {}, f.detail ?? '')))))
          : h('p', { class: 'muted' }, 'No factors recorded.'),
      ),
      h('div', { class: 'detail-section' },
        h('h3', {}, `Open hazards (${(s.openHazards ?? []).length})`),
        list(s.openHazards ?? [], (x) => `${x.category} — ${x.severity}, reported ${date(x.reportedAt)}`),
      ),
      h('div', { class: 'detail-section' },
        h('h3', {}, `Crashes (${(s.crashes ?? []).length})`),
        list((s.crashes ?? []).slice(0, 10), (c) => `${date(c.occurredAt)}: ${c.deaths ?? 0} killed, ${c.seriousInjuries ?? 0} seriously and ${c.slightInjuries ?? 0} slightly injured`),
      ),
      h('div', { class: 'detail-section tasks' },
        h('h3', {}, 'Tasks'),
        tasks === null ? unavailable('Tasks') : tasks.length ? tasks.map((t) => this.task(t)) : h('p', { class: 'muted' }, 'None.'),
      ),
    ];
  }

  task(t) {
    const box = h('div', { class: 'task', 'data-task-id': t.id, 'data-status': t.status },
      h('div', {}, h('strong', {}, t.countermeasure.replace(/_/g, ' ')), ` · ${t.priority} · `, statusChip(t.status), t.overdue ? ' · overdue' : ''),
      h('div', { class: 'muted' }, `crew: `, h('span', { class: 'crew' }, t.crewId ?? 'unassigned'), ` · due ${date(t.dueAt)} · v${t.version}`),
    );
    if (canAssign(this.session()) && isOpenTask(t)) box.append(assignControl(this.api, t, () => this.onChanged()));
    return box;
  }
}

const list = (items, text) => (items.length ? h('ul', { class: 'plain' }, items.map((x) => h('li', {}, text(x)))) : h('p', { class: 'muted' }, 'None.'));

/** "Assign / reassign": choose a crew of the task's jurisdiction, sent with the version seen. */
export function assignControl(api, task, onDone) {
  const wrap = h('div', {});
  const message = h('p', { class: 'message', role: 'status' });
  const open = h('button', { type: 'button', class: 'assign', onclick: () => showForm() }, 'Assign / reassign');
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
      message.textContent = `Crews not available: ${err.message}`;
      open.disabled = false;
      return;
    }
    const id = `crew-${task.id}`;
    const select = h('select', { id, class: 'crew-select' }, crews.map((c) => h('option', { value: c.id, selected: c.id === task.crewId }, `${c.name ?? c.id}${c.openTasks != null ? ` (${c.openTasks} open)` : ''}`)));
    const form = h('form', { class: 'assign-form' },
      h('label', { for: id }, 'Crew'), select,
      h('button', { type: 'submit', class: 'primary' }, 'Assign'),
      h('button', { type: 'button', onclick: () => { form.remove(); open.disabled = false; } }, 'Cancel'),
    );
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        const updated = await api.post(`/v1/tasks/${task.id}/assign`, { crewId: select.value, expectedVersion: task.version });
        message.textContent = `Assigned to ${updated.crewId}.`;
        form.remove();
        onDone();
      } catch (err) {
        message.textContent = err.status === 409 ? 'The task changed meanwhile; it has been reloaded, please try again.' : `Not assigned: ${err.message}`;
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
  if (!result) return fill(body, unavailable('The ranking is'));
  const anyFilter = filters.jurisdiction || filters.roadClass || filters.side || filters.levels.length;
  fill(body,
    anyFilter && !filtered ? h('p', { class: 'unavailable' }, 'Filtered ranking not available; showing all segments.') : null,
    h('p', { class: 'muted' }, `Served from ${result.source ?? 'the database'}.`),
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
    if (!index.items.length) return fill(body, h('p', { class: 'muted' }, 'No jurisdictions loaded.'));
    return fill(body,
      h('p', { class: 'muted' }, `Index for ${index.date}: 0–100, higher is worse.`),
      h('table', { class: 'index' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Jurisdiction'), h('th', { class: 'num' }, 'Index'), h('th', {}, 'Status'))),
        h('tbody', {}, index.items.map((j) => h('tr', { 'data-jurisdiction-id': j.jurisdictionId },
          h('td', {}, j.name ?? j.jurisdictionId),
          h('td', { class: 'num' }, h('span', { class: `chip ${j.band}` }, fmt(j.index, 0))),
          h('td', { title: (j.statusReasons ?? []).join('; ') }, statusChip(j.status)))))),
    );
  } catch (err) {
    if (!err.unavailable) throw err;
  }
  const list = await api.get('/v1/jurisdictions').then((b) => b.items, () => null);
  if (!list) return fill(body, unavailable('Jurisdictions are'));
  fill(body,
    h('p', { class: 'unavailable' }, 'Daily index not available; showing the task status.'),
    list.length
      ? h('table', { class: 'index' },
          h('thead', {}, h('tr', {}, h('th', {}, 'Jurisdiction'), h('th', { class: 'num' }, 'Open'), h('th', { class: 'num' }, 'Overdue'), h('th', {}, 'Status'))),
          h('tbody', {}, list.map((j) => h('tr', { 'data-jurisdiction-id': j.id },
            h('td', {}, j.name), h('td', { class: 'num' }, j.open ?? '–'), h('td', { class: 'num' }, j.overdue ?? '–'), h('td', {}, statusChip(j.status))))))
      : h('p', { class: 'muted' }, 'No jurisdictions loaded.'),
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
  if (!rows.length) return fill(body, h('p', { class: 'muted' }, 'No verified fixes in this period.'));
  const pct = (v) => (v == null ? '–' : `${fmt(v, 0)} %`);
  fill(body,
    h('table', { class: 'effect' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Fix'), h('th', { class: 'num' }, 'Sites'), h('th', { class: 'num' }, 'Crashes before → after'), h('th', { class: 'num' }, 'Change'))),
      h('tbody', {}, rows.map((r) => h('tr', { 'data-countermeasure': r.countermeasure, 'data-verdict': r.verdict, title: r.note ?? '' },
        h('td', {}, r.countermeasure.replace(/_/g, ' ')),
        h('td', { class: 'num' }, String(r.sites)),
        h('td', { class: 'num' }, `${r.beforeCrashes} → ${r.afterCrashes}`),
        h('td', { class: 'num' }, r.verdict === 'insufficient_data' ? h('span', { class: 'muted' }, 'too little data')
          : h('span', {}, `${pct(-r.effectivenessPct)} `, h('span', { class: 'muted' }, r.verdict.replace(/_/g, ' ')))))))),
    h('p', { class: 'muted' }, 'Crashes after each fix against those expected without it (Empirical Bayes); hover a row for the details.'),
  );
}

export function hazardPopup(p) {
  return h('div', {}, h('strong', {}, p.category?.replace(/_/g, ' ') ?? 'hazard'), ` · ${p.severity} · ${p.status}`,
    h('br'), `segment ${p.segmentId ?? 'none'}`, h('br'), date(p.reportedAt), p.description ? h('p', {}, p.description) : null);
}

export function taskPopup(p, api, session, onChanged) {
  const box = h('div', { 'data-task-id': p.id },
    h('strong', {}, (p.countermeasure ?? 'task').replace(/_/g, ' ')), ` · ${p.priority ?? ''} · ${p.status}`,
    h('br'), `segment ${p.segmentId} · crew ${p.crewId ?? 'unassigned'}`, h('br'), `due ${date(p.dueAt)}${p.overdue ? ' (overdue)' : ''}`);
  if (canAssign(session()) && isOpenTask(p)) box.append(assignControl(api, p, onChanged));
  return box;
}
