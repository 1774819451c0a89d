// Typed calls for the app API. Type-only imports: the app bundles no server code, only `fetch`.
import type { CartBody, ChannelRouteBody, FrictionSignalBody, ProfileInput, ScreenBody } from '../domain/app-requests';
import type { ChannelRoute } from '../domain/channel-route';
import type { ContextAnswer } from '../domain/friction';
import type { UserContext } from '../domain/user-context';

export type {
  CartBody,
  ChannelRouteBody,
  ContextAnswer,
  FrictionSignalBody,
  ProfileInput,
  ScreenBody,
  ChannelRoute,
  UserContext,
};

/** A 4xx/5xx from the API, with its JSON error code and the field it names. */
export class ApiClientError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiClientError';
  }
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
    const json = (await response.json().catch(() => null)) as {
      error?: string;
      message?: string;
      field?: string;
    } | null;
    if (!response.ok)
      throw new ApiClientError(
        response.status,
        json?.error ?? 'http_error',
        json?.message ?? `HTTP ${response.status}`,
        json?.field,
      );
    return json as T;
  }

  const user = (userId: string) => `/context/${encodeURIComponent(userId)}`;
  return {
    updateScreen: (userId: string, body: ScreenBody) => request<ContextAnswer>('PUT', `${user(userId)}/screen`, body),
    updateCart: (userId: string, body: CartBody) => request<ContextAnswer>('PUT', `${user(userId)}/cart`, body),
    updateProfile: (userId: string, body: ProfileInput) =>
      request<ContextAnswer>('PUT', `${user(userId)}/profile`, body),
    sendFrictionSignal: (userId: string, body: FrictionSignalBody) =>
      request<ContextAnswer>('POST', `${user(userId)}/friction-signal`, body),
    getContext: (userId: string) => request<UserContext>('GET', user(userId)),
    routeChannels: (body: ChannelRouteBody) => request<ChannelRoute>('POST', '/channel/route', body),
    /** A short-lived token for the chat SDK's restoreUserWithIdToken / setUserWithIdToken (Freshchat user auth). */
    freshchatIdentityToken: (freshchatUuid: string) =>
      request<{ token: string; expires_at: string }>('POST', '/freshchat/identity-token', {
        freshchat_uuid: freshchatUuid,
      }),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;
