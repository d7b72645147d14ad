/** Sending rendered answers, and what a failed send means for the caller. */
import { type Api, GrammyError, HttpError } from "grammy";
import { DeliveryError, type Logger, type Messenger, type Reply } from "../../core/index.ts";
import { renderTelegram } from "../../render/telegram.ts";

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

/** Sends the parts of one answer in order, as HTML with link previews off, from `progress.sent` on;
 * `progress` counts each part Telegram accepted, so a retry with it resumes after them. */
export async function sendHtml(
  api: Api,
  target: SendTarget,
  parts: readonly string[],
  progress: Progress = { sent: 0 },
): Promise<void> {
  while (progress.sent < parts.length) {
    const index = progress.sent;
    await api.sendMessage(target.chatId, parts[index]!, {
      parse_mode: "HTML",
      link_preview_options: { is_disabled: true },
      ...(index === 0 && target.replyTo !== undefined
        ? { reply_parameters: { message_id: target.replyTo, allow_sending_without_reply: true } }
        : {}),
      ...(target.threadId !== undefined ? { message_thread_id: target.threadId } : {}),
    });
    progress.sent++;
  }
}

/** A digest post under way: its rendered parts and how many are in the chat. */
interface Delivery extends Progress {
  parts: string[];
}

/** The digest's way to post: same renderer, same throttled and retrying API as the answers.
 *
 * Resumable: when part 2 of 3 fails, the caller's retry of send(chatId, reply) with the same Reply
 * object sends parts 2 and 3 only, so the chat never sees a part twice. A group that became a
 * supergroup is followed to its new chat id (once per send, and remembered). */
export function createTelegramMessenger(api: Api, logger?: Logger): Messenger {
  const deliveries = new WeakMap<Reply, Map<string, Delivery>>();
  /** Old group chat id → the supergroup it became. */
  const migrated = new Map<string, string>();

  const deliveryOf = (reply: Reply, chatId: string): Delivery => {
    const perChat = deliveries.get(reply) ?? new Map<string, Delivery>();
    deliveries.set(reply, perChat);
    const delivery = perChat.get(chatId) ?? { parts: renderTelegram(reply), sent: 0 };
    perChat.set(chatId, delivery);
    return delivery;
  };

  /** Posts the parts not yet delivered; a group that became a supergroup is followed once. */
  const post = async (chatId: string, delivery: Delivery): Promise<void> => {
    try {
      await sendHtml(api, { chatId: migrated.get(chatId) ?? chatId }, delivery.parts, delivery);
    } catch (error) {
      const newChatId = migrationOf(error);
      if (newChatId === undefined || migrated.has(chatId)) throw error;
      migrated.set(chatId, newChatId);
      logger?.warn("telegram group was upgraded to a supergroup; posting to its new chat id", {
        chatId,
        newChatId,
      });
      await sendHtml(api, { chatId: newChatId }, delivery.parts, delivery);
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
