# syntax=docker/dockerfile:1
# Reference image of custom-metrics-server.
#   docker build -t custom-metrics-server .
#   docker run --read-only --tmpfs /var/run/serving-cert -p 6443:6443 \
#     -v "$PWD/config.yaml:/etc/custom-metrics/config.yaml:ro" custom-metrics-server \
#     serve --config /etc/custom-metrics/config.yaml --secure-port 6443 --cert-dir /var/run/serving-cert
# Runs as a non-root user and needs no writable root filesystem: the self-signed serving certificate
# goes to --cert-dir, a tmpfs here (an emptyDir in Kubernetes, see deploy/04-deployment.yaml).
# Arguments after the image name replace CMD, so repeat --cert-dir when you pass your own.

ARG NODE_IMAGE=node:24-bookworm-slim

# --- build: compile every workspace package
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.base.json ./
COPY packages/core/package.json packages/core/
COPY packages/backend-prometheus/package.json packages/backend-prometheus/
COPY packages/backend-datadog/package.json packages/backend-datadog/
COPY packages/backend-influx/package.json packages/backend-influx/
COPY packages/backend-scrape/package.json packages/backend-scrape/
COPY packages/backend-memory/package.json packages/backend-memory/
COPY packages/server/package.json packages/server/
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY packages ./packages
# Only the packages: the root tsconfig.json also references examples/, which .dockerignore leaves out.
RUN npx tsc -b packages/core packages/backend-prometheus packages/backend-datadog packages/backend-influx packages/backend-scrape packages/backend-memory packages/server

# --- prod-deps: production dependencies only
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY --from=build /src/package.json /src/package-lock.json ./
COPY --from=build /src/packages/core/package.json packages/core/
COPY --from=build /src/packages/backend-prometheus/package.json packages/backend-prometheus/
COPY --from=build /src/packages/backend-datadog/package.json packages/backend-datadog/
COPY --from=build /src/packages/backend-influx/package.json packages/backend-influx/
COPY --from=build /src/packages/backend-scrape/package.json packages/backend-scrape/
COPY --from=build /src/packages/backend-memory/package.json packages/backend-memory/
COPY --from=build /src/packages/server/package.json packages/server/
# npm's cache stays in this stage: the runtime stage copies /app only.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

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
COPY --from=build /src/packages/backend-memory/dist packages/backend-memory/dist
COPY --from=build /src/packages/server/dist packages/server/dist
USER 65532:65532
EXPOSE 6443
ENTRYPOINT ["node", "/app/packages/server/dist/cli/main.js"]
CMD ["serve", "--secure-port=6443", "--cert-dir=/var/run/serving-cert"]
