import { describe, expect, it } from '@jest/globals';
import { feature, featureCollection, point } from './geojson';

describe(featureCollection.name, () => {
  it('writes the type, then the foreign members, then the features, each feature as type, id, geometry, properties', () => {
    const collection = featureCollection([feature('h1', point(1.5, 42.5), { id: 'h1', kind: 'hazard' }), feature(7, null, {})], { page: { nextCursor: null } });
    expect(JSON.stringify(collection)).toBe(
      '{"type":"FeatureCollection","page":{"nextCursor":null},"features":[' +
        '{"type":"Feature","id":"h1","geometry":{"type":"Point","coordinates":[1.5,42.5]},"properties":{"id":"h1","kind":"hazard"}},' +
        '{"type":"Feature","id":7,"geometry":null,"properties":{}}]}',
    );
  });

  it('is an empty collection without rows or members', () => {
    expect(featureCollection([])).toEqual({ type: 'FeatureCollection', features: [] });
  });
});
