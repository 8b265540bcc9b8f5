// The budgeted programme on the map: the stored programmes to choose from, a draft for a budget and
// a year (dispatcher, admin), the chosen programme's items drawn as a layer — a colour per
// countermeasure (never a risk colour), thicker where an item prevents more fatal and serious
// crashes — a table of its items with totals, its CSV, and approval (dispatcher, admin).
import * as L from '/map/vendor/leaflet-src.esm.js';
import { query } from './api.js';
import { fill, h, unavailable } from './dom.js';
import { named } from './names.js';
import { canAssign } from './session.js';
import { formatNumber, t } from '../i18n/i18n.js';

/** Who sees the programme section: those who plan works and those who read the plans. */
export const canReadProgrammes = (session) => canAssign(session) || session?.role === 'analyst';

/** One colour per countermeasure of the catalogue, apart from the five risk colours and the casings. */
export const COUNTERMEASURE_COLOURS = {
  guardrail: '#0b7285',
  delineators: '#d6336c',
  warning_sign: '#212529',
  surface_repair: '#82c91e',
  rockfall_netting: '#5f3dc4',
};
const OTHER_COLOUR = '#495057';
export const countermeasureColour = (c) => COUNTERMEASURE_COLOURS[c] ?? OTHER_COLOUR;
/** Line width: 3 px, up to 11 px for the item that prevents the most FSI crashes in the programme. */
export const weightFor = (fsiPrevented, maxFsi) => 3 + (maxFsi > 0 ? Math.round((8 * Math.max(0, fsiPrevented)) / maxFsi) : 0);

/** A countermeasure's colour as a small bar (set through the CSS object model, which the page's style policy allows). */
function swatch(countermeasure) {
  const el = h('span', { class: 'cm-swatch', 'data-countermeasure': countermeasure });
  el.style.background = countermeasureColour(countermeasure);
  return el;
}
const money = (n, currency) => `${formatNumber(Math.round(n))} ${currency ?? ''}`.trim();
const fsi = (n) => formatNumber(n, { maximumFractionDigits: 2 });
const bcr = (n) => formatNumber(n, { maximumFractionDigits: 1 });

/** The chosen programme's items as MultiLineStrings, above the roads; each path carries `data-programme-item` and `data-countermeasure`. */
export class ProgrammeLayer {
  constructor(map) {
    this.map = map;
    map.createPane('programme').style.zIndex = '420';
    this.group = L.layerGroup().addTo(map);
    this.byItem = new Map();
  }

  draw(features) {
    this.group.clearLayers();
    this.byItem.clear();
    const maxFsi = Math.max(0, ...features.map((f) => f.properties.fsiPrevented ?? 0));
    for (const f of features) {
      const p = f.properties;
      const layer = L.geoJSON(f, {
        pane: 'programme',
        style: () => ({ color: countermeasureColour(p.countermeasure), weight: weightFor(p.fsiPrevented, maxFsi), opacity: 0.9, lineCap: 'butt' }),
      });
      // As text: the road's name comes from OpenStreetMap.
      layer.bindTooltip(() => h('span', {}, t('programme.itemTooltip', { item: p.item, countermeasure: named('countermeasure', p.countermeasure), road: p.road, side: named('side', p.side), fsi: fsi(p.fsiPrevented), bcr: bcr(p.bcr) })), { sticky: true });
      layer.on('add', () => layer.eachLayer((l) => {
        const el = l.getElement?.();
        el?.setAttribute('data-programme-item', String(p.item));
        el?.setAttribute('data-countermeasure', p.countermeasure);
      }));
      this.byItem.set(p.item, layer);
      this.group.addLayer(layer);
    }
    this.map.getContainer().dataset.programmeItemsDrawn = String(features.length);
  }

  boundsOf(item) {
    return item === undefined ? (this.byItem.size ? L.featureGroup([...this.byItem.values()]).getBounds() : null) : this.byItem.get(item)?.getBounds();
  }

  clear() {
    this.draw([]);
  }
}

/** The "Programme" section of the side panel. */
export class ProgrammePanel {
  constructor(body, { api, session, layer, map }) {
    Object.assign(this, { body, api, session, layer, map });
    this.chosen = '';
    this.message = h('p', { class: 'message', role: 'status' });
    /** The last budget and year asked for, kept when the section is redrawn. */
    this.asked = { budget: '10000000', year: String(new Date().getFullYear() + 1) };
  }

