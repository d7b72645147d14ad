/** Who may change a chat's settings (the digest): anyone in a private chat, the channel itself for
 * channel posts, and in groups the creator and administrators, asked of Telegram and cached briefly. */
import type { Api } from "grammy";
import type { Clock, Invocation, Logger } from "../../core/index.ts";
import type { DecodedCommand } from "./decode.ts";
import { describeError } from "./send.ts";

export const MANAGE_REQUIREMENT = "Only group administrators can change the digest.";

export type AdminCheck = (chatId: number, userId: number) => Promise<boolean>;

export function createAdminCheck(options: {
  api: Api;
  clock: Clock;
  logger: Logger;
  ttlMs: number;
}): AdminCheck {
  const { api, clock, logger, ttlMs } = options;
  const cache = new Map<string, { admin: boolean; until: number }>();
  return async (chatId, userId) => {
    const key = `${chatId}:${userId}`;
    const now = clock.now().getTime();
    const hit = cache.get(key);
    if (hit && hit.until > now) return hit.admin;
    let admin: boolean;
    try {
      const member = await api.getChatMember(chatId, userId);
      admin = member.status === "creator" || member.status === "administrator";
    } catch (error) {
      // Not cached: the next command asks again.
      logger.warn("telegram admin check failed", { chatId, error: describeError(error) });
      return false;
    }
    if (cache.size >= 10_000) for (const [k, v] of cache) if (v.until <= now) cache.delete(k);
    cache.set(key, { admin, until: now + ttlMs });
    return admin;
  };
}

export async function invocationFor(command: DecodedCommand, isAdmin: AdminCheck): Promise<Invocation> {
  const base = {
    platform: "telegram",
    chatId: String(command.chatId),
    ...(command.userId !== undefined ? { userId: String(command.userId) } : {}),
  } as const;
  const canManage = await canManageChat(command, isAdmin);
  return canManage ? { ...base, canManage } : { ...base, canManage, manageRequirement: MANAGE_REQUIREMENT };
}

async function canManageChat(command: DecodedCommand, isAdmin: AdminCheck): Promise<boolean> {
  switch (command.chatKind) {
    case "private":
    case "channel":
      return true;
    case "group":
    case "supergroup":
      // An anonymous administrator posts in the name of the group itself.
      if (command.senderChatId === command.chatId) return true;
      return command.userId !== undefined && (await isAdmin(command.chatId, command.userId));
  }
}
