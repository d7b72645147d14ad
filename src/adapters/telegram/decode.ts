/** Telegram message → the command line it carries and who asked where. Pure: no API calls.
 * Only the head (`/name` or `/name@Bot`) is read here; the arguments are parsed by the core's text
 * grammar, the same as on the console. */
import type { Message } from "grammy/types";

export type ChatKind = "private" | "group" | "supergroup" | "channel";

export interface DecodedCommand {
  /** The message text as typed, for runTextLine. */
  line: string;
  /** Lower-case command name, without the slash or the @bot suffix. */
  name: string;
  /** True when the command names this bot (`/cmd@ThisBot`). */
  addressed: boolean;
  chatId: number;
  chatKind: ChatKind;
  messageId: number;
  /** Forum topic the command was sent in, so the answer lands there too. */
  threadId?: number;
  /** The person who sent it; absent for channel posts and anonymous group admins. */
  userId?: number;
  /** Posted in the name of a chat: the channel itself, or an anonymous admin of this group. */
  senderChatId?: number;
  /** Whom the per-user command limit counts this against. */
  senderKey: string;
}

/** `/name` or `/name@bot` at the start of the text, followed by a space or the end. Telegram command
 * names are 1–32 of a-z, 0-9 and _; usernames 5–32 of the same, any case. */
const COMMAND_HEAD = /^\/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{1,32}))?(?=\s|$)/;

/** undefined when the message is not a command, or is a command for another bot. */
export function decodeCommand(message: Message, botUsername: string): DecodedCommand | undefined {
  const text = message.text;
  if (!text) return undefined;
  const head = COMMAND_HEAD.exec(text);
  if (!head) return undefined;
  const [, name, target] = head;
  if (target && target.toLowerCase() !== botUsername.toLowerCase()) return undefined;
  const chatKind = message.chat.type;
  const userId = chatKind === "channel" || message.sender_chat ? undefined : message.from?.id;
  const senderChatId = message.sender_chat?.id;
  return {
    line: text,
    name: name!.toLowerCase(),
    addressed: target !== undefined,
    chatId: message.chat.id,
    chatKind,
    messageId: message.message_id,
    ...(message.is_topic_message && message.message_thread_id ? { threadId: message.message_thread_id } : {}),
    ...(userId !== undefined ? { userId } : {}),
    ...(senderChatId !== undefined ? { senderChatId } : {}),
    senderKey: userId !== undefined ? `user:${userId}` : `chat:${senderChatId ?? message.chat.id}`,
  };
}

export function isGroupChat(kind: ChatKind): boolean {
  return kind === "group" || kind === "supergroup";
}
