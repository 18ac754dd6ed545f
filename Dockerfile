# One image for both processes: `api` and `worker` differ only by their command.
# The staff console is bundled in a stage of its own, which has the build-time dependencies.
FROM node:20-bookworm-slim AS console
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web ./web
RUN npx tsx web/build.ts

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
COPY --from=console /app/dist/console ./dist/console
USER node
# API 3000, codec server 8234, worker metrics 9464 (WORKER_METRICS_ADDRESS)
EXPOSE 3000 8234 9464
CMD ["node", "--import", "tsx", "api/main.ts"]
