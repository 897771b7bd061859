# syntax=docker/dockerfile:1
# Reference image of custom-metrics-server.
#   docker build -t custom-metrics-server .
#   docker run --read-only -p 6443:6443 custom-metrics-server serve --config /etc/custom-metrics/config.yaml
# Runs as a non-root user, needs no writable root filesystem (mount an emptyDir at
# /var/run/serving-cert when the server should generate its own self-signed certificate).

ARG NODE_IMAGE=node:24-bookworm-slim

# --- build: compile every workspace package
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json lerna.json tsconfig.base.json tsconfig.json ./
COPY packages/core/package.json packages/core/
COPY packages/backend-prometheus/package.json packages/backend-prometheus/
COPY packages/backend-datadog/package.json packages/backend-datadog/
COPY packages/backend-influx/package.json packages/backend-influx/
COPY packages/backend-scrape/package.json packages/backend-scrape/
COPY packages/server/package.json packages/server/
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY packages ./packages
RUN npm run build

# --- prod-deps: production dependencies only
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY --from=build /src/package.json /src/package-lock.json ./
COPY --from=build /src/packages/core/package.json packages/core/
COPY --from=build /src/packages/backend-prometheus/package.json packages/backend-prometheus/
COPY --from=build /src/packages/backend-datadog/package.json packages/backend-datadog/
COPY --from=build /src/packages/backend-influx/package.json packages/backend-influx/
COPY --from=build /src/packages/backend-scrape/package.json packages/backend-scrape/
COPY --from=build /src/packages/server/package.json packages/server/
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# --- runtime
FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=prod-deps /app ./
COPY --from=build /src/packages/core/dist packages/core/dist
COPY --from=build /src/packages/backend-prometheus/dist packages/backend-prometheus/dist
COPY --from=build /src/packages/backend-datadog/dist packages/backend-datadog/dist
COPY --from=build /src/packages/backend-influx/dist packages/backend-influx/dist
COPY --from=build /src/packages/backend-scrape/dist packages/backend-scrape/dist
COPY --from=build /src/packages/server/dist packages/server/dist
USER 65532:65532
EXPOSE 6443
ENTRYPOINT ["node", "/app/packages/server/dist/cli/main.js"]
CMD ["serve", "--secure-port=6443", "--cert-dir=/var/run/serving-cert"]
