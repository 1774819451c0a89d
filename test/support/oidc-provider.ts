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
  /**
   * An access token the provider issues to another of its clients, the Temporal UI's (as at the end of the UI's
   * own sign-in): a grant of openid, email, profile and groups for this account, stored by the provider itself.
   */
  accessTokenOfTemporalUi(email: string): Promise<string>;
  stop(): Promise<void>;
}

const TEMPORAL_UI_CLIENT = 'temporal-ui';

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
        client_secret: 'temporal-ui-client-secret',
        redirect_uris: ['http://127.0.0.1/auth/sso/callback'],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    pkce: { required: () => true },
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
      provider = new Provider(issuer, configuration(`${baseUrl}/signin/callback`));
    },
    async accessTokenOfTemporalUi(email) {
      if (!provider) throw new Error('allowRedirect first');
      const scope = 'openid email profile groups';
      const client = (await provider.Client.find(TEMPORAL_UI_CLIENT))!;
      const grant = new provider.Grant({ accountId: email, clientId: TEMPORAL_UI_CLIENT });
      grant.addOIDCScope(scope);
      const grantId = await grant.save();
      return new provider.AccessToken({ accountId: email, client, grantId, scope, gty: 'authorization_code' }).save();
    },
    async stop() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
