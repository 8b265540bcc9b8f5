// A simple scan of a page's HTML and JS for text a person would read that does not come from the
// app's catalogue. It is a heuristic, not a parser: it finds text nodes and visible attributes in
// HTML outside `data-i18n`, and string literals in JS that read like prose (words with spaces, a
// capitalised word, any CJK). A literal that is not shown to anyone and still looks like prose is
// marked on its line with the comment `i18n-ignore`.

export interface Finding {
  file: string;
  line: number;
  text: string;
}

const LETTERS = /\p{L}{2,}/u;
const CJK = /[\u3000-\u9fff\uff00-\uffef]/;
/** Names of protocols and formats that read like words: an auth scheme, DOM errors, GeoJSON types. */
const MACHINE_WORDS = new Set(['Bearer', 'AbortError', 'TimeoutError', 'Feature', 'FeatureCollection', 'Point', 'LineString', 'Polygon', 'MultiPolygon']);
const VISIBLE_ATTRIBUTES = ['title', 'placeholder', 'aria-label', 'alt', 'label'];
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);

const lineAt = (source: string, index: number) => source.slice(0, index).split('\n').length;

/** Text nodes and visible attributes of an HTML page that no `data-i18n` / `data-i18n-attr` covers. */
export function untranslatedHtml(file: string, html: string): Finding[] {
  const findings: Finding[] = [];
  const source = html.replace(/<!--[\s\S]*?-->/g, (c) => c.replace(/[^\n]/g, ' '));
  const stack: { tag: string; translated: boolean }[] = [];
  const token = /<![^>]*>|<\/?([a-zA-Z][\w-]*)([^>]*)>|([^<]+)/g;
  let skipUntil: string | null = null;
  for (let m = token.exec(source); m; m = token.exec(source)) {
    const [whole, tag, attrs = '', text] = m;
    if (whole.startsWith('<!')) continue;
    if (skipUntil) {
      if (whole.toLowerCase() === `</${skipUntil}>`) skipUntil = null;
      continue;
    }
    if (text !== undefined) {
      const value = text.trim();
      if (value && LETTERS.test(value) && !stack.some((e) => e.translated)) findings.push({ file, line: lineAt(source, m.index), text: value });
      continue;
    }
    const name = tag!.toLowerCase();
    if (whole.startsWith('</')) {
      const at = stack.map((e) => e.tag).lastIndexOf(name);
      if (at >= 0) stack.length = at;
      continue;
    }
    if (name === 'script' || name === 'style') {
      if (!/\/\s*$/.test(attrs)) skipUntil = name;
      continue;
    }
    const covered = /data-i18n-attr="([^"]*)"/.exec(attrs)?.[1]?.split(';').map((p) => p.split(':')[0]!.trim()) ?? [];
    for (const attr of VISIBLE_ATTRIBUTES) {
      const value = new RegExp(`\\s${attr}="([^"]*)"`).exec(attrs)?.[1];
      if (value && LETTERS.test(value) && !covered.includes(attr)) findings.push({ file, line: lineAt(source, m.index), text: `${attr}="${value}"` });
    }
    if (!VOID.has(name) && !/\/\s*$/.test(attrs)) stack.push({ tag: name, translated: /\sdata-i18n="/.test(attrs) });
  }
  return findings;
}

interface Literal {
  text: string;
  index: number;
  /** The code just before the literal (to see `t(` and `import … from`). */
  before: string;
  /** A template literal's part after a `${…}` (`${kind}Drawn`: a name being built, when it is one word). */
  continued: boolean;
}

