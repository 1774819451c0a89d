import * as oidc from 'openid-client';
import { groupsOf } from './person';
import type { OidcSettings } from '../../infra/settings';

/** What the browser's round trip to the provider must bring back: kept server-side under `state`. */
export interface SignInAttempt {
  state: string;
  codeVerifier: string;
  nonce: string;
  /** Where to go once signed in (a local path). */
  next: string;
}

/** Who the provider says signed in. */
export interface ProviderIdentity {
  subject: string;
  email?: string;
  emailVerified?: boolean;
  name: string | null;
  groups: string[];
}

export interface OidcClient {
  /** The provider's authorization URL (code flow, PKCE S256, state and nonce) and what to keep until the callback. */
  begin(next: string): Promise<{ url: string; attempt: SignInAttempt }>;
  /** Exchanges the callback's code (checking state, nonce and PKCE) and reads the person's claims. */
  finish(callbackUrl: URL, attempt: SignInAttempt): Promise<ProviderIdentity>;
  /**
   * Who an access token the provider issued (to any of its clients, e.g. the Temporal UI) belongs to, asked of the
   * provider's userinfo endpoint, which checks the token; undefined when the provider does not accept it.
   */
  identify(accessToken: string): Promise<ProviderIdentity | undefined>;
}

function identityOf(claims: Record<string, unknown>, subject: string, groupsClaim: string): ProviderIdentity {
  return {
    subject,
    email: typeof claims.email === 'string' ? claims.email.toLowerCase() : undefined,
    emailVerified: typeof claims.email_verified === 'boolean' ? claims.email_verified : undefined,
    name: typeof claims.name === 'string' && claims.name !== '' ? claims.name : null,
    groups: groupsOf(claims[groupsClaim]),
  };
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The provider's plain-HTTP issuer is accepted on this machine only (tests, a local Keycloak), never remote. */
const insecureAllowed = (issuer: URL) => issuer.protocol === 'http:' && LOOPBACK.has(issuer.hostname);

/** The client authentication the provider supports: Basic (the default per the spec) unless it lists only POST. */
function clientAuthFor(settings: OidcSettings, metadata: oidc.ServerMetadata): oidc.ClientAuth {
  if (!settings.clientSecret) return oidc.None();
  const supported = metadata.token_endpoint_auth_methods_supported;
  if (supported && !supported.includes('client_secret_basic') && supported.includes('client_secret_post'))
    return oidc.ClientSecretPost(settings.clientSecret);
  return oidc.ClientSecretBasic(settings.clientSecret);
}

/**
 * openid-client over the provider's discovery document, fetched at the first sign-in and kept (a failed discovery
 * is retried at the next one, so the API starts whether or not the provider is reachable).
 */
export function openIdClient(settings: OidcSettings): OidcClient {
  let configuration: Promise<oidc.Configuration> | undefined;
  const issuer = new URL(settings.issuerUrl);
  const execute = insecureAllowed(issuer) ? [oidc.allowInsecureRequests] : [];

  const discover = async (): Promise<oidc.Configuration> => {
    const found = await oidc.discovery(issuer, settings.clientId, undefined, undefined, { execute });
    const metadata = found.serverMetadata();
    const configured = new oidc.Configuration(
      metadata,
      settings.clientId,
      settings.clientSecret,
      clientAuthFor(settings, metadata),
    );
    for (const step of execute) step(configured);
    return configured;
  };
  const config = () => {
    configuration ??= discover().catch((error) => {
      configuration = undefined;
      throw error;
    });
    return configuration;
  };

  return {
    async begin(next) {
      const attempt: SignInAttempt = {
        state: oidc.randomState(),
        codeVerifier: oidc.randomPKCECodeVerifier(),
        nonce: oidc.randomNonce(),
        next,
      };
      const url = oidc.buildAuthorizationUrl(await config(), {
        redirect_uri: settings.redirectUri,
        scope: settings.scopes,
        code_challenge: await oidc.calculatePKCECodeChallenge(attempt.codeVerifier),
        code_challenge_method: 'S256',
        state: attempt.state,
        nonce: attempt.nonce,
      });
      return { url: url.href, attempt };
    },
    async finish(callbackUrl, attempt) {
      const configured = await config();
      const tokens = await oidc.authorizationCodeGrant(configured, callbackUrl, {
        pkceCodeVerifier: attempt.codeVerifier,
        expectedState: attempt.state,
        expectedNonce: attempt.nonce,
        idTokenExpected: true,
      });
      const idClaims = tokens.claims()!;
      // Many providers put e-mail, name and groups in userinfo only: ask it when the provider has one.
      const userinfo = configured.serverMetadata().userinfo_endpoint
        ? await oidc.fetchUserInfo(configured, tokens.access_token, idClaims.sub)
        : {};
      return identityOf({ ...idClaims, ...userinfo }, idClaims.sub, settings.groupsClaim);
    },
    async identify(accessToken) {
      const configured = await config();
      if (!configured.serverMetadata().userinfo_endpoint) return undefined;
      let claims: oidc.UserInfoResponse;
      try {
        claims = await oidc.fetchUserInfo(configured, accessToken, oidc.skipSubjectCheck);
      } catch (error) {
        // The provider refused the token (expired, revoked, not its own): no one. Anything else is an outage.
        if (error instanceof oidc.WWWAuthenticateChallengeError || error instanceof oidc.ResponseBodyError)
          return undefined;
        throw error;
      }
      return identityOf(claims, claims.sub, settings.groupsClaim);
    },
  };
}
