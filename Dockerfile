# syntax=docker/dockerfile:1
# One image for every Handoff service; the command names the service's entry file:
#   docker build -t handoff .
#   docker run handoff services/acd/dist/main.js        (or intake, presence, session-broker, reporting)
# The Helm chart and k8s/ manifests pass it as the container's args.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY . .
# Full install to build (tsc, esbuild bundles of the widget, console and wallboard), then drop the
# dev dependencies so the runtime stage copies production node_modules only.
RUN npm ci --no-audit --no-fund \
  && npm run build \
  && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
# tini is PID 1: it forwards SIGTERM to Node (which then drains, see packages/runtime/src/shutdown.ts)
# and reaps zombies; Node as PID 1 would ignore SIGTERM without a handler of its own.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/packages ./packages
COPY --from=build /app/services ./services
COPY --from=build /app/examples ./examples
# The official image's unprivileged user (uid 1000); the chart runs it with a read-only root file system.
USER node
ENTRYPOINT ["/usr/bin/tini", "--", "node"]
CMD ["services/acd/dist/main.js"]
