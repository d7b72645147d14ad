/** The requests that finish a deferred answer — edit the "thinking…" message, delete it, post a
 * private follow-up — through a REST client of their own.
 *
 * Discord does not count interaction endpoints against the bot's global limit of 50 requests a
 * second, but @discordjs/rest does: through the client's REST, a wave of deferred answers queued
 * behind that cap past ~25 answers a second. Each interaction token is also a rate-limit bucket of
 * its own, and the client's REST keeps every bucket's handler for an hour (~0.8 KB per deferred
 * answer until its hourly sweep). Here the global cap is off (Discord's per-route limits and 429s
 * still apply) and idle handlers are swept every minute, so memory follows the answers of the last
 * minute, not the last hour. Going around discord.js also skips building a Message object for
 * every edit the adapter never reads. */
import { randomUUID } from "node:crypto";
import { MessageFlags, REST, Routes } from "discord.js";
import type { DiscordMessage } from "../../render/discord.ts";
import { createMakeRequest } from "./multipart.ts";

export interface AttachedFile {
  name: string;
  data: Buffer;
}

export interface InteractionWebhook {
  /** Replaces the deferred reply with the answer. */
  editOriginal(token: string, message: DiscordMessage, file?: AttachedFile): Promise<void>;
  deleteOriginal(token: string): Promise<void>;
  /** A follow-up only the caller sees. */
  followUpPrivately(token: string, message: DiscordMessage, file?: AttachedFile): Promise<void>;
  /** The REST client (tests read its handlers and rate-limit events). */
  readonly rest: REST;
}

/** How often handlers idle for a sweep interval are dropped (the client's REST: hourly). */
export const HANDLER_SWEEP_MS = 60_000;

const NO_MENTIONS = { parse: [] as [] };

export function createInteractionWebhook(options: {
  applicationId: string;
  /** `DISCORD_API_URL`, or Discord's own when absent. */
  apiUrl?: string;
  handlerSweepMs?: number;
}): InteractionWebhook {
  const rest = new REST({
    ...(options.apiUrl ? { api: options.apiUrl } : {}),
    globalRequestsPerSecond: Number.POSITIVE_INFINITY,
    handlerSweepInterval: options.handlerSweepMs ?? HANDLER_SWEEP_MS,
    makeRequest: createMakeRequest(() => `decentra-${randomUUID()}`),
  });
  const { applicationId } = options;

  /** The body and, with a chart, the file the lead embed shows. */
  const payload = (message: DiscordMessage, file: AttachedFile | undefined, flags?: number) => ({
    body: {
      ...message,
      allowed_mentions: NO_MENTIONS,
      ...(flags === undefined ? {} : { flags }),
      ...(file ? { attachments: [{ id: "0", filename: file.name }] } : {}),
    },
    ...(file ? { files: [{ name: file.name, data: file.data, contentType: "image/png" }] } : {}),
    // Interaction webhooks are authorised by the token in the path, never by the bot token.
    auth: false,
  });

  return {
    rest,
    async editOriginal(token, message, file) {
      await rest.patch(Routes.webhookMessage(applicationId, token, "@original"), payload(message, file));
    },
    async deleteOriginal(token) {
      await rest.delete(Routes.webhookMessage(applicationId, token, "@original"), { auth: false });
    },
    async followUpPrivately(token, message, file) {
      await rest.post(Routes.webhook(applicationId, token), payload(message, file, MessageFlags.Ephemeral));
    },
  };
}
