# Hallmonitor's image: `docker compose up` builds it (see docker-compose.yml and docs/deploy.md).
# Two stages: the build stage has the compilers better-sqlite3 needs and the dev dependencies tsc
# needs; the runtime stage has neither, and runs as a user that cannot change the code it runs.

FROM node:20-bookworm-slim AS build
# better-sqlite3 compiles its native addon with node-gyp when no prebuilt binary fits.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Dependencies first, so that editing the source does not reinstall them. `prepare` (the build)
# needs the sources, which are not here yet: scripts are skipped, then the one native addon built
# and our patches to dependencies (patches/, what `postinstall` applies) applied.
COPY package.json package-lock.json ./
COPY patches patches
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && npm rebuild better-sqlite3 \
 && npm run postinstall
COPY tsconfig.json tsconfig.build.json ./
COPY bin bin
COPY bench bench
COPY rules rules
COPY src src
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production
# A fixed uid, so that files on a bind-mounted data folder keep one owner across rebuilds.
RUN groupadd --system --gid 10001 hallmonitor \
 && useradd --system --uid 10001 --gid hallmonitor --home-dir /var/lib/hallmonitor --shell /usr/sbin/nologin hallmonitor \
 && mkdir -p /var/lib/hallmonitor /etc/hallmonitor \
 && chown hallmonitor:hallmonitor /var/lib/hallmonitor \
 && chmod 0700 /var/lib/hallmonitor
WORKDIR /opt/hallmonitor
# Owned by root: the gateway reads its code, rules and page assets (src/crypto/envelope-page) but cannot change them.
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/bin bin
COPY --from=build /app/dist dist
COPY --from=build /app/rules rules
COPY --from=build /app/src src
# Quarantine (SQLite), keys, spool and trial outbox. A named volume takes the folder's owner and mode from here.
VOLUME ["/var/lib/hallmonitor"]
USER hallmonitor
# SMTP from the sending service; the web app with /healthz, /readyz and /metrics. The health check asks
# /readyz: healthy only while Redis, the store and the next hop answer.
EXPOSE 2525 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM (docker stop) lets transactions in flight finish; give it longer than limits.shutdownGraceSeconds.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/src/cli/main.js"]
CMD ["serve", "--config", "/etc/hallmonitor/hallmonitor.yaml"]
