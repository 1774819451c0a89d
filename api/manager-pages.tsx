/**
 * The support managers' pages, server-rendered with Preact (preact-render-to-string escapes every text by default):
 * overview, incidences and their drill-down, reports, and the filtered export. Each route is behind the sign-in guard
 * it is given (viewer role).
 */
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { DatabasePool } from 'slonik';
import { knownTimeZone } from '../domain/reports/display';
import { FilterError, parseFilters, parseListRequest } from '../domain/reports/incidence-filters';
import { temporalUiLink } from '../domain/reports/overview';
import type { AgentNames } from '../clients/agent-names';
import { copyStatement, exportSelect, inlineFragment, streamExport } from '../stores/incidence-export';
import { readIncidence } from '../stores/incidence-detail-store';
import { filterCondition, listIncidences } from '../stores/incidence-list-store';
import { BREACHING_WITHIN_SECONDS, overviewCounts, targetsDueSoon } from '../stores/overview-store';
import { sessionCsrf } from './people/guard';
import { PAGES_CSS, PAGES_JS } from './pages/assets';
import { IncidencePage, IncidencesPage } from './pages/incidences-page';
import { ErrorPage, renderPage, type PagePerson, type View } from './pages/layout';
import { OVERVIEW_TABLE_ROWS, OverviewPage } from './pages/overview-page';
import { reportRoutes } from './pages/report-routes';

export type RequirePerson = (role: 'viewer' | 'admin') => Middleware;

export interface ManagerPagesDeps {
  pool: DatabasePool;
  agentNames: AgentNames;
  /** Exports hold a connection of their own for the whole COPY. */
  databaseUrl: string;
  temporalUiUrl: string;
  namespace: string;
  /** Freshchat's inbox address of a conversation, `{conversation_id}` filled in; unset, no link. */
  freshchatConversationUrl?: string;
  now?: () => Date;
}

// Scripts and style sheets from this origin only; style attributes (report alignment, heatmap shades) allowed.
const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export const freshchatLink = (template: string | undefined, conversationId: string): string | null =>
  template ? template.replaceAll('{conversation_id}', encodeURIComponent(conversationId)) : null;

export function createManagerPages(deps: ManagerPagesDeps, guard: { requirePerson: RequirePerson }): Router {
  const router = new Router();
  const viewer = guard.requirePerson('viewer');
  const now = deps.now ?? (() => new Date());

  const viewOf = (ctx: Context, agents: Map<string, string>): View => ({
    now: now(),
    timeZone: knownTimeZone(ctx.cookies.get('tz') ? decodeURIComponent(ctx.cookies.get('tz')!) : undefined),
    agents,
    person: ctx.state.person as PagePerson | undefined,
    csrf: sessionCsrf(ctx),
    path: ctx.path,
  });

  /** Renders a page; a filter it cannot read answers 400 with a page naming it. */
  const page =
    (render: (ctx: Context) => Promise<preact.VNode | null>): Middleware =>
    async (ctx) => {
      ctx.set('content-security-policy', PAGE_CSP);
      ctx.set('cache-control', 'no-store');
      ctx.type = 'text/html; charset=utf-8';
      try {
        const node = await render(ctx);
        if (node === null) {
          ctx.status = 404;
          ctx.body = renderPage(<ErrorPage view={viewOf(ctx, new Map())} status={404} message="No such incidence." />);
          return;
        }
        ctx.body = renderPage(node);
      } catch (error) {
        if (!(error instanceof FilterError)) throw error;
        ctx.status = 400;
        ctx.body = renderPage(<ErrorPage view={viewOf(ctx, new Map())} status={400} message={error.message} />);
      }
    };

  router.get('/pages/assets/pages.css', (ctx) => {
    ctx.type = 'text/css; charset=utf-8';
    ctx.set('cache-control', 'public, max-age=300');
    ctx.body = PAGES_CSS;
  });
  router.get('/pages/assets/pages.js', (ctx) => {
    ctx.type = 'text/javascript; charset=utf-8';
    ctx.set('cache-control', 'public, max-age=300');
    ctx.body = PAGES_JS;
  });

  router.get(
    '/overview',
    viewer,
    page(async (ctx) => {
      const request = parseListRequest({ ...ctx.query, sort: 'cart' });
      const filters = request.filters;
      const at = now();
      const where = filterCondition(filters, at);
      const [counts, dueSoon, unattended, open] = await Promise.all([
        overviewCounts(deps.pool, where, at),
        targetsDueSoon(deps.pool, where, at, OVERVIEW_TABLE_ROWS),
        listIncidences(
          deps.pool,
          { filters: { ...filters, state: 'unattended' }, sort: 'oldest' },
          at,
          OVERVIEW_TABLE_ROWS,
        ),
        listIncidences(deps.pool, { ...request, filters: { ...filters, state: 'open' } }, at),
      ]);
      const ids = [...unattended.rows, ...open.rows, ...dueSoon].map((r) => r.agent_id);
      const agents = new Map([...(await deps.agentNames.all()), ...(await deps.agentNames.namesOf(ids))]);
      const data = {
        filters,
        counts,
        dueSoon,
        unattended,
        open,
        paged: request.after !== undefined || request.before !== undefined,
        withinMinutes: BREACHING_WITHIN_SECONDS / 60,
      };
      return <OverviewPage data={data} view={viewOf(ctx, agents)} />;
    }),
  );

  router.get(
    '/incidences',
    viewer,
    page(async (ctx) => {
      const request = parseListRequest(ctx.query);
      const result = await listIncidences(deps.pool, request, now());
      const agents = new Map([
        ...(await deps.agentNames.all()),
        ...(await deps.agentNames.namesOf(result.rows.map((r) => r.agent_id))),
      ]);
      return (
        <IncidencesPage
          request={request}
          page={result}
          paged={request.after !== undefined || request.before !== undefined}
          view={viewOf(ctx, agents)}
        />
      );
    }),
  );

  router.get('/incidences/export.csv', viewer, async (ctx) => {
    let filters;
    try {
      filters = parseFilters(ctx.query);
    } catch (error) {
      if (!(error instanceof FilterError)) throw error;
      ctx.status = 400;
      ctx.body = { error: 'invalid_filter', message: error.message, field: error.field };
      return;
    }
    const where = inlineFragment(filterCondition(filters, now()));
    const select = exportSelect(where, 'csv', await deps.agentNames.all());
    ctx.type = 'text/csv; charset=utf-8';
    ctx.set(
      'content-disposition',
      `attachment; filename="incidences${filters.from ? `-${filters.from}` : ''}${filters.to ? `-${filters.to}` : ''}.csv"`,
    );
    ctx.body = await streamExport(deps.databaseUrl, copyStatement(select, 'csv'));
  });

  router.get(
    '/incidences/:id',
    viewer,
    page(async (ctx) => {
      const incidence = await readIncidence(deps.pool, ctx.params.id ?? '');
      if (!incidence) return null;
      const agents = await deps.agentNames.namesOf([incidence.agent_id]);
      const links = {
        temporal: temporalUiLink(deps.temporalUiUrl, deps.namespace, incidence.conversation_id),
        freshchat: freshchatLink(deps.freshchatConversationUrl, incidence.conversation_id),
      };
      return <IncidencePage incidence={incidence} links={links} view={viewOf(ctx, agents)} />;
    }),
  );

  reportRoutes(router, { viewer, page, viewOf, pool: deps.pool, agentNames: deps.agentNames });
  return router;
}
