/** Every Redis key the risk service uses (the client adds the deployment's prefix). */
export const redisKeys = {
  /** Sorted set: segment id → current risk score. */
  ranking: () => 'risk:ranking',
  /** Set once a rebuild from PostgreSQL finished; missing after a flush, which triggers a rebuild. */
  rankingReady: () => 'risk:ranking:ready',
  /** Set of every facet key written, so that a rebuild can drop facets that no longer apply. */
  rankingFacets: () => 'risk:ranking:facets',
  /** Sorted sets with the same scores as the ranking, one per filter value. */
  rankingByJurisdiction: (jurisdictionId: string) => `risk:ranking:jurisdiction:${jurisdictionId}`,
  rankingByRoadClass: (roadClass: string) => `risk:ranking:class:${roadClass}`,
  rankingBySide: (side: 'water' | 'cliff') => `risk:ranking:side:${side}`,
  /** Hash: segment id → what a ranking row shows (road, roadside, jurisdiction, level, factors) as JSON. */
  rankingDetails: () => 'risk:ranking:details',
  /** A ranking key (`ranking`, `rankingDetails` or a facet) as a rebuild writes it before swapping it in. */
  rankingStaged: (rebuildId: string, key: string) => `risk:ranking:staged:${rebuildId}:${key}`,
  /** Short-lived result of intersecting facets for one request. */
  rankingQuery: (id: string) => `risk:ranking:query:${id}`,
} as const;

/**
 * The key prefix of a ranking rebuilt into `schema` (`risk-service rebuild`): beside the deployment's
 * own keys, never over them.
 */
export const rebuildKeyPrefix = (deploymentPrefix: string, schema: string) => `${deploymentPrefix}rebuild:${schema}:`;
