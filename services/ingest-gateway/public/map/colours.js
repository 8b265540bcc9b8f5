// The risk model's five levels, their unit and colours, and the design ratings, as the gateway
// serves them from the one model module (/map/risk-model.json): the page keeps no copy of its own.
// They are filled in by loadRiskModel(), which the page awaits before drawing anything.
import { has, t } from '../i18n/i18n.js';

/** What a score means: { id, short, long } (expected fatal and serious crashes per km per year). */
export const RISK_UNIT = { id: '', short: '', long: '' };
/** Lowest first: { id, label, name, colour, from, to } with the band's bounds in the unit. */
export const LEVELS = [];
/** The design rating (the road as built, iRAP-style stars, 5 best) of each exposure level. */
export const DESIGN_RATINGS = [];
const BANDS = {};

export async function loadRiskModel(fetchJson = defaultFetch) {
  const model = await fetchJson('/map/risk-model.json');
  Object.assign(RISK_UNIT, model.unit);
  LEVELS.splice(0, LEVELS.length, ...model.levels);
  DESIGN_RATINGS.splice(0, DESIGN_RATINGS.length, ...model.designRatings);
  // The jurisdiction index uses the same five colours by name; the status uses three of them.
  for (const l of LEVELS) BANDS[l.name] = l.colour;
  // The stylesheet's level colours (chips, the live dot) follow the model's palette; set through
  // the CSS object model, which the page's style policy allows.
  for (const l of LEVELS) document.documentElement.style.setProperty(`--${l.id.replace(/_/g, '-')}`, l.colour);
  return model;
}

async function defaultFetch(path) {
  const response = await fetch(path, { cache: 'no-cache' });
  if (!response.ok) throw new Error(t('model.unavailable', { status: response.status }));
  return response.json();
}

export const levelColour = (level) => LEVELS.find((l) => l.id === level)?.colour ?? '#8a939e';
/** A level's name in the reader's language (the model's own name where the catalogue has none). */
export const levelLabel = (level) => (has(`level.${level}`) ? t(`level.${level}`) : (LEVELS.find((l) => l.id === level)?.label ?? t('level.unknown')));
/** The unit's `short` or `long` text in the reader's language (the model's where the catalogue has none). */
export const unitText = (form) => (has(`unit.${form}`) ? t(`unit.${form}`) : RISK_UNIT[form]);
export const designStars = (exposureLevel) => DESIGN_RATINGS.find((d) => d.exposureLevel === exposureLevel)?.stars ?? null;
export const starsText = (stars) => (stars ? `${'★'.repeat(stars)}${'☆'.repeat(5 - stars)}` : '–');
export const bandColour = (band) => BANDS[band] ?? '#8a939e';

/** Casings: a light blue beside water (distinct from the low level's blue line) and brown beside a drop. */
export const WATER = '#6ec6f5';
export const CLIFF = '#8c5a2b';
/** A dotted casing where a guardrail would matter and nobody knows whether one stands (a survey decides). */
export const UNKNOWN_ROADSIDE = '#7a4fb5';
