/** The Telegram adapter: grammY over the command core. Each update goes
 *   decode (message text → command line, chat, sender) → run (runTextLine) → render (HTML) → send
 * and carries no command logic. Updates are answered concurrently (a slow answer in one chat never
 * holds up another); outgoing calls are throttled to Telegram's limits and retried on 429. */
import { autoRetry } from "@grammyjs/auto-retry";
import { type Api, Bot, GrammyError, HttpError } from "grammy";
import type { CallbackQuery, Message } from "grammy/types";
import type { ChartRenderer } from "../../charts/render.ts";
import {
  type Clock,
  type Deps,
  errorReply,
  type Logger,
  type Messenger,
  PlatformStartError,
  type Registry,
  type Reply,
  runTextLine,
  type SharedWindows,
  UserError,
} from "../../core/index.ts";
import { decodeAction, EXPIRED_TEXT, UNKNOWN_TEXT } from "../../render/actions.ts";
import { renderTelegram, telegramKeyboard } from "../../render/telegram.ts";
import { type DecodedCommand, decodeCommand, isGroupChat } from "./decode.ts";
import { createOutgoingLimiter, createSharedOutgoingLimiter, type OutgoingLimiter } from "./flood.ts";
import { createLines } from "./lines.ts";
import { changesChatSettings, createAdminCheck, invocationFor } from "./permissions.ts";
import { decodeQuestion, installInlineQuestions } from "./questions.ts";
import { type CommandLimitPolicy, createCommandLimiter } from "./rate-limit.ts";
import {
  createTelegramMessenger,
  describeError,
  type SendTarget,
  sendParts,
  type TelegramPart,
  telegramParts,
} from "./send.ts";
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
  /** Windows shared by every instance (Redis), so Telegram's per-token limits hold across them;
   * this process's own windows when absent. */
  sharedWindows?: SharedWindows;
  /** getUpdates long-poll timeout in seconds (default 30). */
  pollingTimeoutSeconds?: number;
  /** Draws answers' charts, sent as a photo with the answer as its caption; text only without. */
  charts?: ChartRenderer;
  /** How long a group admin check is trusted (default 60 s). */
  adminCacheMs?: number;
  /** How long each start-up call (getMe, setWebhook, the first poll) may take (default 5 s), so an
   * unreachable Bot API is reported within seconds instead of after grammY's 500 s timeout. */
  startTimeoutMs?: number;
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
  /** Resolves once updates are being received. `port` is the webhook server's actual port. Throws
   * PlatformStartError: "config" (token or webhook URL rejected) or "unreachable" (try again). */
  start(mode: TelegramStartMode): Promise<{ username: string; port?: number }>;
  /** Stops receiving updates and waits (up to timeoutMs, default 10 s) for answers in flight. */
  stop(options?: { timeoutMs?: number }): Promise<void>;
}

const ALLOWED_UPDATES = ["message", "channel_post", "inline_query", "callback_query"] as const;
/** How long an upstream answer may take before the chat is shown "typing…". */
const TYPING_AFTER_MS = 250;
/** Telegram's limit for a command description in the menu. */
const DESCRIPTION_LIMIT = 256;

