/** The Telegram adapter: grammY over the command core. Each update goes
 *   decode (message text → command line, chat, sender) → run (runTextLine) → render (HTML) → send
 * and carries no command logic. Updates are answered concurrently (a slow answer in one chat never
 * holds up another); outgoing calls are throttled to Telegram's limits and retried on 429. */
import { autoRetry } from "@grammyjs/auto-retry";
import { type Api, Bot } from "grammy";
import type { Message } from "grammy/types";
import {
  type Clock,
  type Deps,
  errorReply,
  type Logger,
  type Messenger,
  type Registry,
  runTextLine,
  UserError,
} from "../../core/index.ts";
import { renderTelegram } from "../../render/telegram.ts";
import { type DecodedCommand, decodeCommand, isGroupChat } from "./decode.ts";
import { createOutgoingLimiter } from "./flood.ts";
import { changesChatSettings, createAdminCheck, invocationFor } from "./permissions.ts";
import { type CommandLimitPolicy, createCommandLimiter } from "./rate-limit.ts";
import { createTelegramMessenger, describeError, type SendTarget, sendHtml } from "./send.ts";
import { listenWebhook, type WebhookServer } from "./webhook.ts";

export const DEFAULT_TELEGRAM_API_ROOT = "https://api.telegram.org";

export interface TelegramBotOptions {
  registry: Registry;
  deps: Deps;
  token: string;
  /** Bot API server; a local one, a proxy, or a fake in tests. */
  apiRoot?: string;
  logger: Logger;
  commandsPerUserPerMinute: number;
  /** The per-user limit shared by every instance (Redis); in memory, per process, when absent. */
  commandLimiter?: CommandLimitPolicy;
  /** For the per-user limit and the admin cache; deps.clock when absent. */
  clock?: Clock;
  /** Throttle outgoing messages to Telegram's limits (default true). */
  throttle?: boolean;
  /** getUpdates long-poll timeout in seconds (default 30). */
  pollingTimeoutSeconds?: number;
  /** How long a group admin check is trusted (default 60 s). */
  adminCacheMs?: number;
  /** Called once when long polling ends for good after start() (Telegram answered 401: the token
   * was revoked, or 409: another instance polls or a webhook is set), not on stop(). The process
   * cannot receive updates any more: shut down so a supervisor restarts it. */
  onFatal?: (error: unknown) => void;
}

export type TelegramStartMode =
  | { kind: "polling" }
  | { kind: "webhook"; url: string; secret: string; port: number; host?: string };

export interface TelegramBot {
  bot: Bot;
  /** Posts a Reply to a chat (the digest uses it); throws DeliveryError. */
  messenger: Messenger;
  /** Resolves once updates are being received. `port` is the webhook server's actual port. */
  start(mode: TelegramStartMode): Promise<{ username: string; port?: number }>;
  /** Stops receiving updates and waits (up to timeoutMs, default 10 s) for answers in flight. */
  stop(options?: { timeoutMs?: number }): Promise<void>;
}

const ALLOWED_UPDATES = ["message", "channel_post"] as const;
/** Telegram's limit for a command description in the menu. */
const DESCRIPTION_LIMIT = 256;

