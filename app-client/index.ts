export {
  ApiClientError,
  createApiClient,
  type ApiClient,
  type ApiClientOptions,
  type ContextAnswer,
  type TokenSource,
} from './api-client';
export type {
  CartBody,
  ChannelRoute,
  ChannelRouteBody,
  FrictionSignalBody,
  ProfileInput,
  ScreenBody,
  UserContext,
} from './api-client';
export { ContextTracker, type ContextTrackerOptions } from './context-tracker';
