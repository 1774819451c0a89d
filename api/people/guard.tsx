import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, Middleware } from 'koa';
import { ApiError } from '../errors';
import { readRawBody } from '../raw-body';
import type { ComponentChildren } from 'preact';
import { renderPeoplePage, PEOPLE_PAGE_CSP } from './pages';
import { hasRole, type Person, type Role } from './person';
import type { Session, SessionStore } from './sessions';

/**
 * The contract the pages build on:
 * - `requirePerson(role)`: nobody signed in, a browser goes to /signin?next=<path> (other clients get 401 JSON);
 *   signed in without the role, 403 with a page saying so; else `ctx.state.person` is the Person.
 * - `csrfField(ctx)`: the hidden field every state-changing form carries; `csrfCheck` refuses a POST without it
 *   and leaves the parsed form in `ctx.state.form`.
 */

export const SESSION_COOKIE = 'slo_session';
/** Where a person lands after sign-in when they were not on their way elsewhere. */
export const DASHBOARD_PATH = '/overview';
export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';
const FORM_BODY_LIMIT = '64kb';

/** What the guard needs from the app; installed for every request by `peopleRuntime`. */
export interface PeopleRuntime {
  sessions: SessionStore;
  /** The cookie's Secure attribute (everywhere but development and test). */
  secureCookies: boolean;
}

interface PeopleState {
  peopleRuntime?: PeopleRuntime;
  peopleSession?: Session | null;
  /** The request carried a session cookie whose session has ended (idle, too old, or signed out elsewhere). */
  sessionEnded?: boolean;
  person?: Person;
  form?: URLSearchParams;
}

const stateOf = (ctx: Context) => ctx.state as PeopleState;

export const peopleRuntime =
  (runtime: PeopleRuntime): Middleware =>
  (ctx, next) => {
    stateOf(ctx).peopleRuntime = runtime;
    return next();
  };

function runtimeOf(ctx: Context): PeopleRuntime {
  const runtime = stateOf(ctx).peopleRuntime;
  if (!runtime) throw new Error('people sign-in is not installed on this app (peopleRuntime)');
  return runtime;
}

export const sessionCookieOptions = (runtime: PeopleRuntime) =>
  ({ httpOnly: true, sameSite: 'lax', secure: runtime.secureCookies, signed: true, path: '/' }) as const;

/** The signed-in session of this request, read once; a stale cookie is cleared. */
export async function currentSession(ctx: Context): Promise<Session | undefined> {
  const state = stateOf(ctx);
  if (state.peopleSession !== undefined) return state.peopleSession ?? undefined;
  const runtime = runtimeOf(ctx);
  const id = ctx.cookies.get(SESSION_COOKIE, { signed: true });
  const session = id ? await runtime.sessions.read(id) : undefined;
  if (id && !session) {
    ctx.cookies.set(SESSION_COOKIE, null, sessionCookieOptions(runtime));
    state.sessionEnded = true;
  }
  state.peopleSession = session ?? null;
  return session;
}

/** A browser navigation (Accept prefers HTML) rather than a script or tool. */
export const wantsHtml = (ctx: Context): boolean => ctx.accepts('json', 'html') === 'html';

/** A path on this site to return to after sign-in; anything else (another origin, `//host`) is the dashboard. */
export function localPath(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//')) return DASHBOARD_PATH;
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\\]/.test(next) ? DASHBOARD_PATH : next;
}

export const signInPath = (next: string, ended = false): string =>
  `/signin?next=${encodeURIComponent(localPath(next))}${ended ? '&problem=expired' : ''}`;

export function sendPage(ctx: Context, status: number, title: string, body: ComponentChildren): void {
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.set('content-security-policy', PEOPLE_PAGE_CSP);
  ctx.set('cache-control', 'no-store');
  ctx.body = renderPeoplePage(title, body);
}