export function createTelegramBot(options: TelegramBotOptions): TelegramBot {
  const { registry, deps, logger } = options;
  const clock = options.clock ?? deps.clock;
  const apiRoot = (options.apiRoot ?? DEFAULT_TELEGRAM_API_ROOT).replace(/\/+$/, "");
  const bot = new Bot(options.token, { client: { apiRoot } });
  installFloodControl(bot.api, options.throttle ?? true);
  const limiter: CommandLimitPolicy =
    options.commandLimiter ??
    createCommandLimiter({ limit: options.commandsPerUserPerMinute, windowMs: 60_000, clock });
  const isAdmin = createAdminCheck({ api: bot.api, clock, logger, ttlMs: options.adminCacheMs ?? 60_000 });
  const inFlight = new Set<Promise<void>>();

  const track = (task: Promise<void>, what: string, updateId?: number) => {
    const tracked = task
      .catch((error: unknown) => logger.error(what, { updateId, error: describeError(error) }))
      .finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };

  /** The last answer queued per chat: chats are answered concurrently, each chat in order. */
  const chatTails = new Map<number, Promise<void>>();
  const inChatOrder = (chatId: number, work: () => Promise<void>): Promise<void> => {
    const previous = chatTails.get(chatId) ?? Promise.resolve();
    const next = previous.then(work, work);
    chatTails.set(chatId, next);
    // The map holds only chats with an answer in progress.
    void next.then(
      () => chatTails.get(chatId) === next && chatTails.delete(chatId),
      () => chatTails.get(chatId) === next && chatTails.delete(chatId),
    );
    return next;
  };

  // Not awaited: grammY would otherwise handle one update at a time, so a slow upstream answer in
  // one chat would hold every other chat behind it. Within a chat, answers keep the order of the
  // commands (what grammY's runner with sequentialize gives).
  bot.on(["message:text", "channel_post:text"], (ctx) => {
    const message = ctx.msg;
    track(
      inChatOrder(message.chat.id, () => answer(message)),
      "telegram update failed",
      ctx.update.update_id,
    );
  });
  bot.catch((error) =>
    logger.error("telegram update failed", {
      updateId: error.ctx.update.update_id,
      error: describeError(error.error),
    }),
  );

  async function answer(message: Message): Promise<void> {
    // decode
    const command = decodeCommand(message, bot.botInfo.username);
    if (!command) return;
    const known = registry.find(command.name === "start" ? "help" : command.name);
    // In a group or channel an unknown bare /command is probably another bot's.
    if (!known && command.chatKind !== "private" && !command.addressed) return;
    const target = replyTarget(command);
    const limit = await Promise.resolve(limiter.check(command.senderKey)).catch((error: unknown) => {
      // The shared store is down: answering unlimited beats not answering at all.
      logger.warn("telegram command limit unavailable; command allowed", { error: describeError(error) });
      return { allowed: true } as const;
    });
    if (!limit.allowed) {
      if (limit.notify) await deliver(target, renderTelegram(tooFast(limit.retryAfterMs, command.name)));
      return;
    }
    if (known?.usesUpstream) showTyping(command);
    // run
    const started = performance.now();
    const invocation = await invocationFor(command, isAdmin, changesChatSettings(registry, command));
    const reply = await runTextLine(registry, command.line, { deps, invocation }, bot.botInfo.username);
    if (!reply) return;
    // render → send
    await deliver(target, renderTelegram(reply));
    logger.debug("telegram command answered", {
      command: command.name,
      chatKind: command.chatKind,
      outcome: reply.error?.code ?? "ok",
      ms: Math.round(performance.now() - started),
    });
  }

  async function deliver(target: SendTarget, parts: string[]): Promise<void> {
    try {
      await sendHtml(bot.api, target, parts);
    } catch (error) {
      // Blocked, kicked, muted or flooded: nothing more to do for this update.
      logger.warn("telegram answer not delivered", { chatId: target.chatId, error: describeError(error) });
    }
  }

  function showTyping(command: DecodedCommand): void {
    const thread = command.threadId !== undefined ? { message_thread_id: command.threadId } : {};
    track(
      bot.api.sendChatAction(command.chatId, "typing", thread).then(
        () => undefined,
        (error: unknown) => logger.debug("telegram typing action failed", { error: describeError(error) }),
      ),
      "telegram typing action failed",
    );
  }

  function tooFast(retryAfterMs: number, commandName: string) {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    return errorReply(
      new UserError("rate_limited", `You're sending commands too fast; try again in ${seconds} s.`),
      commandName,
      deps,
    );
  }

  async function publishCommands(): Promise<void> {
    const commands = registry.commands.map((c) => ({
      command: c.name,
      description: truncate(c.description, DESCRIPTION_LIMIT),
    }));
    try {
      await bot.api.setMyCommands(commands);
    } catch (error) {
      logger.warn("telegram setMyCommands failed; the command menu may be out of date", {
        error: describeError(error),
      });
    }
  }

  let polling: Promise<void> | undefined;
  /** Polling got past start-up: from here on its end is fatal unless stop() asked for it. */
  let receiving = false;
  let webhook: WebhookServer | undefined;
  let stopping: Promise<void> | undefined;

  return {
    bot,
    messenger: createTelegramMessenger(bot.api, logger),

    async start(mode) {
      await bot.init(); // getMe: a wrong token fails here, before anything else starts
      await publishCommands();
      const username = bot.botInfo.username;
      if (mode.kind === "webhook") {
        webhook = await listenWebhook(bot, { port: mode.port, host: mode.host, secret: mode.secret, logger });
        await bot.api.setWebhook(mode.url, {
          secret_token: mode.secret,
          allowed_updates: ALLOWED_UPDATES,
          drop_pending_updates: false,
        });
        logger.info("telegram bot receiving updates by webhook", { username, port: webhook.port });
        return { username, port: webhook.port };
      }
      const started = Promise.withResolvers<void>();
      polling = bot
        .start({
          drop_pending_updates: false,
          allowed_updates: ALLOWED_UPDATES,
          timeout: options.pollingTimeoutSeconds ?? 30,
          onStart: () => {
            receiving = true;
            started.resolve();
          },
        })
        .catch((error: unknown) => {
          // 401 (token revoked) or 409 (another instance polls or a webhook is set) end polling.
          logger.error("telegram polling stopped", { error: describeError(error) });
          if (receiving && !stopping) options.onFatal?.(error);
          started.reject(error);
        });
      await started.promise;
      logger.info("telegram bot receiving updates by long polling", { username });
      return { username };
    },

    stop({ timeoutMs = 10_000 } = {}) {
      stopping ??= (async () => {
        if (bot.isRunning()) await bot.stop().catch(() => undefined);
        await polling;
        await webhook?.close();
        const settled = Promise.allSettled([...inFlight]).then(() => true);
        const timedOut = new Promise<false>((resolve) => setTimeout(resolve, timeoutMs, false).unref());
        if (!(await Promise.race([settled, timedOut]))) {
          logger.warn("telegram stopped with answers still in flight", { inFlight: inFlight.size });
        }
      })();
      return stopping;
    },
  };
}

