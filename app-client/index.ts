export { ApiClientError, createApiClient, type ApiClient, type ApiClientOptions, type TokenSource } from './api-client';
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
  ProfileInput,
  ScreenBody,
  UserContext,
} from './api-client';
export { ContextTracker, type ContextTrackerOptions } from './context-tracker';
