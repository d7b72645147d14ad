/** Sending rendered answers, and what a failed send means for the caller. */
import { type Api, GrammyError, HttpError, InputFile } from "grammy";
import type { InlineKeyboardMarkup } from "grammy/types";
import type { ChartRenderer } from "../../charts/render.ts";
import { DeliveryError, type Logger, type Messenger, type Reply } from "../../core/index.ts";
import { renderTelegram, renderTelegramPhoto } from "../../render/telegram.ts";

export interface SendTarget {
  chatId: number | string;
  /** Reply to this message (the first part only); the answer still goes out if it was deleted. */
  replyTo?: number;
  threadId?: number;
}

/** How far the delivery of one answer got: `sent` parts of `parts` are in the chat. */
export interface Progress {
  sent: number;
}

/** One message of an answer: HTML text, or the chart as a photo with an HTML caption. The last
 * part may carry the answer's buttons. */
export type TelegramPart =
  | { kind: "text"; html: string; keyboard?: InlineKeyboardMarkup }
  | { kind: "photo"; png: Buffer; caption: string; keyboard?: InlineKeyboardMarkup };

/** The answer as Telegram messages: with a chart (and a renderer), the photo with the headline,
 * figures and sources as its caption, then the details only when they did not fit; otherwise
 * text. A chart that fails to draw never costs the answer: it goes out as text. */
export async function telegramParts(
  reply: Reply,
  charts: ChartRenderer | undefined,
  logger?: Logger,
): Promise<TelegramPart[]> {
  if (reply.chart && charts && !reply.error) {
    try {
      const image = await charts.png(reply.chart);
      const post = renderTelegramPhoto(reply);
      return [
        { kind: "photo", png: image.png, caption: post.caption },
        ...post.messages.map((html) => ({ kind: "text" as const, html })),
      ];
    } catch (error) {
      logger?.warn("chart render failed; answering with text", { error: describeError(error) });
    }
  }
  return renderTelegram(reply).map((html) => ({ kind: "text", html }));
}

/** Sends the parts of one answer in order from `progress.sent` on; `progress` counts each part
 * Telegram accepted, so a retry with it resumes after them. */
export async function sendParts(
  api: Api,
  target: SendTarget,
  parts: readonly TelegramPart[],
  progress: Progress = { sent: 0 },
): Promise<number[]> {
  const ids: number[] = [];
  while (progress.sent < parts.length) {
    const index = progress.sent;
    const part = parts[index]!;
    const common = {
      parse_mode: "HTML" as const,
      ...(index === 0 && target.replyTo !== undefined
        ? { reply_parameters: { message_id: target.replyTo, allow_sending_without_reply: true } }
        : {}),
      ...(target.threadId !== undefined ? { message_thread_id: target.threadId } : {}),
      ...(part.keyboard ? { reply_markup: part.keyboard } : {}),
    };
    const sent =
      part.kind === "photo"
        ? await api.sendPhoto(target.chatId, new InputFile(part.png, "chart.png"), {
            ...common,
            caption: part.caption,
          })
        : await api.sendMessage(target.chatId, part.html, {
            ...common,
            link_preview_options: { is_disabled: true },
          });
    ids.push(sent.message_id);
    progress.sent++;
  }
  return ids;
}

/** Sends HTML messages in order (an answer without a chart), resumable like sendParts. */
export async function sendHtml(
  api: Api,
  target: SendTarget,
  parts: readonly string[],
  progress: Progress = { sent: 0 },
): Promise<void> {
  await sendParts(
    api,
    target,
    parts.map((html) => ({ kind: "text", html })),
    progress,
  );
}

/** A digest post under way: its rendered parts and how many are in the chat. */
interface Delivery extends Progress {
  parts: Promise<TelegramPart[]>;
}

/** The digest's way to post: same renderer, same throttled and retrying API as the answers.
 *
 * Resumable: when part 2 of 3 fails, the caller's retry of send(chatId, reply) with the same Reply
 * object sends parts 2 and 3 only, so the chat never sees a part twice. A group that became a
 * supergroup is followed to its new chat id (once per send, and remembered). */
