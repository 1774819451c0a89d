import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type Configuration } from 'oidc-provider';

/** Someone with an account at the test provider. */
export interface ProviderAccount {
  email: string;
  name: string;
  groups?: string[];
  emailVerified?: boolean;
}

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The settings that point the API at this provider (merge role settings of the test's own). */
  env: Record<string, string>;
  /** Registers the API's callback (PUBLIC_BASE_URL/signin/callback); sign-ins work from then on. */
  allowRedirect(baseUrl: string): void;
  /** The provider's other client, the Temporal UI's: its id, secret, and callback registered from now on. */
  allowTemporalUi(callbackUrl: string): { clientId: string; clientSecret: string };
  stop(): Promise<void>;
}

const TEMPORAL_UI_CLIENT = 'temporal-ui';
const TEMPORAL_UI_SECRET = 'temporal-ui-client-secret';

/**
 * A real OpenID Connect provider (oidc-provider) in this process, on a port of its own: discovery, authorization
 * code with PKCE, ID tokens, userinfo. Its development login form takes any account's e-mail as the login name
 * (any password), then asks for consent; `accounts` supplies each account's claims.
 */
export async function startOidcProvider(accounts: ProviderAccount[]): Promise<TestOidcProvider> {
  let provider: Provider | undefined;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (!provider) {
      res.writeHead(503).end('the test provider has no client yet');
      return;
    }
    void provider.callback()(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'support-led-ordering';
  const clientSecret = 'test-oidc-client-secret';
  const byEmail = new Map(accounts.map((a) => [a.email, a]));
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid: 'test', alg: 'RS256', use: 'sig' };

  let apiCallback = '';
  let temporalUiCallback = 'http://127.0.0.1/auth/sso/callback';
  const configuration = (redirectUri: string): Configuration => ({
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
      {
        client_id: TEMPORAL_UI_CLIENT,
        client_secret: TEMPORAL_UI_SECRET,
        redirect_uris: [temporalUiCallback],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    // The Temporal UI's server signs in with state and nonce but no PKCE (ui-server's auth routes); the API uses PKCE.
    pkce: { required: (_ctx, client) => client.clientId !== TEMPORAL_UI_CLIENT },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
    scopes: ['openid', 'email', 'profile', 'groups'],
    cookies: { keys: ['test-provider-cookie-key'] },
    jwks: { keys: [signingKey] },
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
    features: { devInteractions: { enabled: true } },
    async findAccount(_ctx, sub) {
      const account = byEmail.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        claims: async () => ({
          sub,
          email: account.email,
          email_verified: account.emailVerified ?? true,
          name: account.name,
          groups: account.groups ?? [],
        }),
      };
    },
  });

  return {
    issuer,
    clientId,
    clientSecret,
    env: {
      OIDC_ISSUER_URL: issuer,
      OIDC_CLIENT_ID: clientId,
      OIDC_CLIENT_SECRET: clientSecret,
      OIDC_SCOPES: 'openid email profile groups',
    },
    allowRedirect(baseUrl) {
      apiCallback = `${baseUrl}/signin/callback`;
      provider = new Provider(issuer, configuration(apiCallback));
    },
    allowTemporalUi(callbackUrl) {
      if (!provider) throw new Error('allowRedirect first');
      temporalUiCallback = callbackUrl;
      provider = new Provider(issuer, configuration(apiCallback));
      return { clientId: TEMPORAL_UI_CLIENT, clientSecret: TEMPORAL_UI_SECRET };
    },
    async stop() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
