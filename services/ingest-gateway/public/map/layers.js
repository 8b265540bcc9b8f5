import * as L from '/map/vendor/leaflet-src.esm.js';
import { CLIFF, UNKNOWN_ROADSIDE, WATER, bandColour, levelColour, levelLabel } from './colours.js';
import { query } from './api.js';
import { h } from './dom.js';
import { t } from '../i18n/i18n.js';
import { named } from './names.js';

/** The API serves at most one square degree and 5,000 segments a request. */
const MAX_AREA_SQ_DEG = 1;
const PAGE = 2000;
const MAX_PAGES = 5;
const SIDES = ['left', 'right', 'both'];

// The live level only: the design rating (exposureLevel) never colours a road.
const levelOf = (p) => p.level ?? null;
const onSide = (side) => SIDES.includes(side);

/** The view's box, shrunk around its centre to what one request may cover. */
export function requestBox(bounds) {
  let [w, s, e, n] = [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()];
  const area = (e - w) * (n - s);
  const clipped = area > MAX_AREA_SQ_DEG;
  if (clipped) {
    const k = Math.sqrt(MAX_AREA_SQ_DEG / area) * 0.999;
    const [cx, cy, hw, hh] = [(w + e) / 2, (s + n) / 2, ((e - w) * k) / 2, ((n - s) * k) / 2];
    [w, s, e, n] = [cx - hw, cy - hh, cx + hw, cy + hh];
  }
  const r = (x) => Math.round(x * 1e6) / 1e6;
  return { bbox: [Math.max(-180, r(w)), Math.max(-90, r(s)), Math.min(180, r(e)), Math.min(90, r(n))].join(','), clipped };
}

/** Douglas–Peucker tolerance in metres: about one screen pixel when zoomed out, none close up. */
export function simplifyFor(map) {
  const zoom = map.getZoom();
  if (zoom >= 15) return undefined;
  const metresPerPixel = (156543.03 * Math.cos((map.getCenter().lat * Math.PI) / 180)) / 2 ** zoom;
  return Math.min(1000, Math.round(metresPerPixel * 0.8));
}

/**
 * Road segments coloured by level, with a dashed casing for water-side (blue) and cliff-side
 * (brown) roads, and a dotted one (purple) where a guardrail would matter and is unknown. Each
 * drawn path carries `data-segment-id` and `data-level`; an unknown roadside's casing
 * `data-roadside-unknown` (the segment's id).
 */
export class SegmentLayer {
  constructor(map, onSelect) {
    this.map = map;
    this.onSelect = onSelect;
    map.createPane('casings').style.zIndex = '390';
    this.casings = L.layerGroup().addTo(map);
    this.lines = L.layerGroup().addTo(map);
    this.byId = new Map();
    this.selected = null;
  }

  /** Loads the segments in view (or in a polygon) page by page; `generation` cancels stale loads. */
  async load(api, { filters, polygon, signal }) {
    const { bbox, clipped } = requestBox(this.map.getBounds());
    const levels = filters.levels;
    const sides = filters.side ? filters.side.split(',') : [];
    const params = {
      roadClass: filters.roadClass,
      level: levels.length === 1 ? levels[0] : undefined,
      // One roadside is a server-side filter; "either" is applied below.
      waterSide: sides.length === 1 && sides[0] === 'water' ? 'true' : undefined,
      cliffSide: sides.length === 1 && sides[0] === 'cliff' ? 'true' : undefined,
      simplify: simplifyFor(this.map),
      limit: PAGE,
    };
    const features = [];
    for (let page = 0; page < MAX_PAGES; page++) {
      const q = { ...params, offset: page * PAGE };
      const body = polygon
        ? await api.post(`/v1/segments/within${query(q)}`, polygon, { signal })
        : await api.get(`/v1/segments${query({ bbox, ...q })}`, { signal });
      features.push(...body.features);
      if (body.features.length < PAGE) break;
    }
    const beside = (p) => sides.length === 0 || (sides.includes('water') && p.waterSide != null) || (sides.includes('cliff') && p.cliffSide != null);
    this.draw(features.filter((f) => (levels.length === 0 || levels.includes(levelOf(f.properties))) && beside(f.properties)));
    return { drawn: this.byId.size, clipped: clipped && !polygon, truncated: features.length >= PAGE * MAX_PAGES };
  }

  draw(features) {
    this.casings.clearLayers();
    this.lines.clearLayers();
    this.byId.clear();
    for (const f of features) {
      const p = f.properties;
      if (onSide(p.cliffSide)) this.casings.addLayer(L.geoJSON(f, { pane: 'casings', interactive: false, style: () => casing(CLIFF, 12) }));
      if (onSide(p.waterSide)) this.casings.addLayer(L.geoJSON(f, { pane: 'casings', interactive: false, style: () => casing(WATER, 10) }));
      if (p.roadsideUnknown?.length) {
        const dotted = L.geoJSON(f, { pane: 'casings', interactive: false, style: () => UNKNOWN_CASING });
        dotted.on('add', () => dotted.eachLayer((l) => l.getElement?.()?.setAttribute('data-roadside-unknown', p.id)));
        this.casings.addLayer(dotted);
      }
      const line = L.geoJSON(f, { style: () => this.style(p) });
      // Leaflet puts a string tooltip in as HTML; road names come from OpenStreetMap, so they go in as text.
      line.bindTooltip(() => h('span', {}, `${p.name ?? p.id} — ${levelLabel(levelOf(p))}${p.score != null ? ` (${p.score})` : ''}`), { sticky: true });
      line.on('click', () => this.onSelect(p.id));
      line.on('add', () => this.mark(p));
      this.byId.set(p.id, { feature: f, layer: line });
      this.lines.addLayer(line);
    }
    this.map.getContainer().dataset.segmentsDrawn = String(this.byId.size);
  }

