# One image for the API, the worker and the migrate step (docker-compose.yml chooses the command).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# npm ci applies patches/ (patch-package --error-on-fail: a patch that no longer fits fails the build).
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY . .
# The workflow bundle is built here once, so the worker loads it instead of running webpack at every start.
RUN npm run build && npm run build:workflow-bundle -- dist/workflow-bundle.js && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/config ./config
COPY package.json ./
USER node
# The API's liveness (compose overrides it for the worker, whose health endpoint is WORKER_HEALTH_PORT).
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=4 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/api/server.js"]
