# syntax=docker/dockerfile:1
# One image, two processes (docker-compose.yml runs both):
#   worker  (default): node dist/worker/main.js
#   service:           node dist/src/service/main.js
# Configuration is by environment only: src/config/env.ts lists every variable.

ARG NODE_IMAGE=node:24-bookworm-slim

# All dependencies, for the TypeScript compiler and the workflow bundler.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund

# tsc emits dist/ with rootDir '.', so worker/main.ts -> dist/worker/main.js and
# src/service/main.ts -> dist/src/service/main.js. tsc copies no .js sources: the CloudFront Function
# is read at runtime from next to its loader, so it is copied to the same place in dist/.
FROM deps AS build
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
COPY worker ./worker
COPY scripts/build-workflow-bundle.ts ./scripts/
RUN npx tsc -p tsconfig.build.json \
 && cp src/publish/cloudfront-function/guest-rewrite.js dist/src/publish/cloudfront-function/guest-rewrite.js \
 && npx tsx scripts/build-workflow-bundle.ts dist/workflow-bundle.js

# Production dependencies only, installed apart so the runtime stage has no npm cache or dev tools.
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
# MALLOC_ARENA_MAX=2: glibc gives each thread that allocates its own malloc arena, and the worker has
# many (the SDK's Rust core, its workflow thread, libuv's pool, V8's helpers). Two arenas measured 49 MB
# less RSS at 1,000 waiting bookings for the same CPU (README, Worker memory).
ENV NODE_ENV=production \
    WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js \
    NODE_OPTIONS=--enable-source-maps \
    MALLOC_ARENA_MAX=2
COPY --from=prod-deps /app/node_modules ./node_modules
COPY package.json ./
COPY --from=build /app/dist ./dist
# Files stay root-owned and read-only to the process; nothing in the app writes to disk.
USER node
CMD ["node", "dist/worker/main.js"]
