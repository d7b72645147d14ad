/** Who may change a chat's settings (the digest): anyone in a private chat, the channel itself for
 * channel posts, and in groups the creator and administrators, asked of Telegram and cached briefly.
 * Telegram is asked only for a command that changes settings, never for a read-only one. */
import type { Api } from "grammy";
import {
  type Clock,
  decodeTextArgs,
  type Invocation,
  type Logger,
  parseCommandLine,
  type Registry,
} from "../../core/index.ts";
import type { DecodedCommand } from "./decode.ts";
import { describeError } from "./send.ts";

export const MANAGE_REQUIREMENT = "Only group administrators can change the digest.";

export type AdminCheck = (chatId: number, userId: number) => Promise<boolean>;

export function createAdminCheck(options: {
  api: Api;
  clock: Clock;
  logger: Logger;
  ttlMs: number;
  /** How long a failed check counts as "not an admin" before Telegram is asked again (default 10 s). */
  failureTtlMs?: number;
}): AdminCheck {
  const { api, clock, logger, ttlMs, failureTtlMs = 10_000 } = options;
  const cache = new Map<string, { admin: boolean; until: number }>();
  return async (chatId, userId) => {
    const key = `${chatId}:${userId}`;
    const now = clock.now().getTime();
    const hit = cache.get(key);
    if (hit && hit.until > now) return hit.admin;
    let admin = false;
    let trustMs = ttlMs;
    try {
      const member = await api.getChatMember(chatId, userId);
      admin = member.status === "creator" || member.status === "administrator";
    } catch (error) {
      // Cached briefly, so a burst of commands does not hammer a failing API.
      logger.warn("telegram admin check failed", { chatId, error: describeError(error) });
      trustMs = Math.min(ttlMs, failureTtlMs);
    }
    if (cache.size >= 10_000) for (const [k, v] of cache) if (v.until <= now) cache.delete(k);
    cache.set(key, { admin, until: now + trustMs });
    return admin;
  };
}

/** Who asked and where. `changesSettings`: whether the command changes the chat's settings; only
 * then are a group member's rights looked up (otherwise canManage is false, and unused). */
export async function invocationFor(
  command: DecodedCommand,
  isAdmin: AdminCheck,
  changesSettings: boolean,
): Promise<Invocation> {
  const base = {
    platform: "telegram",
    chatId: String(command.chatId),
    ...(command.userId !== undefined ? { userId: String(command.userId) } : {}),
  } as const;
  const canManage = await canManageChat(command, changesSettings ? isAdmin : async () => false);
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

/** Read-only digest actions; any other (subscribe, unsubscribe, or one added later) needs rights. */
const READ_ONLY_DIGEST_ACTIONS: ReadonlySet<unknown> = new Set([undefined, "status", "preview"]);

/** Whether the command changes the chat's settings: `/digest` with an action other than status or
 * preview. Decoded with the core's grammar; a line it cannot decode is answered with an error
 * before any rights are read. */
export function changesChatSettings(registry: Registry, command: DecodedCommand): boolean {
  const digest = command.name === "digest" ? registry.find("digest") : undefined;
  if (!digest) return false;
  try {
    const tokens = parseCommandLine(command.line)?.tokens ?? [];
    return !READ_ONLY_DIGEST_ACTIONS.has(decodeTextArgs(digest, tokens).action);
  } catch {
    return false;
  }
}
