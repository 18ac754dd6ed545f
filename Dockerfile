# One image for both processes: `api` and `worker` differ only by their command.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
USER node
# API 3000, codec server 8234, worker metrics 9464 (WORKER_METRICS_ADDRESS)
EXPOSE 3000 8234 9464
CMD ["node", "--import", "tsx", "api/main.ts"]
