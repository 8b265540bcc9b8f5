/** Elements of the OSM data model (API 0.6) as the readers hand them out. */

export type OsmTags = Record<string, string>;

export interface OsmWay {
  readonly id: number;
  readonly refs: readonly number[];
  readonly tags: OsmTags;
}

export type OsmMemberType = 'node' | 'way' | 'relation';

export interface OsmMember {
  readonly type: OsmMemberType;
  readonly ref: number;
  readonly role: string;
}

export interface OsmRelation {
  readonly id: number;
  readonly members: readonly OsmMember[];
  readonly tags: OsmTags;
}

/**
 * What a reader reports, element by element in file order. Only the kinds with a callback are
 * decoded, so a pass that wants relations alone skips the cost of decoding nodes and ways.
 * Nodes arrive without an object per node (the bulk of any extract) and without tags unless
 * `nodeTags` is set.
 */
export interface OsmVisitor {
  node?(id: number, lon: number, lat: number, tags: OsmTags | null): void;
  way?(way: OsmWay): void;
  relation?(relation: OsmRelation): void;
  nodeTags?: boolean;
}

export interface OsmReadStats {
  format: 'pbf' | 'xml';
  nodes: number;
  ways: number;
  relations: number;
  /** Header bounding box [minLon, minLat, maxLon, maxLat] when the file declares one. */
  bbox: [number, number, number, number] | null;
}