export function createTelegramBot(options: TelegramBotOptions): TelegramBot {
  const { registry, deps, logger } = options;
  const clock = options.clock ?? deps.clock;
  const apiRoot = (options.apiRoot ?? DEFAULT_TELEGRAM_API_ROOT).replace(/\/+$/, "");
  // grammY waits 500 s for any call by default; a Bot API that stops answering mid-run should cost
  // one long poll plus a margin, not eight minutes of silence.
  const callTimeoutSeconds = (options.pollingTimeoutSeconds ?? 30) + 15;
  const bot = new Bot(options.token, { client: { apiRoot, timeoutSeconds: callTimeoutSeconds } });
  if (options.throttle ?? true) {
    const outgoing = options.sharedWindows
      ? createSharedOutgoingLimiter(options.sharedWindows, {
          botId: options.token.split(":")[0]!,
          onError: warnAtMostEveryMinute((error) =>
            logger.warn("shared Telegram limits unreachable; messages use this process's own", {
              error: describeError(error),
            }),
          ),
        })
      : createOutgoingLimiter();
    throttleOutgoing(bot.api, outgoing);
  }
  bot.api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 60, rethrowHttpErrors: true }));
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

  /** Chats are answered concurrently, each chat in order. */
  const inChatOrder = createLines();

  // Not awaited: grammY would otherwise handle one update at a time, so a slow upstream answer in
  // one chat would hold every other chat behind it. Within a chat, answers keep the order of the
  // commands (what grammY's runner with sequentialize gives).
  bot.on(["message:text", "channel_post:text"], (ctx) => {
    const message = ctx.msg;
    track(
      inChatOrder(String(message.chat.id), () => answer(message)),
      "telegram update failed",
      ctx.update.update_id,
    );
  });
  installInlineQuestions(bot, { registry, deps, logger, track });
  bot.on("callback_query:data", (ctx) => {
    track(press(ctx.callbackQuery), "telegram button failed", ctx.update.update_id);
  });
  bot.catch((error) =>
    logger.error("telegram update failed", {
      updateId: error.ctx.update.update_id,
      error: describeError(error.error),
    }),
  );

  async function answer(message: Message): Promise<void> {
    // decode
    const command = decodeCommand(message, bot.botInfo.username) ?? decodeQuestion(message, bot.botInfo);
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
      if (limit.notify)
        await deliver(target, textParts(renderTelegram(tooFast(limit.retryAfterMs, command.name))));
      return;
    }
    // run (showing "typing…" only when an upstream answer is not ready at once)
    const started = performance.now();
    const invocation = await invocationFor(command, isAdmin, changesChatSettings(registry, command));
    const running = runTextLine(registry, command.line, { deps, invocation }, bot.botInfo.username);
    const reply = await (known?.usesUpstream ? withTypingWhenSlow(command, running) : running);
    if (!reply) return;
    // render → send
    await deliver(target, withKeyboard(await telegramParts(reply, options.charts, logger), reply));
    logger.debug("telegram command answered", {
      command: command.name,
      chatKind: command.chatKind,
      outcome: reply.error?.code ?? "ok",
      ms: Math.round(performance.now() - started),
    });
  }

  /** The answer's buttons go under its last message. */
  function withKeyboard(parts: TelegramPart[], reply: Reply): TelegramPart[] {
    const keyboard = telegramKeyboard(reply, clock.now().getTime());
    if (!keyboard || !parts.length) return parts;
    return [...parts.slice(0, -1), { ...parts.at(-1)!, keyboard }];
  }

  /** A button press: answer the query at once (Telegram shows a spinner until then), then follow
   * up the answer it sits under with the next one. An old button says it expired. */
  async function press(query: CallbackQuery): Promise<void> {
    const decoded = decodeAction(query.data ?? "", clock.now().getTime());
    const message = query.message;
    if (decoded.kind !== "run" || !message) {
      const text = decoded.kind === "expired" ? EXPIRED_TEXT : UNKNOWN_TEXT;
      await bot.api.answerCallbackQuery(query.id, { text, show_alert: true });
      return;
    }
    const limit = await Promise.resolve(limiter.check(`user:${query.from.id}`)).catch(
      () => ({ allowed: true }) as const,
    );
    if (!limit.allowed) {
      const seconds = Math.max(1, Math.ceil(limit.retryAfterMs / 1000));
      await bot.api.answerCallbackQuery(query.id, { text: `Too fast; try again in ${seconds} s.` });
      return;
    }
    await bot.api.answerCallbackQuery(query.id);
    const chatId = message.chat.id;
    // Buttons only ask questions (no digest changes), so no one needs to manage the chat.
    const invocation = {
      platform: "telegram",
      chatId: String(chatId),
      userId: String(query.from.id),
      canManage: false,
    } as const;
    const reply = await runTextLine(registry, decoded.line, { deps, invocation });
    if (!reply) return;
    const target: SendTarget = {
      chatId,
      replyTo: message.message_id,
      ...("message_thread_id" in message && message.message_thread_id !== undefined
        ? { threadId: message.message_thread_id }
        : {}),
    };
    await deliver(target, withKeyboard(await telegramParts(reply, options.charts, logger), reply));
  }

  async function deliver(target: SendTarget, parts: TelegramPart[]): Promise<void> {
    try {
      await sendParts(bot.api, target, parts);
    } catch (error) {
      // Blocked, kicked, muted or flooded: nothing more to do for this update.
      logger.warn("telegram answer not delivered", { chatId: target.chatId, error: describeError(error) });
    }
  }

  /** "typing…" once the answer has taken TYPING_AFTER_MS: a warm answer goes out without it (one
   * request, not two); a slow one shows it is coming. */
  function withTypingWhenSlow<T>(command: DecodedCommand, answer: Promise<T>): Promise<T> {
    const timer = setTimeout(() => {
      const thread = command.threadId !== undefined ? { message_thread_id: command.threadId } : {};
      track(
        bot.api.sendChatAction(command.chatId, "typing", thread).then(
          () => undefined,
          (error: unknown) => logger.debug("telegram typing action failed", { error: describeError(error) }),
        ),
        "telegram typing action failed",
      );
    }, TYPING_AFTER_MS);
    return answer.finally(() => clearTimeout(timer));
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
    messenger: createTelegramMessenger(bot.api, logger, options.charts),

    async start(mode) {
      const startTimeoutMs = options.startTimeoutMs ?? 5000;
      try {
        // getMe: a wrong token fails here, before anything else starts.
        await bot.init(timeoutSignal(startTimeoutMs));
      } catch (error) {
        throw startError(error, "getMe", apiRoot, startTimeoutMs);
      }
      await publishCommands();
      const username = bot.botInfo.username;
      if (mode.kind === "webhook") {
        webhook = await listenWebhook(bot, { port: mode.port, host: mode.host, secret: mode.secret, logger });
        try {
          await bot.api.setWebhook(
            mode.url,
            { secret_token: mode.secret, allowed_updates: ALLOWED_UPDATES, drop_pending_updates: false },
            timeoutSignal(startTimeoutMs),
          );
        } catch (error) {
          // Free the port for the next attempt; the error never carries the payload (the secret).
          await webhook.close();
          webhook = undefined;
          throw startError(error, "setWebhook", apiRoot, startTimeoutMs);
        }
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
      try {
        await started.promise;
      } catch (error) {
        throw startError(error, "getUpdates", apiRoot, startTimeoutMs);
      }
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

function textParts(messages: readonly string[]): TelegramPart[] {
  return messages.map((html) => ({ kind: "text", html }));
}

/** What a failed start-up call means for the operator, in one line without the token (it is in
 * the request URL) or the webhook secret (in the payload). 401/404 on getMe: the token is wrong;
 * a 4xx on setWebhook: Telegram will not use that URL; anything else: not reachable, try again. */
function startError(error: unknown, method: string, apiRoot: string, timeoutMs: number): PlatformStartError {
  if (error instanceof GrammyError) {
    if (method === "getMe" && (error.error_code === 401 || error.error_code === 404)) {
      return new PlatformStartError(
        "config",
        "TELEGRAM_BOT_TOKEN",
        `Telegram rejected the bot token (${error.error_code} ${error.description}); copy it again from @BotFather`,
      );
    }
    if (
      method === "setWebhook" &&
      error.error_code >= 400 &&
      error.error_code < 500 &&
      error.error_code !== 429
    ) {
      return new PlatformStartError(
        "config",
        "TELEGRAM_WEBHOOK_URL",
        `Telegram refused the webhook URL (${error.error_code} ${error.description})`,
      );
    }
    return new PlatformStartError(
      "unreachable",
      "TELEGRAM_API_ROOT",
      `${method} at ${apiRoot} answered ${error.error_code} ${error.description}`,
    );
  }
  // grammY keeps retrying a refused connection inside one call until its signal ends it, so a down
  // Bot API usually shows up here as the start-up timeout.
  const reason = transportReason(error instanceof HttpError ? error.error : error, timeoutMs);
  return new PlatformStartError(
    "unreachable",
    "TELEGRAM_API_ROOT",
    `cannot reach ${apiRoot} (${method}: ${reason})`,
  );
}

/** Node's AbortSignal, typed as grammY's shim (the same object at run time). */
function timeoutSignal(ms: number): Parameters<Bot["init"]>[0] {
  return AbortSignal.timeout(ms) as unknown as Parameters<Bot["init"]>[0];
}

/** The OS or fetch error code only: the message of the nested error holds the request URL. */
function transportReason(error: unknown, timeoutMs: number): string {
  for (let e = error, depth = 0; e && typeof e === "object" && depth < 5; depth++) {
    const { code, name } = e as { code?: unknown; name?: unknown };
    if (name === "AbortError" || name === "TimeoutError") return `no answer within ${timeoutMs} ms`;
    if (typeof code === "string") return code;
    e = (e as { cause?: unknown }).cause;
  }
  return "network error";
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
/** While Redis is down every message would log the same line: one a minute says it. */
function warnAtMostEveryMinute(warn: (error: unknown) => void): (error: unknown) => void {
  let lastMs = Number.NEGATIVE_INFINITY;
  return (error) => {
    const nowMs = performance.now();
    if (nowMs - lastMs < 60_000) return;
    lastMs = nowMs;
    warn(error);
  };
}

/** Messages wait for the limiter before they go out; chat actions and reads do not count. */
function throttleOutgoing(api: Api, limiter: OutgoingLimiter): void {
  api.config.use(async (prev, method, payload, signal) => {
    const chatId = (payload as { chat_id?: number | string } | undefined)?.chat_id;
    if (!THROTTLED_METHODS.test(method) || chatId === undefined) return prev(method, payload, signal);
    const done = await limiter.acquire(chatId);
    try {
      return await prev(method, payload, signal);
    } finally {
      done();
    }
  });
}

const THROTTLED_METHODS = /^(?:send(?!ChatAction$)\w+|copyMessages?|forwardMessages?)$/;

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
