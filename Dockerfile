# One image for every Gatehouse service; the command picks the service:
#   docker run gatehouse services/auth/dist/main.js
#   docker run gatehouse packages/cli/dist/main.js probe --addr 127.0.0.1:50051
ARG NODE_IMAGE=node:20-bookworm-slim

# --- build: install everything, compile TypeScript -------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json ./
COPY packages ./packages
COPY services ./services
COPY examples ./examples
RUN npm ci --no-audit --no-fund
RUN npx tsc -b packages/cli services/auth services/rate-limit services/cost-budget services/health examples/notes

# --- runtime: production dependencies and compiled output only --------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# npm needs every workspace's manifest to install the production dependency tree.
COPY --from=build /app/packages/contracts/package.json packages/contracts/
COPY --from=build /app/packages/credentials/package.json packages/credentials/
COPY --from=build /app/packages/config/package.json packages/config/
COPY --from=build /app/packages/telemetry/package.json packages/telemetry/
COPY --from=build /app/packages/runtime/package.json packages/runtime/
COPY --from=build /app/packages/cli/package.json packages/cli/
COPY --from=build /app/packages/interceptors/package.json packages/interceptors/
COPY --from=build /app/services/auth/package.json services/auth/
COPY --from=build /app/services/rate-limit/package.json services/rate-limit/
COPY --from=build /app/services/cost-budget/package.json services/cost-budget/
COPY --from=build /app/services/health/package.json services/health/
COPY --from=build /app/examples/notes/package.json examples/notes/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/packages/contracts/dist packages/contracts/dist
COPY --from=build /app/packages/credentials/dist packages/credentials/dist
COPY --from=build /app/packages/config/dist packages/config/dist
COPY --from=build /app/packages/telemetry/dist packages/telemetry/dist
COPY --from=build /app/packages/runtime/dist packages/runtime/dist
COPY --from=build /app/packages/cli/dist packages/cli/dist
COPY --from=build /app/packages/interceptors/dist packages/interceptors/dist
COPY --from=build /app/services/auth/dist services/auth/dist
COPY --from=build /app/services/auth/migrations services/auth/migrations
COPY --from=build /app/services/rate-limit/dist services/rate-limit/dist
COPY --from=build /app/services/rate-limit/config services/rate-limit/config
COPY --from=build /app/services/cost-budget/dist services/cost-budget/dist
COPY --from=build /app/services/cost-budget/migrations services/cost-budget/migrations
COPY --from=build /app/services/health/dist services/health/dist
COPY --from=build /app/examples/notes/dist examples/notes/dist
# Embedded data (only used without DATABASE_URL) goes to a writable volume, not the image.
ENV GATEHOUSE_DATA_DIR=/var/lib/gatehouse
RUN mkdir -p /var/lib/gatehouse && chown node:node /var/lib/gatehouse
USER node
EXPOSE 50051 50052 50053 50054 50060 8081 8082 8083 8084 8090
ENTRYPOINT ["node"]
CMD ["packages/cli/dist/main.js", "--help"]