export function createTelegramMessenger(api: Api, logger?: Logger, charts?: ChartRenderer): Messenger {
  const deliveries = new WeakMap<Reply, Map<string, Delivery>>();
  /** Old group chat id → the supergroup it became. */
  const migrated = new Map<string, string>();

  const drawn = new WeakMap<Reply, Promise<TelegramPart[]>>();
  const partsOf = (reply: Reply) => {
    const parts = drawn.get(reply) ?? telegramParts(reply, charts, logger);
    drawn.set(reply, parts);
    return parts;
  };

  const deliveryOf = (reply: Reply, chatId: string): Delivery => {
    const perChat = deliveries.get(reply) ?? new Map<string, Delivery>();
    deliveries.set(reply, perChat);
    // Drawn once per reply, shared by every chat it goes to.
    const delivery = perChat.get(chatId) ?? { parts: partsOf(reply), sent: 0 };
    perChat.set(chatId, delivery);
    return delivery;
  };

  /** Posts the parts not yet delivered; a group that became a supergroup is followed once. */
  const post = async (chatId: string, delivery: Delivery): Promise<void> => {
    try {
      await sendParts(api, { chatId: migrated.get(chatId) ?? chatId }, await delivery.parts, delivery);
    } catch (error) {
      const newChatId = migrationOf(error);
      if (newChatId === undefined || migrated.has(chatId)) throw error;
      migrated.set(chatId, newChatId);
      logger?.warn("telegram group was upgraded to a supergroup; posting to its new chat id", {
        chatId,
        newChatId,
      });
      await sendParts(api, { chatId: newChatId }, await delivery.parts, delivery);
    }
  };

  return {
    platform: "telegram",
    async send(chatId, reply: Reply) {
      try {
        await post(chatId, deliveryOf(reply, chatId));
      } catch (error) {
        throw toDeliveryError(error);
      }
      deliveries.get(reply)?.delete(chatId);
    },
  };
}

/** The supergroup a group was upgraded to, when Telegram refused a send for that reason. */
function migrationOf(error: unknown): string | undefined {
  const id = error instanceof GrammyError ? error.parameters.migrate_to_chat_id : undefined;
  return id === undefined ? undefined : String(id);
}

/** Answers that mean the bot can no longer post to this chat, whatever it retries. */
const GONE =
  /chat not found|bot was kicked|bot is not a member|not enough rights|need administrator rights|have no rights|chat_write_forbidden|user is deactivated|group chat was (?:upgraded|deactivated)|peer_id_invalid|topic_closed/i;

const SERVER_RETRY_MS = 5_000;

export function toDeliveryError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  if (error instanceof GrammyError) {
    const message = `Telegram ${error.method} failed: ${error.error_code} ${error.description}`;
    if (error.error_code === 429) {
      const retryAfterMs = (error.parameters.retry_after ?? 1) * 1000;
      return new DeliveryError(message, { permanent: false, retryAfterMs, cause: error });
    }
    if (error.parameters.migrate_to_chat_id !== undefined) {
      return new DeliveryError(`${message} (the group is now chat ${error.parameters.migrate_to_chat_id})`, {
        permanent: true,
        cause: error,
      });
    }
    if (error.error_code === 403 || (error.error_code === 400 && GONE.test(error.description))) {
      return new DeliveryError(message, { permanent: true, cause: error });
    }
    if (error.error_code >= 500) {
      return new DeliveryError(message, { permanent: false, retryAfterMs: SERVER_RETRY_MS, cause: error });
    }
    // Any other 400 is a bad request of ours (a renderer bug): retrying later cannot be worse than
    // dropping the chat's subscription for it.
    return new DeliveryError(message, { permanent: false, cause: error });
  }
  if (error instanceof HttpError) {
    return new DeliveryError(`Telegram unreachable: ${error.message}`, {
      permanent: false,
      retryAfterMs: SERVER_RETRY_MS,
      cause: error,
    });
  }
  return new DeliveryError(`Telegram send failed: ${describeError(error)}`, {
    permanent: false,
    cause: error,
  });
}

/** A log-safe description: method, code and Telegram's message; never the request URL (it holds
 * the token). grammY's HttpError message names only the method. */
export function describeError(error: unknown): string {
  if (error instanceof GrammyError) return `${error.method}: ${error.error_code} ${error.description}`;
  if (error instanceof HttpError) return error.message;
  if (error instanceof Error) return error.stack ?? error.message;
  return String(error);
}
