/** Composition root: configuration → logger and observers → app (store, data, commands) → the HTTP
 * side door → each configured platform, started on its own → the digest scheduler → graceful
 * shutdown. With no platform token it opens the console. */
import { runConsole } from "./adapters/cli/console.ts";
import { createChartRenderer } from "./charts/render.ts";
import { redactedConfig } from "./config.ts";
import { type Deps, type Messenger, type Observer, PlatformStartError } from "./core/index.ts";
import type { SharedLimits } from "./data/shared-limit.ts";
import {
  createAppOrExit,
  createEntryLogger,
  EXIT_CONFIG,
  fatalLine,
  installProcessHandlers,
  loadConfigOrExit,
} from "./env.ts";
import { type HttpServer, type ReadinessCheck, startHttpServer } from "./http/server.ts";
import { combineObservers, createCommandLog } from "./observer.ts";

const config = loadConfigOrExit();
const consoleMode = !config.TELEGRAM_BOT_TOKEN && !config.DISCORD_TOKEN;
const logger = createEntryLogger(config, consoleMode ? "console" : "service");
let shutdown: (reason: string, exitCode?: number, error?: unknown) => Promise<void> = async () => {};
installProcessHandlers(logger, () => shutdown("fatal error", 1));

// The side door belongs to the service; the console never opens a port.
// prom-client is loaded only then.
const metrics =
  !consoleMode && config.HTTP_PORT !== undefined
    ? (await import("./http/metrics.ts")).createMetrics()
    : undefined;
const observer: Observer = combineObservers(
  createCommandLog(logger, { includeArgs: config.LOG_LEVEL === "debug" }),
  ...(metrics ? [metrics.observer] : []),
);
const app = await createAppOrExit(config, { logger, observer });

