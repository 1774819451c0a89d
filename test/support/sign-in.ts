import type { Page } from 'playwright-core';
import { DASHBOARD_PATH } from '../../api/people/guard';
import type { Role } from '../../api/people/person';
import { startOidcProvider, type ProviderAccount, type TestOidcProvider } from './oidc-provider';
import { startTestSystem, type TestSystem } from './system';

/** The people of the test provider: an admin by address, a viewer by domain, a group admin, and an outsider. */
export const PEOPLE = {
  admin: { email: 'asha.admin@example.com', name: 'Asha Admin' },
  viewer: { email: 'vikram.viewer@example.com', name: 'Vikram Viewer' },
  groupAdmin: { email: 'gita@partner.example', name: 'Gita Group', groups: ['slo-admins'] },
  outsider: { email: 'olga@elsewhere.example', name: 'Olga Outsider' },
} satisfies Record<string, ProviderAccount>;

/** Role settings granting PEOPLE their roles: admin by address and by group, viewer by domain. */
export const PEOPLE_ROLES: Record<string, string> = {
  PEOPLE_ADMIN_EMAILS: PEOPLE.admin.email,
  PEOPLE_ADMIN_GROUPS: 'slo-admins',
  PEOPLE_VIEWER_DOMAINS: 'example.com',
};

export interface SignInSystem {
  system: TestSystem;
  provider: TestOidcProvider;
  stop(): Promise<void>;
}

/**
 * The test system behind people's sign-in: a real OIDC provider in this process (test/support/oidc-provider.ts)
 * and the API configured for it, PEOPLE granted their roles. `env` adds or overrides settings.
 */
export async function startSignInSystem(
  env: Record<string, string> = {},
  options: Parameters<typeof startTestSystem>[1] = {},
): Promise<SignInSystem> {
  const provider = await startOidcProvider(Object.values(PEOPLE));
  const system = await startTestSystem({ ...provider.env, ...PEOPLE_ROLES, ...env }, options);
  provider.allowRedirect(system.baseUrl);
  return {
    system,
    provider,
    async stop() {
      await system.stop();
      await provider.stop();
    },
  };
}

/**
 * Signs `page` in through the real flow: the sign-in page, the provider's login form (the e-mail as login) and
 * consent, back to `next` (default: the dashboard) on `baseUrl`. Ends on the page the API redirects to.
 */
export async function signIn(
  page: Page,
  baseUrl: string,
  account: ProviderAccount,
  next = DASHBOARD_PATH,
): Promise<void> {
  await page.goto(`${baseUrl}/signin?next=${encodeURIComponent(next)}`);
  await page.getByRole('link', { name: /sign in with/i }).click();
  await loginAtProvider(page, account, new URL(baseUrl).origin);
}

/**
 * The provider's side of a sign-in `page` was sent to: its login form (the e-mail as login) and consent, until the
 * provider redirects back to `home` (an origin).
 */
export async function loginAtProvider(page: Page, account: ProviderAccount, home: string): Promise<void> {
  await page.locator('input[name="login"]').fill(account.email);
  await page.locator('input[name="password"]').fill('any password');
  await page.locator('button[type="submit"]').click();
  // Consent (once per account and provider session), then back.
  const back = (url: URL) => url.origin === home;
  const consent = page.getByRole('button', { name: 'Continue' });
  for (let step = 0; step < 3 && !back(new URL(page.url())); step++) {
    await Promise.race([
      consent.waitFor({ timeout: 10_000 }).catch(() => undefined),
      page.waitForURL(back, { timeout: 10_000 }).catch(() => undefined),
    ]);
    if (!back(new URL(page.url())) && (await consent.isVisible())) await consent.click();
  }
  await page.waitForURL(back, { timeout: 10_000 });
}

/** Signs `page` in as the test provider's viewer or admin. */
export const signInAs = (page: Page, baseUrl: string, role: Role, next = DASHBOARD_PATH): Promise<void> =>
  signIn(page, baseUrl, role === 'admin' ? PEOPLE.admin : PEOPLE.viewer, next);
