import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { keysUsedInHtml, keysUsedInJs, looksVisible, placeholders, stringLiterals, untranslatedHtml, untranslatedJs } from './catalogue-scan';

const PUBLIC = resolve(__dirname, '..', '..', 'public');
const I18N = join(PUBLIC, 'i18n');
/** Every app with an English catalogue: `<app>.en.json` beside i18n.js. */
const APPS = readdirSync(I18N)
  .filter((f) => f.endsWith('.en.json'))
  .map((f) => f.slice(0, -'.en.json'.length))
  .sort();
const LANGUAGES = ['en', 'zh-CN'];

const catalogue = (app: string, lang: string) => JSON.parse(readFileSync(join(I18N, `${app}.${lang}.json`), 'utf8')) as Record<string, unknown>;
const filesOf = (app: string, ext: string) => {
  const dir = join(PUBLIC, app);
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(ext)).map((f) => join(dir, f)) : [];
};
const show = (findings: { file: string; line: number; text: string }[]) => findings.map((f) => `${f.file.slice(PUBLIC.length + 1)}:${f.line} ${f.text}`);

describe('language catalogues', () => {
  it('has the apps this scan covers', () => {
    expect(APPS).toEqual(expect.arrayContaining(['map', 'report']));
  });

  describe.each(APPS)('%s', (app) => {
    it('has the same keys and placeholders in every language, none empty', () => {
      const [en, ...others] = LANGUAGES.map((lang) => catalogue(app, lang));
      for (const other of others) {
        expect(Object.keys(other!).sort()).toEqual(Object.keys(en!).sort());
        for (const key of Object.keys(en!)) expect([key, placeholders(other![key])]).toEqual([key, placeholders(en![key])]);
      }
      for (const cat of [en, ...others]) {
        for (const [key, value] of Object.entries(cat!)) {
          const texts = typeof value === 'string' ? [value] : Object.values(value as Record<string, string>);
          expect([key, texts.every((s) => typeof s === 'string' && s.trim() !== '')]).toEqual([key, true]);
        }
      }
    });

    it('names only keys its catalogue has', () => {
      const en = catalogue(app, 'en');
      const used = [
        ...filesOf(app, '.js').flatMap((f) => keysUsedInJs(readFileSync(f, 'utf8'))),
        ...filesOf(app, '.html').flatMap((f) => keysUsedInHtml(readFileSync(f, 'utf8'))),
      ];
      expect(used.length).toBeGreaterThan(0);
      expect([...new Set(used.filter((k) => !(k in en)))]).toEqual([]);
    });

    it('leaves no visible text in its HTML and JS outside the catalogue', () => {
      const findings = [
        ...filesOf(app, '.html').flatMap((f) => untranslatedHtml(f, readFileSync(f, 'utf8'))),
        ...filesOf(app, '.js').flatMap((f) => untranslatedJs(f, readFileSync(f, 'utf8'))),
      ];
      expect(show(findings)).toEqual([]);
    });
  });
});

describe('the scan itself', () => {
  it('finds text outside data-i18n in HTML, and visible attributes not covered', () => {
    const html = `<!doctype html><main><h1 data-i18n="a">Hello <b>there</b></h1><p>Left out</p><script>const x = 'Not text';</script>
      <input placeholder="Type here" data-i18n-attr="aria-label:b"><button title="Help" data-i18n-attr="title:c">?</button><!-- a comment --></main>`;
    expect(untranslatedHtml('x.html', html).map((f) => f.text)).toEqual(['Left out', 'placeholder="Type here"']);
  });

  it('finds prose in JS literals but not keys, selectors, imports, comments or regular expressions', () => {
    const js = [
      "import { t } from '/i18n/i18n.js';",
      "// Comments say 'Anything they like'.",
      "const a = t('page.title');",
      "const b = document.querySelector('#level-filter input:checked');",
      "const c = 'Sign out';",
      'const d = `Loading ${id}…`;',
      "const e = text.replace(/'/g, 'x').split(' ');",
      "const f = '已收到';",
      "const g = 'content-type';",
      "const h = 'Not shown'; // i18n-ignore",
      "const i = h('span', { class: 'range muted' }, 'Fixed');",
      'el.dataset[`${kind}Drawn`] = 1; const j = `${n} roads`;',
      "if (err.name === 'AbortError') return;",
    ].join('\n');
    expect(untranslatedJs('x.js', js).map((f) => f.text)).toEqual(['Sign out', 'Loading ', '已收到', 'Fixed', ' roads']);
    expect(stringLiterals('const s = `a${b ? `c` : "d"}e`;').map((l) => l.text)).toEqual(['a', 'c', 'd', 'e']);
    expect(looksVisible('application/json')).toBe(false);
    expect(looksVisible('Live: off')).toBe(true);
  });

  it('reads the keys pages name', () => {
    expect(keysUsedInHtml('<p data-i18n="a.b"></p><i data-i18n-attr="title:c.d; aria-label:e"></i>')).toEqual(['a.b', 'c.d', 'e']);
    expect(keysUsedInJs("t('x.y', { n }) + has('z')")).toEqual(['x.y', 'z']);
    expect(placeholders({ one: '{count} road', other: '{count} roads in {place}' })).toEqual(['count', 'place']);
  });
});
