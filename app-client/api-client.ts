// Typed calls for the app API. The types are generated from the API's OpenAPI document (api-types.ts): the app
// bundles no server code, only `fetch`.
import type {
  CartBody,
  ChannelRoute,
  ChannelRouteBody,
  ContextAnswer,
  ContextUpdated,
  ErrorBody,
  FreshchatIdentityToken,
  FrictionSignalBody,
  ProfileBody,
  ScreenBody,
  UserContext,
} from './api-types';

export type {
  CartBody,
  ChannelRoute,
  ChannelRouteBody,
  ContextAnswer,
  ContextUpdated,
  ErrorBody,
  FreshchatIdentityToken,
  FrictionSignalBody,
  ProfileBody,
  ScreenBody,
  UserContext,
};
/** The profile fields (also accepted inside screen and cart updates). */
export type ProfileInput = ProfileBody;

/**
 * A 4xx/5xx from the API, with its JSON error code, the field it names, and when to retry: `retryAfterSeconds`
 * from Retry-After (429 over a rate limit; some 503s), null when the API did not say.
 */
export class ApiClientError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly retryAfterSeconds: number | null = null,
    /** The API's X-Request-Id of the failed request: quote it to support. */
    readonly requestId: string | null = null,
  ) {
    super(message);
    this.name = 'ApiClientError';
  }
}

/** Retry-After as seconds: delta-seconds or an HTTP date. */
function retryAfterOf(response: Response): number | null {
  const value = response.headers.get('retry-after');
  if (value === null) return null;
  if (/^\d+$/.test(value)) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/** The app's current JWT (refreshed by the app's auth layer as needed). */
export type TokenSource = () => string | Promise<string>;

export interface ApiClientOptions {
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export function createApiClient(baseUrl: string, getToken: TokenSource, options: ApiClientOptions = {}) {
  const doFetch = options.fetch ?? fetch;
  const root = baseUrl.replace(/\/$/, '');

  async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${await getToken()}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await doFetch(`${root}/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      // AbortSignal.timeout is missing on older React Native engines.
      signal: typeof AbortSignal.timeout === 'function' ? AbortSignal.timeout(options.timeoutMs ?? 10_000) : undefined,
    });
    const json = (await response.json().catch(() => null)) as Partial<ErrorBody> | null;
    if (!response.ok)
      throw new ApiClientError(
        response.status,
        json?.error ?? 'http_error',
        json?.message ?? `HTTP ${response.status}`,
        json?.field,
        retryAfterOf(response),
        response.headers.get('x-request-id'),
      );
    return json as T;
  }

  const user = (userId: string) => `/context/${encodeURIComponent(userId)}`;
  return {
    updateScreen: (userId: string, body: ScreenBody) => request<ContextUpdated>('PUT', `${user(userId)}/screen`, body),
    updateCart: (userId: string, body: CartBody) => request<ContextUpdated>('PUT', `${user(userId)}/cart`, body),
    updateProfile: (userId: string, body: ProfileBody) =>
      request<ContextUpdated>('PUT', `${user(userId)}/profile`, body),
    sendFrictionSignal: (userId: string, body: FrictionSignalBody) =>
      request<ContextAnswer>('POST', `${user(userId)}/friction-signal`, body),
    getContext: (userId: string) => request<UserContext>('GET', user(userId)),
    routeChannels: (body: ChannelRouteBody) => request<ChannelRoute>('POST', '/channel/route', body),
    /** A short-lived token for the chat SDK's restoreUserWithIdToken / setUserWithIdToken (Freshchat user auth). */
    freshchatIdentityToken: (freshchatUuid: string) =>
      request<FreshchatIdentityToken>('POST', '/freshchat/identity-token', {
        freshchat_uuid: freshchatUuid,
      }),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;
