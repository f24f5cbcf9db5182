# The versions server as an image. The steps are the README's own: npm ci, npm run build, npm start.
# Not built on the machines this project is developed on (they have no container engine): see
# docs/production.md, "The container image".
#
#   docker build -t versions .
#   docker run --rm -p 8080:8080 -e SQL_DRIVER=postgres -e DB_URI=postgres://... versions

FROM node:20-slim AS build
WORKDIR /app
# better-sqlite3 downloads a prebuilt binary; when none matches, it compiles, which needs these.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
# Dependencies first, so that a change of the sources does not reinstall them.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
# Only what the build reads: never a local data/, dist/ or node_modules/.
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY bin ./bin
COPY src ./src
COPY web ./web
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/bin ./bin
COPY --from=build /app/scripts ./scripts
COPY --from=build /app/dist ./dist
# SQLite's default file is data/versions.sqlite; mount a volume here when using SQLite.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 8080 9101
HEALTHCHECK --interval=30s --timeout=3s --start-period=60s \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.APP_PORT || '8080').replace(':', '') + '/api/v1/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
# What `npm start` runs once the build is there, started directly so that it is the process receiving
# SIGTERM: npm start goes through `sh -c "... && node ..."`, and a SIGTERM sent to npm ends npm and the
# shell but never reaches the server, which then cannot finish its requests and flush its webhooks.
CMD ["node", "dist/src/server.js"]