  style(p) {
    const selected = p.id === this.selected;
    return { color: levelColour(levelOf(p)), weight: selected ? 7 : 4, opacity: 0.95, lineCap: 'round' };
  }

  /** Exposes the segment's id and level on its SVG path, for assistive checks and tests. */
  mark(p) {
    this.byId.get(p.id)?.layer.eachLayer((l) => {
      const el = l.getElement?.();
      if (!el) return;
      el.setAttribute('data-segment-id', p.id);
      el.setAttribute('data-level', levelOf(p) ?? 'unknown');
    });
  }

  /** A live risk change: recolour in place. */
  recolour(segmentId, level, score) {
    const entry = this.byId.get(segmentId);
    if (!entry) return false;
    Object.assign(entry.feature.properties, { level, score });
    entry.layer.setStyle(this.style(entry.feature.properties));
    this.mark(entry.feature.properties);
    return true;
  }

  select(segmentId) {
    const previous = this.selected;
    this.selected = segmentId;
    for (const id of [previous, segmentId]) {
      const entry = id && this.byId.get(id);
      if (entry) entry.layer.setStyle(this.style(entry.feature.properties));
    }
    this.byId.get(segmentId)?.layer.bringToFront();
  }

  boundsOf(segmentId) {
    return this.byId.get(segmentId)?.layer.getBounds();
  }
}

const casing = (color, weight) => ({ color, weight, opacity: 0.8, dashArray: '8 4', lineCap: 'butt' });
const UNKNOWN_CASING = { color: UNKNOWN_ROADSIDE, weight: 14, opacity: 0.85, dashArray: '1 7', lineCap: 'round' };

/** Point symbols (hazards, tasks) in view, each a keyboard-focusable marker with a popup. */
export class SymbolLayer {
  constructor(map, { kind, icon, label, popup }) {
    this.group = L.layerGroup().addTo(map);
    Object.assign(this, { map, kind, icon, label, popup });
  }

  draw(features) {
    this.group.clearLayers();
    for (const f of features) {
      if (f.geometry?.type !== 'Point') continue;
      const [lon, lat] = f.geometry.coordinates;
      const marker = L.marker([lat, lon], { icon: this.icon(f.properties), title: this.label(f.properties), keyboard: true, riseOnHover: true });
      marker.bindPopup(() => this.popup(f.properties));
      this.group.addLayer(marker);
    }
    this.map.getContainer().dataset[`${this.kind}Drawn`] = String(this.group.getLayers().length);
  }

  clear() {
    this.draw([]);
  }
}

export const hazardIcon = (p) =>
  L.divIcon({ className: `sym sym-hazard sev-${p.severity}`, html: '<span aria-hidden="true">!</span>', iconSize: [16, 16] });

export const taskIcon = (p) =>
  L.divIcon({ className: `sym sym-task${p.overdue ? ' overdue' : ''}`, html: '<span aria-hidden="true">T</span>', iconSize: [16, 16] });

/** Jurisdiction polygons filled with their index band (or outlined in their status colour). */
export class JurisdictionLayer {
  constructor(map) {
    // Below the roads, so that a road inside an area stays clickable.
    map.createPane('areas').style.zIndex = '350';
    this.group = L.layerGroup().addTo(map);
  }

  draw(features) {
    this.group.clearLayers();
    for (const f of features) {
      const p = f.properties ?? {};
      const colour = bandColour(p.band ?? p.status);
      const layer = L.geoJSON(f, {
        pane: 'areas',
        style: () => ({ color: '#4a5560', weight: 1.5, opacity: 0.8, dashArray: '6 4', fillColor: colour, fillOpacity: p.band ? 0.1 : 0.04 }),
      });
      // As text: a name is whatever its editor typed (Leaflet would put a string in as HTML).
      layer.bindTooltip(() => h('span', {}, [p.name ?? p.jurisdictionId ?? p.id, p.index != null ? t('area.index', { index: Math.round(p.index) }) : '', p.status ? t('area.status', { status: named('status', p.status) }) : ''].join('')));
      layer.on('add', () => layer.eachLayer((l) => l.getElement?.()?.setAttribute('data-jurisdiction-id', p.jurisdictionId ?? p.id)));
      this.group.addLayer(layer);
    }
  }

  bounds() {
    const layers = this.group.getLayers();
    return layers.length ? L.featureGroup(layers).getBounds() : null;
  }
}
