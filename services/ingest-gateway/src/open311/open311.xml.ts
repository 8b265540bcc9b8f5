// XML for Open311 GeoReport v2's `.xml` formats: the same documents as the JSON, under the spec's
// element names (a list in `<services>`, `<service_requests>`, `<errors>`; nested lists in the
// plural of their items). Written here because the shapes are few and fixed; text is escaped and
// characters XML 1.0 cannot carry are replaced, so any stored text gives a well-formed document.

export const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>';

/** The element name of one item of each list the spec has. */
const ITEM_OF: Record<string, string> = {
  services: 'service',
  service_requests: 'request',
  errors: 'error',
  attributes: 'attribute',
  values: 'value',
};

/** Control characters and unpaired surrogates have no place in XML 1.0, even escaped. */
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function escapeXml(text: string): string {
  return text
    .replace(NOT_XML_CHAR, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function element(name: string, value: unknown, indent: string): string {
  if (value === null || value === undefined || value === '') return `${indent}<${name}/>`;
  if (Array.isArray(value)) {
    const item = ITEM_OF[name];
    if (!item) throw new Error(`no item element for the list ${name}`);
    if (!value.length) return `${indent}<${name}/>`;
    return `${indent}<${name}>\n${value.map((v) => element(item, v, `${indent}  `)).join('\n')}\n${indent}</${name}>`;
  }
  if (typeof value === 'object') {
    const children = Object.entries(value as Record<string, unknown>).map(([k, v]) => element(k, v, `${indent}  `));
    return `${indent}<${name}>\n${children.join('\n')}\n${indent}</${name}>`;
  }
  return `${indent}<${name}>${escapeXml(String(value))}</${name}>`;
}

/** A document whose root is `root` (a list name such as `services`, or an element such as `service_definition`). */
export function toXml(root: string, value: unknown): string {
  return `${XML_DECLARATION}\n${element(root, value, '')}\n`;
}