/** Private chats get a plain message; in groups the answer replies to the command it answers. */
function replyTarget(command: DecodedCommand): SendTarget {
  return {
    chatId: command.chatId,
    ...(isGroupChat(command.chatKind) ? { replyTo: command.messageId } : {}),
    ...(command.threadId !== undefined ? { threadId: command.threadId } : {}),
  };
}

/** Sending methods wait for Telegram's limits (flood.ts: 30 messages/s overall, about 1/s per chat,
 * 20/min per group), and only when a limit is reached; the rest (chat actions, admin checks,
 * polling) are not held, so "typing" never delays the answer. Every call is retried after a 429's
 * retry_after (up to 60 s, 3 times) and on 5xx with backoff; network errors are not retried here
 * (grammY's polling retries on its own, and the digest retries deliveries itself). The retry wraps
 * the limiter, so each attempt counts again. */
function installFloodControl(api: Api, throttle: boolean): void {
  if (throttle) {
    const limiter = createOutgoingLimiter();
    api.config.use(async (prev, method, payload, signal) => {
      const chatId = (payload as { chat_id?: number | string } | undefined)?.chat_id;
      if (THROTTLED_METHODS.test(method) && chatId !== undefined) await limiter.acquire(chatId);
      return prev(method, payload, signal);
    });
  }
  api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 60, rethrowHttpErrors: true }));
}

const THROTTLED_METHODS = /^(?:send(?!ChatAction$)\w+|copyMessages?|forwardMessages?)$/;

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
