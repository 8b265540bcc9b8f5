import { has, t } from '../i18n/i18n.js';

/** A value of a fixed list (road class, task status, countermeasure…) in the reader's language; one the catalogue lacks as its words. */
export const named = (group, id) => (id === null || id === undefined ? '–' : has(`${group}.${id}`) ? t(`${group}.${id}`) : String(id).replace(/_/g, ' '));