/** The sign-out button, for any page of a signed-in person. */
export const signOutForm = (ctx: Context) => (
  <form method="post" action="/signout">
    {csrfField(ctx)}
    <button class="button" type="submit">
      Sign out
    </button>
  </form>
);

/** Koa middleware: someone signed in with at least `role`; see the contract above. */
export function requirePerson(role: Role): Middleware {
  return async (ctx, next) => {
    const session = await currentSession(ctx);
    if (!session) {
      if (!wantsHtml(ctx)) throw new ApiError(401, 'unauthenticated', 'sign in first: open /signin in a browser');
      ctx.status = 303;
      ctx.redirect(signInPath(ctx.method === 'GET' ? ctx.originalUrl : DASHBOARD_PATH, stateOf(ctx).sessionEnded));
      return;
    }
    if (!hasRole(session.person, role)) {
      const { email, role: has } = session.person;
      if (!wantsHtml(ctx))
        throw new ApiError(403, 'forbidden', `this needs the ${role} role; ${email} has the ${has} role`);
      sendPage(
        ctx,
        403,
        'Not allowed',
        <>
          <p class="problem" role="alert">
            This page needs the <strong>{role}</strong> role.
          </p>
          <p>
            You are signed in as <strong>{email}</strong> with the <strong>{has}</strong> role. Ask an administrator of
            this system to grant you the {role} role if you need this page.
          </p>
          <p>
            <a href={DASHBOARD_PATH}>Go to the dashboard</a>
          </p>
          {signOutForm(ctx)}
        </>,
      );
      return;
    }
    stateOf(ctx).person = session.person;
    ctx.set('cache-control', 'no-store');
    await next();
  };
}

/** This session's CSRF token; undefined before `requirePerson` or without a session. */
export const sessionCsrf = (ctx: Context): string | undefined => stateOf(ctx).peopleSession?.csrf ?? undefined;

/** This session's CSRF token; only after `requirePerson`. */
export function csrfToken(ctx: Context): string {
  const csrf = sessionCsrf(ctx);
  if (!csrf) throw new Error('csrfToken needs a signed-in person: put requirePerson before the handler');
  return csrf;
}

/** The hidden field carrying this session's CSRF token; only after `requirePerson`. */
export const csrfField = (ctx: Context) => <input type="hidden" name={CSRF_FIELD} value={csrfToken(ctx)} />;

const digest = (s: string) => createHash('sha256').update(s).digest();
const sameToken = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

/** The urlencoded form of this request, read once (64 kb at most). */
export async function formOf(ctx: Context): Promise<URLSearchParams> {
  const state = stateOf(ctx);
  if (state.form) return state.form;
  const isForm = ctx.request.is('application/x-www-form-urlencoded');
  state.form = new URLSearchParams(isForm ? (await readRawBody(ctx, FORM_BODY_LIMIT)).toString('utf8') : '');
  return state.form;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Koa middleware for state-changing requests of signed-in people: the session's CSRF token, in the form's
 * `_csrf` field or the X-CSRF-Token header, or 403. The parsed form is left in `ctx.state.form`.
 */
export const csrfCheck: Middleware = async (ctx, next) => {
  if (SAFE_METHODS.has(ctx.method)) return next();
  const session = await currentSession(ctx);
  const given = ctx.get(CSRF_HEADER) || (await formOf(ctx)).get(CSRF_FIELD) || '';
  if (!session || given === '' || !sameToken(given, session.csrf)) {
    if (!wantsHtml(ctx))
      throw new ApiError(403, 'csrf_refused', 'the form did not carry this session’s CSRF token; reload the page');
    sendPage(
      ctx,
      403,
      'Form refused',
      <>
        <p class="problem" role="alert">
          This form could not be accepted: it did not come from a page of this site for your current session.
        </p>
        <p>
          Go back, reload the page and try again. If you were signed out, <a href="/signin">sign in again</a>.
        </p>
      </>,
    );
    return;
  }
  await next();
};
