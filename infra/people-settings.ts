import { z } from 'zod';
import { duration } from './setting-formats';

/**
 * People (support managers, engineers) signing in to the pages: the OpenID Connect provider, who gets which role,
 * and how long a session lives. Merged into the configuration schema (infra/config.ts).
 */

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() !== '' ? v.trim() : undefined));

const lowerList = (v: string | undefined): string[] =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);

const list = optionalText.transform(lowerList);
const caseList = optionalText.transform((v) =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

const httpUrl = optionalText.refine(
  (v) => {
    if (v === undefined) return true;
    try {
      const parsed = new URL(v);
      return ['http:', 'https:'].includes(parsed.protocol) && parsed.host !== '';
    } catch {
      return false;
    }
  },
  { message: 'expected a URL starting with http:// or https://' },
);

export const peopleSchema = z.object({
  /** Where people reach this API in a browser; sign-in callbacks and printed links use it. Unset: http://127.0.0.1:PORT. */
  PUBLIC_BASE_URL: httpUrl,
  /** The OpenID Connect provider (its discovery document is at ISSUER/.well-known/openid-configuration). */
  OIDC_ISSUER_URL: httpUrl,
  OIDC_CLIENT_ID: optionalText,
  OIDC_CLIENT_SECRET: optionalText,
  OIDC_SCOPES: z.string().default('openid email profile'),
  /** The claim (ID token or userinfo) that lists a person's groups. */
  OIDC_GROUPS_CLAIM: z.string().default('groups'),
  /** Who is an admin (dead letters, the codec server) and who a viewer (pages, reports, export): e-mail addresses, */
  PEOPLE_ADMIN_EMAILS: list,
  /** whole e-mail domains, */
  PEOPLE_ADMIN_DOMAINS: list,
  /** or groups from the provider's group claim. */
  PEOPLE_ADMIN_GROUPS: caseList,
  PEOPLE_VIEWER_EMAILS: list,
  PEOPLE_VIEWER_DOMAINS: list,
  PEOPLE_VIEWER_GROUPS: caseList,
  /** Signs the session cookie; several, comma-separated: the first signs, any verifies (rotation). */
  SESSION_SECRET: optionalText,
  /** A session unused this long ends. */
  SESSION_IDLE_TIMEOUT: duration('1h'),
  /** A session ends this long after sign-in, used or not. */
  SESSION_MAX_AGE: duration('12h'),
  /** A one-time sign-in link (npm run sign-in-link) works once, within this long. */
  SIGN_IN_LINK_TTL: duration('15m'),
  /** The codec server's own bearer credential (Temporal CLI, scripts); people use their session instead. */
  CODEC_TOKEN: optionalText,
});

export type PeopleConfig = z.infer<typeof peopleSchema>;
