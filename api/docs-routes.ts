import { createReadStream } from 'node:fs';
import path from 'node:path';
import Router from '@koa/router';
import { getAbsoluteFSPath } from 'swagger-ui-dist';
import { openApiDocument } from './openapi';

const ASSETS = new Map([
  ['swagger-ui.css', 'text/css; charset=utf-8'],
  ['swagger-ui-bundle.js', 'application/javascript; charset=utf-8'],
]);

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Support-led ordering API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="api"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/start.js"></script>
</body></html>`;
const START = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#api', deepLinking: true });`;
// Everything the page loads comes from this API (swagger-ui-dist, an npm package): nothing from elsewhere.
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'";

/** GET /openapi.json (the contract) and GET /docs (Swagger UI over it). */
export function docsRouter(): Router {
  const router = new Router();
  router.get('/openapi.json', (ctx) => {
    ctx.body = openApiDocument();
  });
  router.get('/docs', (ctx) => {
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('content-security-policy', CSP);
    ctx.body = PAGE;
  });
  router.get('/docs/assets/:file', (ctx) => {
    if (ctx.params.file === 'start.js') {
      ctx.type = 'application/javascript; charset=utf-8';
      ctx.body = START;
      return;
    }
    const type = ASSETS.get(ctx.params.file ?? '');
    if (!type) return;
    ctx.type = type;
    ctx.set('cache-control', 'public, max-age=86400');
    ctx.body = createReadStream(path.join(getAbsoluteFSPath(), ctx.params.file!));
  });
  return router;
}