if (consoleMode) {
  process.stdout.write(
    "Decentra console — type a command (help, mining_cost paraguay, edge_fit llama_3_1_8b rtx_4090), exit to quit.\n" +
      "To connect chats, set TELEGRAM_BOT_TOKEN and/or DISCORD_TOKEN + DISCORD_APPLICATION_ID in .env (see README).\n",
  );
  // Digests post to chats; in the console only their preview works.
  await runConsole(app.registry, { ...app.deps, digest: app.createDigest([]) }, process.stdin, {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    ...(process.stdin.isTTY ? { prompt: "decentra> ", terminal: process.stdout } : {}),
  });
  await app.close();
} else {
  logger.info("starting", { config: redactedConfig(config) });
  let stopping = false;
  // The adapters share one deps object; the digest port is added to it before any update arrives.
  const deps: Deps = { ...app.deps };

  /** A platform as the composition root runs it: started on its own, retried, checked. */
  interface Platform {
    name: "telegram" | "discord";
    messenger: Messenger;
    start(): Promise<unknown>;
    stop(): Promise<void>;
    /** undefined when connected; why not otherwise (for /readyz). */
    notReady(): string | undefined;
  }
  const platforms: Platform[] = [];
  /** platform → why it is not connected yet; deleted once it is. */
  const connecting = new Map<string, string>();
  // One chart renderer for every platform and the digest.
  const charts = createChartRenderer();

  // With Redis as the store, one sender's commands and Telegram's per-token limits are counted
  // across every instance.
  let shared: SharedLimits | undefined;
  // Each platform's library is loaded only when it is configured (discord.js alone is ~0.4 s).
  if (config.TELEGRAM_BOT_TOKEN) {
    const { createTelegramBot } = await import("./adapters/telegram/index.ts");
    if (/^rediss?:\/\//.test(config.STORE_URL)) {
      const { connectSharedLimits } = await import("./data/shared-limit.ts");
      shared = await connectSharedLimits({ redisUrl: config.STORE_URL, namespace: config.STORE_NAMESPACE });
    }
    const commandLimiter = shared?.commandLimiter({
      limit: config.COMMANDS_PER_USER_PER_MINUTE,
      windowMs: 60_000,
      clock: app.deps.clock,
    });
    const telegram = createTelegramBot({
      registry: app.registry,
      deps,
      token: config.TELEGRAM_BOT_TOKEN,
      apiRoot: config.TELEGRAM_API_ROOT,
      logger,
      commandsPerUserPerMinute: config.COMMANDS_PER_USER_PER_MINUTE,
      charts,
      ...(commandLimiter ? { commandLimiter } : {}),
      ...(shared ? { sharedWindows: shared.windows } : {}),
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
    platforms.push({
      name: "telegram",
      messenger: telegram.messenger,
      start: () => telegram.start(mode),
      stop: () => telegram.stop(),
      notReady: () => connecting.get("telegram"),
    });
  }
  if (config.DISCORD_TOKEN && config.DISCORD_APPLICATION_ID) {
    const { createDiscordBot } = await import("./adapters/discord/index.ts");
    const discord = createDiscordBot({
      registry: app.registry,
      deps,
      token: config.DISCORD_TOKEN,
      applicationId: config.DISCORD_APPLICATION_ID,
      apiUrl: config.DISCORD_API_URL,
      logger,
      clock: app.deps.clock,
      charts,
      ...(config.DISCORD_SHARD_COUNT
        ? {
            shards: {
              count: config.DISCORD_SHARD_COUNT,
              ...(config.DISCORD_SHARDS ? { ids: config.DISCORD_SHARDS } : {}),
            },
          }
        : {}),
    });
    platforms.push({
      name: "discord",
      messenger: discord.messenger,
      start: () => discord.start(),
      stop: () => discord.stop(),
      notReady: () => connecting.get("discord") ?? (discord.isReady() ? undefined : "gateway disconnected"),
    });
  }

  // Every instance serves /digest (subscriptions live in the shared store); only instances with
  // DIGEST_ENABLED post them, so a webhook instance behind a load balancer answers /digest too.
  const digest = app.createDigest(platforms.map((p) => countedMessenger(p.messenger, observer)));
  deps.digest = digest;

  let http: HttpServer | undefined;
  if (config.HTTP_PORT !== undefined) {
    const checks: Record<string, ReadinessCheck> = {};
    for (const platform of platforms) checks[platform.name] = () => platform.notReady();
    checks.store = async () => {
      await app.store.get("health:readyz");
      return undefined;
    };
    http = await startHttpServer({
      port: config.HTTP_PORT,
      host: config.HTTP_HOST,
      metrics,
      checks,
      logger,
    }).catch((error: unknown) =>
      fatalLine(
        `HTTP_PORT: cannot listen on ${config.HTTP_HOST}:${config.HTTP_PORT}: ${error instanceof Error ? error.message : String(error)}`,
        EXIT_CONFIG,
      ),
    );
    logger.info("http side door listening", { port: http.port, paths: ["/healthz", "/readyz", "/metrics"] });
  }

  /** 1, 2, 4 … 60 s between attempts: an API that is down is asked again soon, but not hammered. */
  const backoffMs = (attempt: number) => Math.min(60_000, 1000 * 2 ** attempt);

  /** Starts one platform, retrying while its API is unreachable; a rejected setting ends the
   * process with one line naming the variable. The other platform is never held up. */
  async function keepStarting(platform: Platform): Promise<void> {
    for (let attempt = 0; !stopping; attempt++) {
      try {
        await platform.start();
        connecting.delete(platform.name);
        return;
      } catch (error) {
        if (error instanceof PlatformStartError && error.kind === "config") {
          fatalLine(`${error.variable}: ${error.message}`, EXIT_CONFIG);
        }
        const waitMs = backoffMs(attempt);
        const variable = error instanceof PlatformStartError ? error.variable : undefined;
        const reason = error instanceof Error ? error.message : String(error);
        connecting.set(platform.name, `not connected: ${reason}; retrying in ${waitMs / 1000} s`);
        logger.error(`${platform.name} could not start; retrying`, {
          platform: platform.name,
          ...(variable ? { variable } : {}),
          reason,
          retryInSeconds: waitMs / 1000,
        });
        // Not unref(): while a platform retries, this timer is what keeps the process up.
        await new Promise((resolve) => setTimeout(resolve, waitMs));
      }
    }
  }

  for (const platform of platforms) connecting.set(platform.name, "connecting");
  const started = platforms.map((platform) => keepStarting(platform));
  if (config.DIGEST_ENABLED) await digest.start();
  void Promise.all(started).then(() => {
    if (stopping) return;
    logger.info("started", { platforms: platforms.map((p) => p.name), digest: config.DIGEST_ENABLED });
    // Once receiving (loading them takes ~0.4 s of this thread, which would hold up the first
    // updates), and after the platforms' libraries (see src/charts/render.ts for why the order
    // matters): the chart libraries, so the first chart does not wait for them.
    charts.warm().catch((error: unknown) => logger.warn("chart libraries failed to load", { error }));
  });

  shutdown = async (reason: string, exitCode = 0, error?: unknown) => {
    if (stopping) return;
    stopping = true;
    if (exitCode === 0) logger.info("stopping", { reason });
    else logger.error("stopping", { reason, ...(error === undefined ? {} : { error }) });
    // The digest first, so no post starts while the adapters shut down.
    if (config.DIGEST_ENABLED)
      await digest.stop().catch((e: unknown) => logger.error("stop failed", { error: e }));
    for (const platform of platforms) {
      await platform.stop().catch((e: unknown) => logger.error("stop failed", { error: e }));
    }
    await http?.close();
    await shared?.close().catch((e: unknown) => logger.error("stop failed", { error: e }));
    await app.close();
    logger.info("stopped");
    process.exit(exitCode);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
}

/** The messenger, counting each digest post by outcome for /metrics. */
function countedMessenger(messenger: Messenger, observer: Observer): Messenger {
  return {
    platform: messenger.platform,
    async send(chatId, reply) {
      try {
        await messenger.send(chatId, reply);
        observer.digestPost({ platform: messenger.platform, outcome: "ok" });
      } catch (error) {
        const permanent = (error as { permanent?: unknown }).permanent === true;
        observer.digestPost({ platform: messenger.platform, outcome: permanent ? "refused" : "failed" });
        throw error;
      }
    },
  };
}
