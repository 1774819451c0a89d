import Router from '@koa/router';
import type { DatabasePool } from 'slonik';
import { renderOverviewHtml, withLinks } from '../domain/reports/overview';
import { readOverview } from '../stores/overview-store';
import { adminOnly } from './auth';
import type { AuthSettings } from '../infra/settings';

export interface OverviewApiDeps {
  pool: DatabasePool;
  auth: AuthSettings;
  temporalUiUrl: string;
  namespace: string;
}

// The page has no scripts and loads nothing: say so to the browser too.
const HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'";

/** The live overview of open conversations, admin token only: JSON, or the page at /api/v1/overview.html. */
export function overviewRouter(deps: OverviewApiDeps): Router {
  const router = new Router({ prefix: '/api/v1' });
  const admin = adminOnly(deps.auth);
  const read = async () => withLinks(await readOverview(deps.pool, new Date()), deps.temporalUiUrl, deps.namespace);

  router.get('/overview', admin, async (ctx) => {
    ctx.set('cache-control', 'no-store');
    ctx.body = await read();
  });
  router.get('/overview.html', admin, async (ctx) => {
    ctx.set('cache-control', 'no-store');
    ctx.set('content-security-policy', HTML_CSP);
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = renderOverviewHtml(await read());
  });
  return router;
}
