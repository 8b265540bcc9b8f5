export { MatchErrorCode, MatchException, type MatchExceptionDetails } from './match.exception';
export { packSegments, segmentCoordinates, type PackedSegments, type SegmentInput, type SegmentSource } from './packed-segments';
export { MAX_TOLERANCE_M, SegmentMatcher, type QueryPoint, type SegmentMatch } from './segment-matcher';
export { SegmentMatcherBuilder } from './segment-matcher.builder';
export { loadSegmentsGeoJson, type LoadSegmentsOptions } from './segment-geojson.loader';
export { readGeoJsonFeatures, type ReadGeoJsonFeaturesOptions } from './geojson-feature.reader';
