import Router from '@koa/router';
import type { Context } from 'koa';
import type { Redis } from 'ioredis';
import { logger } from '../../infra/logger';
import {
  csrfCheck,
  currentSession,
  DASHBOARD_PATH,
  localPath,
  sendPage,
  SESSION_COOKIE,
  sessionCookieOptions,
  type PeopleRuntime,
} from './guard';
import type { PeopleSettings } from '../../infra/settings';
import type { OidcClient } from './oidc';
import { roleFor, type Person } from './person';
import { signInRecords, SIGN_IN_ATTEMPT_TTL_MS } from './sign-in-records';

export interface PeopleRoutesDeps {
  settings: PeopleSettings;
  /** The provider's client (from settings.oidc); absent, one-time links only. */
  provider?: OidcClient;
  runtime: PeopleRuntime;
  redis: Redis;
  keyPrefix: string;
}

const ATTEMPT_COOKIE = 'slo_signin';

const PROBLEMS: Record<string, string> = {
  expired: 'Your session has ended. Sign in again to continue.',
  attempt: 'That sign-in took too long or was started in another browser. Try again.',
  provider: 'The sign-in provider refused or could not complete the sign-in. Try again, or ask an administrator.',
  unverified: 'The provider has not verified your e-mail address, so it cannot be used to sign in here.',
  link: 'This sign-in link has already been used or has expired. Ask for a new one.',
};

/** Sign-in with the provider, one-time links, sign-out. */
export function peopleRouter(deps: PeopleRoutesDeps): Router {
  const { settings, runtime } = deps;
  const router = new Router();
  const provider = deps.provider;
  const records = signInRecords(deps.redis, deps.keyPrefix);
  const cookie = sessionCookieOptions(runtime);

  const signIn = async (ctx: Context, person: Person, next: string) => {
    const previous = await currentSession(ctx);
    if (previous) await runtime.sessions.destroy(previous.id);
    const session = await runtime.sessions.create(person);
    ctx.cookies.set(SESSION_COOKIE, session.id, cookie);
    logger.info({ email: person.email, role: person.role }, 'person signed in');
    ctx.status = 303;
    ctx.redirect(localPath(next));
  };
  const problemPage = (ctx: Context, status: number, problem: keyof typeof PROBLEMS) =>
    sendPage(
      ctx,
      status,
      'Sign-in failed',
      <>
        <p class="problem" role="alert">
          {PROBLEMS[problem]}
        </p>
        <p>
          <a href="/signin">Back to sign-in</a>
        </p>
      </>,
    );

  router.get('/signin', async (ctx) => {
    const next = localPath(ctx.query.next);
    if (await currentSession(ctx)) {
      ctx.redirect(next);
      return;
    }
    const problem = typeof ctx.query.problem === 'string' ? PROBLEMS[ctx.query.problem] : undefined;
    const signedOut = ctx.query.signed_out !== undefined;
    const start = `/signin/start?next=${encodeURIComponent(next)}`;
    sendPage(
      ctx,
      200,
      'Sign in',
      <>
        {problem && (
          <p class="problem" role="alert">
            {problem}
          </p>
        )}
        {signedOut && <p role="status">You are signed out.</p>}
        <p>Support managers and engineers sign in to read the dashboard, reports and incidences.</p>
        {provider ? (
          <p>
            <a class="button" href={start}>
              Sign in with your organisation’s account
            </a>
          </p>
        ) : (
          <p class="note">
            No sign-in provider is configured on this system. On the machine that runs it,{' '}
            <code>npm run sign-in-link</code> prints a one-time sign-in link for a local administrator.
          </p>
        )}
      </>,
    );
  });

  router.get('/signin/start', async (ctx) => {
    if (!provider) {
      ctx.redirect('/signin');
      return;
    }
    const { url, attempt } = await provider.begin(localPath(ctx.query.next));
    await records.saveAttempt(attempt);
    // Binds the callback to this browser: a callback carrying someone else's state is refused.
    ctx.cookies.set(ATTEMPT_COOKIE, attempt.state, { ...cookie, maxAge: SIGN_IN_ATTEMPT_TTL_MS });
    ctx.status = 303;
    ctx.redirect(url);
  });

  router.get('/signin/callback', async (ctx) => {
    const state = typeof ctx.query.state === 'string' ? ctx.query.state : '';
    const bound = ctx.cookies.get(ATTEMPT_COOKIE, { signed: true });
    ctx.cookies.set(ATTEMPT_COOKIE, null, cookie);
    const attempt = provider && state !== '' && bound === state ? await records.takeAttempt(state) : undefined;
    if (!provider || !attempt) return problemPage(ctx, 400, 'attempt');
    if (ctx.query.error !== undefined) return problemPage(ctx, 400, 'provider');
    let identity;
    try {
      identity = await provider.finish(new URL(ctx.originalUrl, settings.publicBaseUrl), attempt);
    } catch (error) {
      logger.warn({ err: error }, 'sign-in with the provider failed');
      return problemPage(ctx, 502, 'provider');
    }
    if (!identity.email || identity.emailVerified === false) return problemPage(ctx, 403, 'unverified');
    const role = roleFor(settings.roles, identity.email, identity.groups);
    if (!role) {
      logger.warn({ email: identity.email }, 'sign-in refused: no role granted to this person');
      return sendPage(
        ctx,
        403,
        'No access',
        <>
          <p class="problem" role="alert">
            {identity.email} has no access to this system.
          </p>
          <p>Ask an administrator to grant you a role (viewer or admin) by your e-mail address, domain or group.</p>
        </>,
      );
    }
    await signIn(ctx, { email: identity.email, name: identity.name, role }, attempt.next);
  });

  router.get('/signin/link', async (ctx) => {
    const token = typeof ctx.query.token === 'string' ? ctx.query.token : '';
    const person = token ? await records.takeLink(token) : undefined;
    if (!person) return problemPage(ctx, 410, 'link');
    await signIn(ctx, person, DASHBOARD_PATH);
  });

  router.post('/signout', csrfCheck, async (ctx) => {
    const session = await currentSession(ctx);
    if (session) await runtime.sessions.destroy(session.id);
    ctx.cookies.set(SESSION_COOKIE, null, cookie);
    ctx.status = 303;
    ctx.redirect('/signin?signed_out');
  });

  return router;
}