/** The string literals of a script (template literals without their `${…}` parts), skipping comments and regular expressions. */
export function stringLiterals(js: string): Literal[] {
  const out: Literal[] = [];
  let i = 0;
  let code = '';
  const templateDepth: number[] = [];
  let braces = 0;
  while (i < js.length) {
    const c = js[i]!;
    const next = js[i + 1];
    if (c === '/' && next === '/') {
      while (i < js.length && js[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && next === '*') {
      const end = js.indexOf('*/', i + 2);
      i = end < 0 ? js.length : end + 2;
      continue;
    }
    if (c === '/' && /(^|[(,=:[!&|?{};+\-*%<>~^]|return|typeof)\s*$/.test(code.slice(-12))) {
      // A regular expression literal: skip to its closing slash (outside a character class).
      let inClass = false;
      i++;
      while (i < js.length && (js[i] !== '/' || inClass)) {
        if (js[i] === '\\') i++;
        else if (js[i] === '[') inClass = true;
        else if (js[i] === ']') inClass = false;
        i++;
      }
      i++;
      code += ' /re/ ';
      continue;
    }
    if (c === "'" || c === '"' || c === '`' || (c === '}' && templateDepth.length && templateDepth[templateDepth.length - 1] === braces)) {
      const quote = c === '}' ? '`' : c;
      if (c === '}') templateDepth.pop();
      const start = i;
      let text = '';
      i++;
      while (i < js.length && js[i] !== quote) {
        if (js[i] === '\\') {
          text += js[i + 1] ?? '';
          i += 2;
          continue;
        }
        if (quote === '`' && js[i] === '$' && js[i + 1] === '{') {
          templateDepth.push(braces);
          i += 2;
          break;
        }
        text += js[i];
        i++;
      }
      const closed = js[i] === quote;
      if (closed) i++;
      out.push({ text, index: start, before: code.slice(-80), continued: c === '}' });
      code += ' "" ';
      continue;
    }
    if (c === '{') braces++;
    if (c === '}') braces--;
    code += c;
    i++;
  }
  return out;
}

/** Whether a literal reads like text for a person (words and spaces, a capitalised word, CJK). */
export function looksVisible(text: string): boolean {
  const value = text.trim();
  if (!LETTERS.test(value)) return false;
  if (CJK.test(value)) return true;
  // Selectors, paths, URLs, MIME types and CSS are for the machine.
  if (/^[#.[/]|^https?:|^[a-z]+\/[a-z+.-]+|[[\]=]|^--|:\s*[a-z-]+\(/.test(value)) return false;
  // Class lists ('sym sym-hazard'): lower-case names, one at least with a hyphen or an underscore.
  const words = value.split(/\s+/);
  if (words.every((w) => /^[a-z0-9_-]+$/.test(w)) && words.some((w) => /[-_]/.test(w))) return false;
  return /\p{L}\s+\p{L}/u.test(value) || /^\p{Lu}\p{Ll}+/u.test(value) || /[.:!?…]$/.test(value) && /\p{L}/u.test(value) && /\s/.test(value);
}

/** Literals of a script that read like visible text and are neither a catalogue key nor marked `i18n-ignore`. */
export function untranslatedJs(file: string, js: string): Finding[] {
  const lines = js.split('\n');
  return stringLiterals(js)
    // A template's part after a value reads as text when it goes on with a word (`${n} roads`).
    .filter((l) => (looksVisible(l.text) || (l.continued && /^\s+\p{L}{2,}/u.test(l.text))) && !MACHINE_WORDS.has(l.text.trim()) && !(l.continued && /^\w+$/.test(l.text)))
    // Keys, module names and class lists are for the machine.
    .filter((l) => !/\b(t|has|loadCatalogue)\(\s*$/.test(l.before) && !/\bimport\b[^;]*\bfrom\s*$|\bimport\s*\(?\s*$/.test(l.before))
    .filter((l) => !/\bclass(Name)?\s*[:=]\s*$/.test(l.before))
    .map((l) => ({ file, line: lineAt(js, l.index), text: l.text }))
    .filter((f) => !lines[f.line - 1]!.includes('i18n-ignore'));
}

/** The keys a script asks for literally: `t('a.b')`, `has('a.b')`. */
export function keysUsedInJs(js: string): string[] {
  return [...js.matchAll(/\b(?:t|has)\(\s*'([\w.-]+)'/g)].map((m) => m[1]!);
}

/** The keys an HTML page names: `data-i18n="a.b"` and the keys of `data-i18n-attr="attr:a.b;…"`. */
export function keysUsedInHtml(html: string): string[] {
  const keys = [...html.matchAll(/data-i18n="([^"]+)"/g)].map((m) => m[1]!);
  for (const m of html.matchAll(/data-i18n-attr="([^"]+)"/g)) keys.push(...m[1]!.split(';').map((p) => p.split(':')[1]!.trim()).filter(Boolean));
  return keys;
}

/** The `{name}` placeholders of a catalogue entry (a string, or plural forms). */
export function placeholders(entry: unknown): string[] {
  const texts = typeof entry === 'string' ? [entry] : Object.values(entry as Record<string, string>);
  return [...new Set(texts.flatMap((s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!)))].sort();
}
