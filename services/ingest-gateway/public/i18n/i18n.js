// The pages' languages: English and Simplified Chinese. Each app has one catalogue per language
// (`/i18n/<app>.<lang>.json`, flat keys to strings); every visible string comes from it through t().
// The language is the one the user chose with the switch (kept in localStorage), else the first
// supported one in the browser's preferences, else English.

export const LANGUAGES = ['en', 'zh-CN'];
export const DEFAULT_LANGUAGE = 'en';
/** Each language's own name (autonym): the switch shows them as they are, in every language. */
export const LANGUAGE_NAMES = { en: 'English', 'zh-CN': '中文' };
const STORAGE_KEY = 'roadloop.language';
/** Fired on `document` after the language changed and the catalogues were reloaded. */
export const LANGUAGE_CHANGED = 'roadloop:languagechange';

const loaded = new Set();
let language = null;
let strings = {};
let fallback = {};

/** The supported language closest to a list of BCP 47 tags (`zh`, `zh-Hans`, `zh-CN`… → zh-CN). */
export function pickLanguage(preferences = []) {
  for (const tag of preferences) {
    const lower = String(tag).toLowerCase();
    if (lower === 'en' || lower.startsWith('en-')) return 'en';
    // Traditional Chinese (zh-TW, zh-HK, zh-Hant) is not Simplified Chinese: English is the closer fallback there.
    if (lower === 'zh' || lower === 'zh-cn' || lower === 'zh-sg' || lower.startsWith('zh-hans')) return 'zh-CN';
  }
  return DEFAULT_LANGUAGE;
}

function stored() {
  try {
    const value = globalThis.localStorage?.getItem(STORAGE_KEY);
    return LANGUAGES.includes(value) ? value : null;
  } catch {
    return null;
  }
}

export function currentLanguage() {
  if (!language) {
    const nav = globalThis.navigator;
    language = stored() ?? pickLanguage(nav?.languages?.length ? nav.languages : [nav?.language].filter(Boolean));
  }
  return language;
}

async function fetchCatalogue(app, lang) {
  const response = await fetch(`/i18n/${encodeURIComponent(app)}.${lang}.json`, { cache: 'no-cache' });
  if (!response.ok) throw new Error(`the ${lang} texts of ${app} could not be loaded (${response.status})`);
  return response.json();
}

/**
 * Loads an app's catalogue in the current language (and English beside it, for a key a
 * translation lacks), sets `<html lang>` and translates the static page. Call before drawing.
 */
export async function loadCatalogue(app) {
  const lang = currentLanguage();
  const [own, english] = await Promise.all([fetchCatalogue(app, lang), lang === DEFAULT_LANGUAGE ? null : fetchCatalogue(app, DEFAULT_LANGUAGE).catch(() => null)]);
  strings = { ...strings, ...own };
  fallback = { ...fallback, ...(english ?? own) };
  loaded.add(app);
  if (globalThis.document) {
    document.documentElement.lang = lang;
    translateDom(document);
  }
  return own;
}

/**
 * The text of `key` with `{name}` replaced by `params.name`. A catalogue entry may be an object of
 * plural forms ({ one, other } for English; Chinese needs only `other`), chosen by `params.count`.
 * A missing key shows itself, so that it is seen and fixed.
 */
export function t(key, params = {}) {
  let entry = strings[key] ?? fallback[key];
  if (entry === undefined) return key;
  if (typeof entry === 'object' && entry !== null) {
    const form = typeof params.count === 'number' ? new Intl.PluralRules(currentLanguage()).select(params.count) : 'other';
    entry = entry[form] ?? entry.other ?? key;
  }
  return String(entry).replace(/\{(\w+)\}/g, (whole, name) => (params[name] === undefined || params[name] === null ? whole : String(params[name])));
}

/** Whether the current catalogues have `key` (for texts chosen from data, e.g. a category's name). */
export const has = (key) => strings[key] !== undefined || fallback[key] !== undefined;

/**
 * Chooses a language, keeps it for the next visit, reloads the catalogues already loaded,
 * re-translates the static page and fires LANGUAGE_CHANGED so the app redraws what it built itself.
 */
export async function setLanguage(lang) {
  if (!LANGUAGES.includes(lang)) throw new Error(`unsupported language ${lang}; one of ${LANGUAGES.join(', ')}`);
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, lang);
  } catch {
    // Private browsing may refuse storage: the choice then lasts for this page only.
  }
  language = lang;
  strings = {};
  fallback = {};
  for (const app of [...loaded]) await loadCatalogue(app);
  globalThis.document?.dispatchEvent(new CustomEvent(LANGUAGE_CHANGED, { detail: { language: lang } }));
}

/**
 * Translates the static page: `data-i18n="key"` sets the element's text; `data-i18n-attr="title:key;
 * aria-label:key2"` sets attributes (placeholders, labels, titles).
 */
export function translateDom(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':').map((s) => s.trim());
      if (attr && key) el.setAttribute(attr, t(key));
    }
  }
}

/**
 * A language switch (a labelled `<select>` of the autonyms) inside `container`. On a change it calls
 * setLanguage, then `onChange` (by default the page reloads, for apps that redraw only on load).
 */
export function mountLanguageSwitch(container, { label = t('language.switch'), onChange = () => location.reload() } = {}) {
  const id = `language-switch-${Math.random().toString(36).slice(2, 8)}`;
  const select = document.createElement('select');
  select.id = id;
  select.className = 'language-switch';
  select.setAttribute('aria-label', label);
  select.dataset.i18nAttr = 'aria-label:language.switch';
  for (const lang of LANGUAGES) {
    const option = document.createElement('option');
    option.value = lang;
    option.lang = lang;
    option.textContent = LANGUAGE_NAMES[lang];
    option.selected = lang === currentLanguage();
    select.append(option);
  }
  select.addEventListener('change', async () => {
    await setLanguage(select.value);
    onChange(select.value);
  });
  container.append(select);
  return select;
}

/** Dates and numbers in the current language's conventions. */
export const formatDateTime = (iso) => (iso ? new Date(iso).toLocaleString(currentLanguage()) : '–');
export const formatNumber = (n, options) => (typeof n === 'number' ? n.toLocaleString(currentLanguage(), options) : '–');
