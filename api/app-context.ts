import { randomUUID } from 'node:crypto';
import type { DatabasePool } from 'slonik';
import type {
  CartRequest,
  FrictionSignalRequest,
  ProfileBody,
  ScreenRequest,
} from '../domain/app-context/app-requests';
import { changedAgentFields } from '../domain/app-context/context-changes';
import {
  cartUpdate,
  profileUpdate,
  screenUpdate,
  signalUpdate,
  withSession,
  type ContextUpdate,
} from '../domain/app-context/context-updates';
import { assessFriction, type ContextAnswer, type FrictionSettings } from '../domain/app-context/friction';
import { userContextOf, type UserContext } from '../domain/app-context/user-context';
import { insertFrictionSignal } from '../stores/friction-signal-store';
import type { ContextSyncNotifier } from '../gateways/context-sync-gateway';
import type { UserContextStore } from '../stores/user-context-store';

export interface AppContextDeps {
  store: UserContextStore;
  pool: DatabasePool;
  friction: FrictionSettings;
  sync?: ContextSyncNotifier;
  now?: () => Date;
}

/**
 * The app's context use cases: apply the change atomically in Redis, score friction on the resulting
 * context, store the score, remember a help offer, and nudge the Freshchat sync when agents would see a change.
 */
export function createAppContext(deps: AppContextDeps) {
  const now = deps.now ?? (() => new Date());

  async function change(userId: string, update: ContextUpdate, newSessionId = randomUUID()): Promise<ContextAnswer> {
    const at = now();
    const { before, after } = await deps.store.apply(userId, withSession(update, userId, at, newSessionId));
    const context = userContextOf(userId, after, at);
    const friction = assessFriction(context, deps.friction);
    await deps.store.settle(userId, after.version ?? '0', friction.friction_score, friction.should_show_help, at);
    const changed = changedAgentFields(before, { ...after, friction_score: String(friction.friction_score) });
    if (changed.length > 0) deps.sync?.notify(userId);
    return { ...friction, version: context.version };
  }

  return {
    screen: (userId: string, body: ScreenRequest) => change(userId, screenUpdate(body)),
    cart: (userId: string, body: CartRequest) => change(userId, cartUpdate(body)),
    profile: (userId: string, body: ProfileBody) => change(userId, profileUpdate(body)),

    /**
     * Logs the signal durably first, then applies it: a failed insert changes nothing, so the app's retry
     * cannot count the signal twice. The row's session is the app's, else the context's running session.
     */
    async signal(userId: string, signal: FrictionSignalRequest): Promise<ContextAnswer> {
      const newSessionId = randomUUID();
      const sessionId = signal.session_id ?? (await deps.store.sessionOf(userId)) ?? newSessionId;
      await insertFrictionSignal(deps.pool, {
        userId,
        sessionId,
        signalType: signal.type,
        value: signal.value ?? null,
        screen: signal.screen ?? null,
      });
      return change(userId, signalUpdate(signal), newSessionId);
    },

    async read(userId: string): Promise<UserContext | null> {
      const stored = await deps.store.read(userId);
      return stored ? userContextOf(userId, stored, now()) : null;
    },
  };
}

export type AppContext = ReturnType<typeof createAppContext>;
