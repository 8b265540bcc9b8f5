# One image recipe for every Roadloop service:
#   docker build --build-arg SERVICE=risk-service -t roadloop/risk-service .
# The build stage does not depend on SERVICE, so building several services reuses it.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY . .
RUN npm ci --no-audit --no-fund \
 && npm run build \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ARG SERVICE
RUN test -n "$SERVICE" || { echo "build arg SERVICE is required (e.g. --build-arg SERVICE=risk-service)" >&2; exit 1; }
ENV NODE_ENV=production \
    SERVICE=${SERVICE}
WORKDIR /app
COPY --from=build --chown=node:node /app /app
RUN test -d "services/${SERVICE}" || { echo "unknown service: ${SERVICE}" >&2; exit 1; }
USER node
# Shell form so that ${SERVICE} expands; exec keeps node as PID 1 to receive SIGTERM.
CMD ["sh", "-c", "exec node services/${SERVICE}/dist/main.js"]
