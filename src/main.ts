/** Composition root: configuration → app (store, data, commands) → the platform adapters that are
 * configured → the digest scheduler → graceful shutdown. With no platform token it opens the console. */
import { runConsole } from "./adapters/cli/console.ts";
import { createDiscordBot } from "./adapters/discord/index.ts";
import { createTelegramBot } from "./adapters/telegram/index.ts";
import { redactedConfig } from "./config.ts";
import type { Deps, Messenger } from "./core/index.ts";
import { createSharedCommandLimiter } from "./data/shared-limit.ts";
import { createAppOrExit, createEntryLogger, loadConfigOrExit } from "./env.ts";

const config = loadConfigOrExit();
const consoleMode = !config.TELEGRAM_BOT_TOKEN && !config.DISCORD_TOKEN;
const logger = createEntryLogger(config, consoleMode ? "console" : "service");
const app = await createAppOrExit(config, logger);

if (consoleMode) {
  process.stdout.write(
    "Decentra console — type a command (help, mining_cost paraguay, edge_fit llama_3_1_8b rtx_4090), exit to quit.\n" +
      "To connect chats, set TELEGRAM_BOT_TOKEN and/or DISCORD_TOKEN + DISCORD_APPLICATION_ID in .env (see README).\n",
  );
  // Digests post to chats; in the console only their preview works.
  await runConsole(app.registry, { ...app.deps, digest: app.createDigest([]) }, process.stdin, {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    ...(process.stdin.isTTY ? { prompt: "decentra> " } : {}),
  });
  await app.close();
} else {
  logger.info("starting", { config: redactedConfig(config) });
  let stopping = false;
  // The adapters share one deps object; the digest port is added to it before any update arrives.
  const deps: Deps = { ...app.deps };
  const messengers: Messenger[] = [];
  const starts: Array<() => Promise<unknown>> = [];
  const stops: Array<() => Promise<void>> = [];

  if (config.TELEGRAM_BOT_TOKEN) {
    // With Redis as the store, one sender's commands are counted across every instance.
    const commandLimiter = /^rediss?:\/\//.test(config.STORE_URL)
      ? await createSharedCommandLimiter({
          redisUrl: config.STORE_URL,
          namespace: config.STORE_NAMESPACE,
          limit: config.COMMANDS_PER_USER_PER_MINUTE,
          windowMs: 60_000,
          clock: app.deps.clock,
        })
      : undefined;
    const telegram = createTelegramBot({
      registry: app.registry,
      deps,
      token: config.TELEGRAM_BOT_TOKEN,
      apiRoot: config.TELEGRAM_API_ROOT,
      logger,
      commandsPerUserPerMinute: config.COMMANDS_PER_USER_PER_MINUTE,
      ...(commandLimiter ? { commandLimiter } : {}),
      // Polling that ended (token revoked, another instance polling) never resumes by itself: exit
      // non-zero so the supervisor restarts the process instead of leaving it up but deaf.
      onFatal: (error) => void shutdown("telegram polling stopped", 1, error),
    });
    const webhook = config.TELEGRAM_WEBHOOK_URL;
    const mode = webhook
      ? {
          kind: "webhook" as const,
          url: webhook,
          secret: config.TELEGRAM_WEBHOOK_SECRET!,
          port: config.TELEGRAM_WEBHOOK_PORT,
        }
      : { kind: "polling" as const };
    messengers.push(telegram.messenger);
    starts.push(() => telegram.start(mode));
    stops.push(() => telegram.stop());
  }
  if (config.DISCORD_TOKEN && config.DISCORD_APPLICATION_ID) {
    const discord = createDiscordBot({
      registry: app.registry,
      deps,
      token: config.DISCORD_TOKEN,
      applicationId: config.DISCORD_APPLICATION_ID,
      apiUrl: config.DISCORD_API_URL,
      logger,
      clock: app.deps.clock,
    });
    messengers.push(discord.messenger);
    starts.push(() => discord.start());
    stops.push(() => discord.stop());
  }
  // Every instance serves /digest (subscriptions live in the shared store); only instances with
  // DIGEST_ENABLED post them, so a webhook instance behind a load balancer answers /digest too.
  const digest = app.createDigest(messengers);
  deps.digest = digest;
  if (config.DIGEST_ENABLED) {
    starts.push(() => digest.start());
    // Stopped first, so no post starts while the adapters shut down.
    stops.unshift(() => digest.stop());
  }

  for (const start of starts) await start();
  logger.info("started", { platforms: messengers.map((m) => m.platform), digest: config.DIGEST_ENABLED });

  async function shutdown(reason: string, exitCode = 0, error?: unknown) {
    if (stopping) return;
    stopping = true;
    if (exitCode === 0) logger.info("stopping", { reason });
    else logger.error("stopping", { reason, error: String(error) });
    for (const stop of stops)
      await stop().catch((error) => logger.error("stop failed", { error: String(error) }));
    await app.close();
    logger.info("stopped");
    process.exit(exitCode);
  }
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
}
