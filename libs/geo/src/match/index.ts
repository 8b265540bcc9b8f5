export * from './match.exception';
export * from './packed-segments';
export * from './segment-matcher';
export * from './segment-geojson.loader';
