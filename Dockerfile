# trunkgate on the active Node LTS (24). No `# syntax=` line: BuildKit would fetch that frontend
# from Docker Hub on every build, which fails behind a registry mirror or offline.

# Build stage: native build tools for better-sqlite3, the TypeScript compiler, dev dependencies.
FROM node:24-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# better-sqlite3 compiles from source when its prebuilt binary cannot be downloaded (offline, a
# proxy, a Node release without prebuilds); node-gyp would then download Node's headers as well.
# The official image carries them under /usr/local/include/node.
ENV npm_config_nodedir=/usr/local \
    npm_config_update_notifier=false
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# Production runs dist/main.js and dist/cli/*: the simulators, the sandbox and source maps stay here
# (test/unit/production-imports.test.ts checks nothing the image runs imports them), and so do
# better-sqlite3's sources and object files when it was compiled.
RUN npm run build \
 && rm -rf dist/sim dist/sandbox \
 && find dist -name '*.map' -delete \
 && npm prune --omit=dev \
 && cd node_modules/better-sqlite3 \
 && mv build/Release/better_sqlite3.node . && rm -rf build deps src \
 && mkdir -p build/Release && mv better_sqlite3.node build/Release/

# Runtime stage: no compiler, no dev dependencies, not root.
FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    PORT=8080 \
    DATA_DIR=/data \
    MAPPINGS_DIR=/app/mappings
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY mappings ./mappings
# uid/gid 1000 (`node`) owns /data: a bind mount there must be owned by 1000:1000 as well.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# `docker stop` sends SIGTERM, then SIGKILL after its timeout (10 s unless --stop-timeout /
# stop_grace_period says otherwise); a drain takes up to SHUTDOWN_GRACE_MS plus the outbox flush.
STOPSIGNAL SIGTERM
# node directly (not npm) so SIGTERM reaches the process and drains it.
CMD ["node", "--max-old-space-size=96", "dist/main.js"]
