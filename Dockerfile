# syntax=docker/dockerfile:1
# One image for every role: the command picks it (api, builder, cdn, migrate, serve, import, …).
#   docker build -t mcp-registry .
#   docker run --rm -e DATABASE_URL=… mcp-registry migrate
#   docker run -d -p 8080:8080 -e DATABASE_URL=… mcp-registry api
ARG NODE_IMAGE=node:22-bookworm-slim

# 1. Compile: dev dependencies (TypeScript) and sources → dist/ (npm run build).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.ts scripts/build.ts
COPY core core
COPY db db
COPY store store
COPY net net
COPY api api
COPY builder builder
COPY cdn cdn
COPY cli cli
RUN npm run build

# 2. Production dependencies only (no TypeScript, no CDK, no test servers).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# 3. Runtime: compiled JavaScript on Node 22, as the unprivileged `node` user.
FROM ${NODE_IMAGE}
ARG REGISTRY_VERSION=dev
ARG GIT_COMMIT=unknown
ARG BUILD_TIME=unknown
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    CDN_HOST=0.0.0.0 \
    CDN_PORT=8081 \
    DATA_DIR=/data \
    SITE_DIR=/data/site \
    REGISTRY_VERSION=${REGISTRY_VERSION} \
    GIT_COMMIT=${GIT_COMMIT} \
    BUILD_TIME=${BUILD_TIME}
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules node_modules
COPY --from=build --chown=root:root /app/dist dist
COPY --chown=root:root package.json ./
COPY --chown=root:root infra/docker/healthcheck.mjs infra/docker/healthcheck.mjs
# The embedded database and the filesystem tree (only without DATABASE_URL / S3_BUCKET) live in /data.
RUN mkdir -p /data/site && chown -R node:node /data
VOLUME ["/data"]
USER node
EXPOSE 8080 8081
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "infra/docker/healthcheck.mjs"]
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["api"]