  /** Lists the stored programmes (newest first) and shows the chosen one, or the newest. */
  async load(choose, { fit = choose !== undefined } = {}) {
    let list;
    try {
      list = (await this.api.get(`/v1/programmes${query({ limit: 50 })}`)).items;
    } catch (err) {
      this.layer.clear();
      return fill(this.body, unavailable(t('programme.unavailable', { reason: err.message })), this.draftForm());
    }
    if (choose !== undefined) this.chosen = choose;
    if (!list.some((p) => p.id === this.chosen)) this.chosen = list[0]?.id ?? '';
    const select = h('select', { id: 'programme-select', onchange: () => { this.chosen = select.value; this.show({ fit: true }); } },
      list.length ? null : h('option', { value: '' }, t('programme.none')),
      list.map((p) => h('option', { value: p.id, selected: p.id === this.chosen }, t('programme.option', { year: p.year, budget: money(p.budget, p.currency), status: named('programmeStatus', p.status), count: p.itemCount }))));
    this.detail = h('div', { id: 'programme-detail' });
    fill(this.body, h('label', { for: 'programme-select' }, t('programme.choose')), select, this.draftForm(), this.message, this.detail);
    return this.show({ fit });
  }

  /** Budget and year for a new draft (dispatcher, admin). */
  draftForm() {
    if (!canAssign(this.session())) return null;
    const budget = h('input', { id: 'programme-budget', type: 'number', min: '1', step: '1', required: true, value: this.asked.budget });
    const year = h('input', { id: 'programme-year', type: 'number', min: '2000', max: '2100', step: '1', required: true, value: this.asked.year });
    const submit = h('button', { type: 'submit', class: 'primary' }, t('programme.draft'));
    const form = h('form', { class: 'programme-form', id: 'programme-form' },
      h('label', { for: 'programme-budget' }, t('programme.budget')), budget,
      h('label', { for: 'programme-year' }, t('programme.year')), year,
      submit);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      submit.disabled = true;
      this.asked = { budget: budget.value, year: year.value };
      this.message.textContent = t('programme.computing');
      try {
        const draft = await this.api.post('/v1/programmes', { budget: Number(budget.value), year: Number(year.value) });
        this.message.textContent = t('programme.drafted', { count: draft.items.length });
        await this.load(draft.id);
      } catch (err) {
        this.message.textContent = t('programme.draftFailed', { reason: fieldsOf(err) });
      } finally {
        submit.disabled = false;
      }
    });
    return form;
  }

  /** Draws the chosen programme and its table; `fit` moves the view to its items (when the user chose it). */
  async show({ fit = false } = {}) {
    const id = this.chosen;
    if (!id) {
      this.layer.clear();
      return fill(this.detail, h('p', { class: 'muted' }, t('programme.hint')));
    }
    fill(this.detail, h('p', { class: 'muted' }, t('common.loading')));
    let layer;
    try {
      layer = await this.api.get(`/v1/programmes/${encodeURIComponent(id)}${query({ format: 'geojson' })}`);
    } catch (err) {
      if (this.chosen === id) fill(this.detail, unavailable(t('programme.unavailable', { reason: err.message })));
      return;
    }
    if (this.chosen !== id) return;
    const features = layer.features ?? [];
    this.layer.draw(features);
    const bounds = fit ? this.layer.boundsOf() : null;
    if (bounds?.isValid()) this.map.fitBounds(bounds, { maxZoom: 16, padding: [30, 30], animate: false });
    fill(this.detail, this.render(layer.programme, features.map((f) => f.properties)));
  }

  render(p, items) {
    const currency = p.currency;
    const totalFsi = items.reduce((s, i) => s + i.fsiPrevented, 0);
    const totalCost = items.reduce((s, i) => s + i.cost, 0);
    return [
      h('p', { class: 'programme-summary', 'data-status': p.status },
        t('programme.summary', { year: p.year, status: named('programmeStatus', p.status), cost: money(p.cost, currency), budget: money(p.budget, currency), fsi: fsi(p.fsiPrevented) })),
      p.greedy && p.naive ? h('p', { class: 'muted' }, t('programme.compared', { fsi_greedy: fsi(p.greedy.fsiPrevented), fsi_naive: fsi(p.naive.fsiPrevented) })) : null,
      p.toSurvey?.stretches ? h('p', { class: 'muted' }, t('programme.toSurvey', { count: p.toSurvey.stretches, km: formatNumber(p.toSurvey.km, { maximumFractionDigits: 1 }) })) : null,
      this.legend(items),
      items.length
        ? h('table', { class: 'programme-items' },
            h('colgroup', {}, ['stretch', 'cm', 'cost', 'fsi', 'bcr'].map((c) => h('col', { class: c }))),
            h('thead', {}, h('tr', {},
              h('th', {}, t('programme.stretch')), h('th', {}, t('programme.countermeasure')), h('th', { class: 'num' }, t('programme.cost')),
              h('th', { class: 'num', title: t('programme.fsiTitle') }, t('programme.fsi')), h('th', { class: 'num', title: t('programme.bcrTitle') }, t('programme.bcr')))),
            h('tbody', {}, items.map((i) => h('tr', { 'data-item': i.item, 'data-countermeasure': i.countermeasure, tabindex: '0', onclick: () => this.zoomTo(i.item), onkeydown: (e) => onEnter(e, () => this.zoomTo(i.item)) },
              h('td', { title: i.stretchId }, t('programme.stretchValue', { road: i.road, side: named('side', i.side), km: formatNumber(i.lengthKm, { maximumFractionDigits: 2 }) })),
              h('td', {}, swatch(i.countermeasure), named('countermeasure', i.countermeasure)),
              h('td', { class: 'num' }, money(i.cost)),
              h('td', { class: 'num' }, fsi(i.fsiPrevented)),
              h('td', { class: 'num' }, bcr(i.bcr))))),
            h('tfoot', {}, h('tr', { class: 'programme-totals' },
              h('th', { colspan: '2' }, t('programme.totals', { count: items.length })),
              h('td', { class: 'num' }, money(totalCost, currency)),
              h('td', { class: 'num' }, fsi(totalFsi)),
              h('td', { class: 'num' }, totalCost > 0 ? bcr(items.reduce((s, i) => s + i.bcr * i.cost, 0) / totalCost) : '–'))))
        : h('p', { class: 'muted' }, t('programme.noItems')),
      h('div', { class: 'programme-actions' }, this.csvButton(p), this.approveButton(p)),
    ];
  }

  /** The countermeasures present, with their colours; thickness said once. */
  legend(items) {
    const present = [...new Set(items.map((i) => i.countermeasure))];
    if (!present.length) return null;
    return h('ul', { class: 'programme-legend' },
      present.map((c) => h('li', {}, swatch(c), named('countermeasure', c))),
      h('li', { class: 'muted' }, t('programme.thickness')));
  }

  /** The CSV table, fetched with the user's token and saved as a file. */
  csvButton(p) {
    return h('button', { type: 'button', id: 'programme-csv', onclick: async () => {
      try {
        const csv = await this.api.text(`/v1/programmes/${encodeURIComponent(p.id)}${query({ format: 'csv' })}`);
        const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
        const a = h('a', { href: url, download: `programme-${p.year}-${p.id.slice(0, 8)}.csv` });
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 0);
      } catch (err) {
        this.message.textContent = t('programme.csvFailed', { reason: err.message });
      }
    } }, t('programme.csv'));
  }

  approveButton(p) {
    if (!canAssign(this.session()) || p.status !== 'draft') return null;
    const button = h('button', { type: 'button', class: 'primary', id: 'programme-approve', onclick: async () => {
      button.disabled = true;
      try {
        const approval = await this.api.post(`/v1/programmes/${encodeURIComponent(p.id)}/approve`, {});
        this.message.textContent = t('programme.approved', { count: approval.tasks.filter((x) => x.taskId).length });
      } catch (err) {
        this.message.textContent = t('programme.approveFailed', { reason: err.message });
      }
      await this.load(p.id, { fit: false });
    } }, t('programme.approve'));
    return button;
  }

  zoomTo(item) {
    const bounds = this.layer.boundsOf(item);
    if (bounds?.isValid()) this.map.fitBounds(bounds, { maxZoom: 17, padding: [40, 40], animate: false });
  }
}

const onEnter = (e, fn) => e.key === 'Enter' && fn(); // i18n-ignore (a key's name)

/** A refusal's fields (`budget`, `year`) when the server named them, else its message. */
const fieldsOf = (err) => (err.body?.fields?.length ? err.body.fields.map((f) => `${f.field}: ${f.message}`).join('; ') : err.message);
