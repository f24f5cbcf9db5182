# The versions server as an image: the README's own steps (npm ci, npm run build) on Node 24, then only
# what `node dist/src/server.js` needs on a distroless Node 24 (no shell, no package manager), run by an
# unprivileged user on a root filesystem that may be read-only.
# See docs/production.md, "The container image".
#
#   docker build -t versions .        (or `npm run image`: podman or docker, tagged versions:local)
#   docker run -d -p 8080:8080 -v versions-data:/app/data --read-only versions
#
# Behind a TLS-intercepting proxy, hand `npm ci` the proxy's CA bundle as a build secret (never stored
# in a layer): docker build --secret id=ca,src=/etc/ssl/certs/ca-certificates.crt -t versions .

# The build needs npm and compilers; the runtime only Node and the C/C++ libraries (same Debian 12).
ARG NODE_IMAGE=node:24-bookworm-slim
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs24-debian12:nonroot

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# better-sqlite3 downloads a prebuilt binary; when none can be had, node-gyp compiles it with these.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
# Dependencies first, so that a change of the sources does not reinstall them.
COPY package.json package-lock.json ./
RUN --mount=type=secret,id=ca \
  if [ -f /run/secrets/ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca; fi \
  && npm ci --no-audit --no-fund
# Only what the build reads: never a local data/, dist/ or node_modules/.
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY bin ./bin
COPY src ./src
COPY web ./web
# Build, drop the development packages, and what compiling better-sqlite3 left beside its binary.
RUN npm run build \
  && npm prune --omit=dev --no-audit --no-fund \
  && cd node_modules/better-sqlite3 \
  && rm -rf deps src build/Release/obj build/Release/obj.target build/Release/.deps build/deps \
  && mkdir /app/data

FROM ${RUNTIME_IMAGE}
ENV NODE_ENV=production PATH=/nodejs/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
WORKDIR /app
# Owned by root and read-only to the server: only /app/data is its own.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/bin ./bin
COPY --from=build /app/dist ./dist
# SQLite's default file is data/versions.sqlite. A volume there keeps it, and is the only place written
# to: the image runs with --read-only (Kubernetes: readOnlyRootFilesystem). Declared as a VOLUME so that
# `docker run versions` with no volume given still starts, on an anonymous volume.
COPY --from=build --chown=65532:65532 /app/data ./data
VOLUME /app/data
# The base image's `nonroot` user, by number so that Kubernetes' runAsNonRoot can check it.
USER 65532:65532
EXPOSE 8080 9101
# Liveness only (/api/v1/health answers without the database); readiness is /api/v1/healthz.
HEALTHCHECK --interval=30s --timeout=3s --start-period=60s --retries=3 \
  CMD ["/nodejs/bin/node", "-e", "fetch('http://127.0.0.1:' + (process.env.APP_PORT || '8080').replace(':', '') + '/api/v1/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The server is PID 1 itself, not npm (`npm start` goes through `sh -c`, and a SIGTERM sent to npm never
# reaches the server): it handles SIGTERM and SIGINT, finishes requests in flight, flushes webhooks and
# exits 0. It starts no child processes, so no init is needed to reap them.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/nodejs/bin/node"]
CMD ["dist/src/server.js"]

# Last, so that a new revision or date rebuilds only this layer.
ARG RUNTIME_IMAGE
ARG VERSION=2.0.0
ARG REVISION=unknown
ARG CREATED
LABEL org.opencontainers.image.title="versions" \
  org.opencontainers.image.description="A self-hosted history of every deployment: which version of which workload went where, when, and whether it worked." \
  org.opencontainers.image.licenses="MIT" \
  org.opencontainers.image.source="https://github.com/Lord-Y/versions" \
  org.opencontainers.image.documentation="https://github.com/Lord-Y/versions/blob/main/docs/production.md" \
  org.opencontainers.image.base.name="${RUNTIME_IMAGE}" \
  org.opencontainers.image.version="${VERSION}" \
  org.opencontainers.image.revision="${REVISION}" \
  org.opencontainers.image.created="${CREATED}"
