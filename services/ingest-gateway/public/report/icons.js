// Pictures of the hazard categories, drawn here as SVG (24 × 24, stroke in the text colour) so a
// reporter who reads little can still choose: built with the DOM, never from markup strings.

const SVG = 'http://www.w3.org/2000/svg';

/** Each category's shapes: [element, attributes]. */
const SHAPES = {
  rockfall: [
    ['path', { d: 'M3 3 L10 10 L8 21' }],
    ['path', { d: 'M3 21 H21' }],
    ['circle', { cx: 15, cy: 8, r: 2.2, fill: 'currentColor' }],
    ['circle', { cx: 18, cy: 14, r: 1.8, fill: 'currentColor' }],
    ['path', { d: 'M12 18 l3 -2.5 l3 2.5 z', fill: 'currentColor' }],
  ],
  landslide: [
    ['path', { d: 'M2 20 L9 6 L13 12' }],
    ['path', { d: 'M11 14 q3 1 4 3 t5 3' }],
    ['path', { d: 'M9 16 q3 1 4 3' }],
    ['path', { d: 'M2 21 H22' }],
  ],
  missing_guardrail: [
    ['path', { d: 'M2 18 H14 L22 22' }],
    ['path', { d: 'M4 18 V11 M9 18 V11' }],
    ['path', { d: 'M3 12 H10' }],
    ['path', { d: 'M12 12 H15 M17 12 H20', 'stroke-dasharray': '1.5 2' }],
    ['path', { d: 'M17 5 l3 3 m0 -3 l-3 3' }],
  ],
  damaged_guardrail: [
    ['path', { d: 'M2 19 H22' }],
    ['path', { d: 'M4 19 V11 M20 19 V11' }],
    ['path', { d: 'M3 12 H9 L12 16 L15 10 H21' }],
  ],
  flooded_road: [
    ['path', { d: 'M4 4 L2 12 M20 4 L22 12' }],
    ['path', { d: 'M12 4 V7 M12 9 V11' }],
    ['path', { d: 'M2 16 q2.5 -2 5 0 t5 0 t5 0 t5 0' }],
    ['path', { d: 'M2 20 q2.5 -2 5 0 t5 0 t5 0 t5 0' }],
  ],
  pothole: [
    ['path', { d: 'M5 3 L2 21 M19 3 L22 21' }],
    ['path', { d: 'M12 3 V6 M12 19 V21' }],
    ['ellipse', { cx: 12, cy: 13, rx: 5, ry: 2.5, fill: 'currentColor' }],
  ],
  sight_obstruction: [
    ['path', { d: 'M2 12 q5 -6 10 -6 t10 6 q-5 6 -10 6 t-10 -6 z' }],
    ['circle', { cx: 12, cy: 12, r: 2.5 }],
    ['path', { d: 'M4 21 L20 3' }],
  ],
  missing_sign: [
    ['path', { d: 'M12 3 L21 18 H3 Z', 'stroke-dasharray': '2.5 2' }],
    ['path', { d: 'M12 18 V22' }],
    ['path', { d: 'M10.5 10 q1.5 -2 3 0 t-1.5 3 v1' }],
  ],
  ice: [
    ['path', { d: 'M12 2 V22 M3.3 7 L20.7 17 M3.3 17 L20.7 7' }],
    ['path', { d: 'M9.5 3.5 L12 6 L14.5 3.5 M9.5 20.5 L12 18 L14.5 20.5' }],
  ],
  debris: [
    ['path', { d: 'M2 21 H22' }],
    ['path', { d: 'M4 18 L13 12 M9 15 L8 11 M11 13.5 L14 10' }],
    ['rect', { x: 14, y: 15, width: 6, height: 4, fill: 'currentColor' }],
  ],
  other: [
    ['path', { d: 'M12 3 L22 20 H2 Z' }],
    ['path', { d: 'M12 9 V14' }],
    ['circle', { cx: 12, cy: 17, r: 0.6, fill: 'currentColor' }],
  ],
};

export const CATEGORIES = Object.keys(SHAPES);

/** The category's picture, decorative (its name is beside it as text). */
export function categoryIcon(category) {
  const svg = document.createElementNS(SVG, 'svg');
  for (const [k, v] of Object.entries({ viewBox: '0 0 24 24', width: 48, height: 48, fill: 'none', stroke: 'currentColor', 'stroke-width': 1.6, 'stroke-linecap': 'round', 'stroke-linejoin': 'round', 'aria-hidden': 'true', class: 'icon' })) {
    svg.setAttribute(k, String(v));
  }
  svg.dataset.icon = category;
  for (const [tag, attrs] of SHAPES[category] ?? SHAPES.other) {
    const el = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
    svg.append(el);
  }
  return svg;
}
