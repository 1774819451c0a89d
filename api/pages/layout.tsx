/** What every page shares: the frame (navigation, skip link, landmarks) and small pieces (money, times, agents). */
import type { ComponentChildren } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { dateTimeInWords, relativeTime, rupees } from '../../domain/reports/display';
import { queryOf, type IncidenceFilters } from '../../domain/reports/incidence-filters';
import { CSRF_FIELD } from '../people/guard';

export interface PagePerson {
  email: string;
  name?: string | null;
  role: string;
}

/** What a page is rendered with besides its own data. */
export interface View {
  now: Date;
  /** The manager's time zone (from the browser, else India time). */
  timeZone: string;
  agents: Map<string, string>;
  person?: PagePerson;
  /** The session's CSRF token, for the sign-out form. */
  csrf?: string;
  path: string;
}

export const NAV = [
  { href: '/overview', label: 'Overview' },
  { href: '/incidences', label: 'Incidences' },
  { href: '/reports/weekly', label: 'Weekly report' },
  { href: '/reports/days', label: 'Days' },
  { href: '/reports/heatmap', label: 'Heatmap' },
] as const;

export function renderPage(node: preact.VNode): string {
  return `<!doctype html>${renderToString(node)}`;
}

export function Page(props: { title: string; view: View; children: ComponentChildren }) {
  const { view } = props;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · Support-led ordering`}</title>
        <link rel="stylesheet" href="/pages/assets/pages.css" />
        <script src="/pages/assets/pages.js" defer />
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="site">
          <strong>Support-led ordering</strong>
          <nav aria-label="Pages">
            <ul>
              {NAV.map((n) => (
                <li>
                  <a href={n.href} aria-current={view.path === n.href ? 'page' : undefined}>
                    {n.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          {view.person && <span class="who">{view.person.name || view.person.email}</span>}
          {view.person && view.csrf && (
            <form class="signout" method="post" action="/signout">
              <input type="hidden" name={CSRF_FIELD} value={view.csrf} />
              <button type="submit" class="secondary">
                Sign out
              </button>
            </form>
          )}
        </header>
        <main id="main" tabIndex={-1}>
          <h1>{props.title}</h1>
          {props.children}
        </main>
      </body>
    </html>
  );
}

export const Money = (props: { value: number | null }) => <>{rupees(props.value)}</>;

/** An instant in words in the manager's time zone, and how long ago. */
export function When(props: { at: string | null; view: View; relative?: boolean }) {
  if (props.at === null) return <>—</>;
  const words = dateTimeInWords(props.at, props.view.timeZone);
  return (
    <time dateTime={props.at} title={words}>
      {props.relative === false ? words : `${relativeTime(props.at, props.view.now)}`}
    </time>
  );
}

/** The agent's name from Freshchat, else the id; "unassigned" when none. */
export const agentLabel = (id: string | null, agents: Map<string, string>): string =>
  id === null ? 'unassigned' : (agents.get(id) ?? id);

export function Agent(props: { id: string | null; view: View }) {
  return <>{agentLabel(props.id, props.view.agents)}</>;
}

export const incidencesHref = (filters: Partial<IncidenceFilters>, extra: Record<string, string | undefined> = {}) =>
  `/incidences${queryOf({ dates: 'created', ...filters }, extra)}`;

export function ErrorPage(props: { view: View; status: number; message: string }) {
  return (
    <Page title={props.status === 404 ? 'Not found' : 'Cannot show this page'} view={props.view}>
      <p class="error" role="alert">
        {props.message}
      </p>
      <p>
        <a href={props.view.path}>Start again</a>
      </p>
    </Page>
  );
}

/** A table's column headers; a figure's column ('num') sits right-aligned over its figures. */
export function Head(props: { columns: Array<string | [string, 'num']> }) {
  return (
    <thead>
      <tr>
        {props.columns.map((c) =>
          typeof c === 'string' ? (
            <th scope="col">{c}</th>
          ) : (
            <th scope="col" class="num">
              {c[0]}
            </th>
          ),
        )}
      </tr>
    </thead>
  );
}
