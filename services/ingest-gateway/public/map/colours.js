// The five risk levels and their map colours (green, blue, yellow, orange, red), lowest first.
export const LEVELS = [
  { id: 'very_low', label: 'Very low', colour: '#1e8e3e' },
  { id: 'low', label: 'Low', colour: '#1f5fbf' },
  { id: 'medium', label: 'Medium', colour: '#e8c500' },
  { id: 'high', label: 'High', colour: '#f07d00' },
  { id: 'very_high', label: 'Very high', colour: '#d11f1f' },
];
export const levelColour = (level) => LEVELS.find((l) => l.id === level)?.colour ?? '#8a939e';
export const levelLabel = (level) => LEVELS.find((l) => l.id === level)?.label ?? 'Unknown';

/** The jurisdiction index uses the same five colours by name; the status uses three of them. */
const BANDS = { green: '#1e8e3e', blue: '#1f5fbf', yellow: '#e8c500', orange: '#f07d00', red: '#d11f1f' };
export const bandColour = (band) => BANDS[band] ?? '#8a939e';

/** Casings: a light blue beside water (distinct from the low level's blue line) and brown beside a drop. */
export const WATER = '#6ec6f5';
export const CLIFF = '#8c5a2b';
