/** Every Redis key the system uses, under one prefix so test runs and deployments never collide. */
export const redisKeys = (prefix: string) => ({
  /** HASH of the user's real-time context (snake_case fields, docs/decisions.md #12). */
  userContext: (userId: string) => `${prefix}context:${userId}`,
  /** When the API offered this user help (docs/decisions.md #14): offer times (ms), kept a day past the window. */
  helpOffers: (userId: string) => `${prefix}help-offers:${userId}`,
  /** HASH: the token bucket (and Retry-After pause) every reconciliation activity draws Freshchat requests from. */
  freshchatBucket: `${prefix}freshchat:reconciliation-bucket`,
  /** STRING: the Freshchat user id whose reference_id is this app user, learned from Freshchat, never from the app. */
  freshchatUser: (userId: string) => `${prefix}freshchat-user:${userId}`,
  /** HASH agent id → name, read from Freshchat's agents list; expires so renames show. */
  agentNames: `${prefix}freshchat:agent-names`,
  /** STRING set while a read of the agents list is recent: an unknown id does not ask Freshchat on every page. */
  agentNamesRead: `${prefix}freshchat:agent-names-read`,
  /** STRING (JSON): a person's session, under the SHA-256 of its cookie value; expires when idle. */
  session: (idDigest: string) => `${prefix}session:${idDigest}`,
  /** STRING (JSON): a sign-in under way at the provider (PKCE verifier, nonce, where to go next), by its state. */
  signInAttempt: (state: string) => `${prefix}signin-attempt:${state}`,
  /** STRING (JSON): a one-time sign-in link's person, under the SHA-256 of its token. */
  signInLink: (tokenDigest: string) => `${prefix}signin-link:${tokenDigest}`,
});
export type RedisKeys = ReturnType<typeof redisKeys>;
