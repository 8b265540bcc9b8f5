/** Every Redis key the risk service uses (the client adds the deployment's prefix). */
export const redisKeys = {
  /** Sorted set: segment id → current risk score. */
  ranking: () => 'risk:ranking',
} as const;
