/** Every Redis key the system uses, under one prefix so test runs and deployments never collide. */
export const redisKeys = (prefix: string) => ({
  /** HASH of the user's real-time context (snake_case fields, docs/decisions.md #12). */
  userContext: (userId: string) => `${prefix}context:${userId}`,
  /** When the API offered this user help (docs/decisions.md #14): offer times (ms), kept a day past the window. */
  helpOffers: (userId: string) => `${prefix}help-offers:${userId}`,
});
export type RedisKeys = ReturnType<typeof redisKeys>;
