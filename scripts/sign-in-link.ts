/**
 * A one-time sign-in link for the local admin: works once, within SIGN_IN_LINK_TTL (15 minutes).
 *   npm run sign-in-link                  the link when no provider is configured, else the sign-in page
 *   npm run sign-in-link -- --local-admin the link even with a provider (break-glass, for whoever runs the server)
 */
import 'dotenv/config';
import { createRedis } from '../infra/redis';
import { loadSettings } from '../infra/settings';
import { createSignInLink } from '../api/people/sign-in-records';

async function main(): Promise<void> {
  const { people, redis: redisSettings } = loadSettings();
  if (people.oidc && !process.argv.includes('--local-admin')) {
    console.log(`  Sign in      ${people.publicBaseUrl}/signin   (with ${people.oidc.issuerUrl})`);
    return;
  }
  const redis = createRedis(redisSettings.url);
  try {
    const link = await createSignInLink(redis, redisSettings.keyPrefix, people);
    const minutes = Math.round(people.signInLinkTtlMs / 60_000);
    console.log(`  Sign in      ${link}`);
    console.log(
      `               (local admin; works once, within ${minutes} minutes; npm run sign-in-link for another)`,
    );
  } finally {
    await redis.quit();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
