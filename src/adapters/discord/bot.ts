/** The Discord adapter: a discord.js client with only the Guilds intent that serves the registry as
 * slash commands. Each interaction goes decode → run → render → reply; no command logic lives here.
 *
 * Acknowledgement: Discord wants an answer within 3 s. Arguments are validated first, so a bad input
 * gets an ephemeral error without a deferral. A command that waits on upstream data replies
 * directly when its answer is ready within a short budget (warm cache: one request instead of
 * two); only when it is not does it defer, then edit the deferred reply with the embed. Nothing sent can ping anyone (allowed_mentions parses
 * nothing on every reply, edit and post). */
import { randomUUID } from "node:crypto";
import {
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  Client,
  DiscordAPIError,
  DiscordjsErrorCodes,
  Events,
  GatewayIntentBits,
  HTTPError,
  type Interaction,
  MessageFlags,
  PermissionFlagsBits,
  RateLimitError,
  Routes,
} from "discord.js";
import type { ChartRenderer } from "../../charts/render.ts";
import type {
  Clock,
  CommandContext,
  Deps,
  Invocation,
  Logger,
  Messenger,
  Registry,
  Reply,
} from "../../core/index.ts";
import {
  DeliveryError,
  errorReply,
  PlatformStartError,
  runCommand,
  runTextLine,
  unknownCommand,
  validateArgs,
} from "../../core/index.ts";
import { decodeAction, EXPIRED_TEXT, UNKNOWN_TEXT } from "../../render/actions.ts";
import { type DiscordMessage, renderDiscord } from "../../render/discord.ts";
import { autocompleteChoices, decodeInteractionOptions } from "./commands.ts";
import { createInteractionWebhook, type InteractionWebhook } from "./interaction-webhook.ts";
import { createMakeRequest } from "./multipart.ts";

export interface DiscordBotOptions {
  registry: Registry;
  deps: Deps;
  token: string;
  applicationId: string;
  /** `DISCORD_API_URL`: https://discord.com/api, a REST proxy, or a fake in tests. */
  apiUrl?: string;
  logger: Logger;
  clock: Clock;
  /** Draws answers' charts, attached as chart.png and shown as the lead embed's image. */
  charts?: ChartRenderer;
  /** How long login may take to reach "ready" before start() gives up (default 15 s). */
  startTimeoutMs?: number;
  /** How long an answer may take and still be sent as the direct reply (default 1500 ms: Discord's
   * 3-s acknowledgement deadline, less room for the reply's own round trip). */
  directReplyBudgetMs?: number;
  /** How often deferred answers' idle rate-limit handlers are dropped (default 60 s; for tests). */
  handlerSweepMs?: number;
  /** Sharding over processes: the total count and the ids this process runs (all of them when
   * only the count is given). Unset: one shard, or what discord.js's ShardingManager passes. */
  shards?: { count: number; ids?: readonly number[] };
}

export interface DiscordBot {
  client: Client;
  /** Finishes deferred answers (tests read its REST client). */
  webhook: InteractionWebhook;
  /** Logs in and resolves once the client is ready (guilds received). Throws PlatformStartError:
   * "config" for a rejected token, "unreachable" otherwise (try again). */
  start(): Promise<void>;
  /** Connected to the gateway right now. */
  isReady(): boolean;
  /** Waits (up to timeoutMs, default 10 s) for interactions being answered, then closes the gateway
   * connection; the caller closes the store. */
  stop(options?: { timeoutMs?: number }): Promise<void>;
  /** Posts to a channel for the digest; throws DeliveryError. */
  messenger: Messenger;
}

export const MANAGE_REQUIREMENT =
  "You need Manage Channels (or Manage Server) to change this channel's digest.";

const CHART_FILE = "chart.png";
const DIRECT_REPLY_BUDGET_MS = 1500;

/** True when the promise settles within ms; the timer never keeps the process up. */
async function readyWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(resolve, ms, false);
    timer.unref();
  });
  const settled = promise.then(
    () => true,
    () => true,
  );
  try {
    return await Promise.race([settled, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** Nothing in any answer may ping: not @everyone, not a role, not a user echoed from an argument. */
const NO_MENTIONS = { parse: [] as [] };

export function createDiscordBot(options: DiscordBotOptions): DiscordBot {
  const { registry, deps, logger, clock, token } = options;
  const directReplyBudgetMs = options.directReplyBudgetMs ?? DIRECT_REPLY_BUDGET_MS;
  const client = new Client({
    intents: [GatewayIntentBits.Guilds],
    // Attachments (charts) go out as bytes: see multipart.ts for why discord.js's FormData cannot.
    rest: {
      ...(options.apiUrl ? { api: options.apiUrl } : {}),
      makeRequest: createMakeRequest(() => `decentra-${randomUUID()}`),
    },
    allowedMentions: NO_MENTIONS,
    ...(options.shards
      ? {
          shardCount: options.shards.count,
          shards: options.shards.ids
            ? [...options.shards.ids]
            : Array.from({ length: options.shards.count }, (_, i) => i),
        }
      : {}),
  });
  // The messenger may post before or without a gateway session (digest-only instances).
  client.rest.setToken(token);
  // A deferred answer is finished outside the client's REST and its bot-wide cap.
  const webhook = createInteractionWebhook({
    applicationId: options.applicationId,
    ...(options.apiUrl ? { apiUrl: options.apiUrl } : {}),
    ...(options.handlerSweepMs ? { handlerSweepMs: options.handlerSweepMs } : {}),
  });

  /** Interactions being answered, so that stop() lets them finish. */
  const inFlight = new Set<Promise<void>>();
  client.on(Events.InteractionCreate, (interaction) => {
    const started = clock.now().getTime();
    const handled = handleInteraction(interaction)
      .then(
        () =>
          logger.debug("discord interaction", { id: interaction.id, ms: clock.now().getTime() - started }),
        (error: unknown) =>
          logger.error("discord interaction failed", {
            id: interaction.id,
            error: error instanceof Error ? (error.stack ?? error.message) : String(error),
          }),
      )
      .finally(() => inFlight.delete(handled));
    inFlight.add(handled);
  });
  client.on(Events.Error, (error) => logger.error("discord client error", { error: error.message }));
  client.on(Events.ShardError, (error, shardId) =>
    logger.warn("discord shard error", { shardId, error: error.message }),
  );

  async function handleInteraction(interaction: Interaction): Promise<void> {
    if (interaction.isAutocomplete()) return answerAutocomplete(interaction);
    if (interaction.isChatInputCommand()) return answerCommand(interaction);
    if (interaction.isButton()) return answerButton(interaction);
  }

  /** A button press: the next question about an answer, posted as a new answer under it. An old
   * button says, to the presser only, that it expired. */
  async function answerButton(interaction: ButtonInteraction): Promise<void> {
    const decoded = decodeAction(interaction.customId, clock.now().getTime());
    if (decoded.kind !== "run") {
      const content = decoded.kind === "expired" ? EXPIRED_TEXT : UNKNOWN_TEXT;
      await interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: NO_MENTIONS });
      return;
    }
    // Deferring first keeps within Discord's 3 s whatever the command waits on.
    await interaction.deferReply();
    // Buttons only ask questions (no digest changes): the presser needs no permission.
    const invocation = { ...invocationOfButton(interaction), canManage: false };
    const reply = await runTextLine(registry, decoded.line, { deps, invocation });
    if (reply) await sendReply(interaction, reply);
  }

  /** Autocomplete must answer within 3 s: the snapshot only, never an upstream. */
  async function answerAutocomplete(interaction: AutocompleteInteraction): Promise<void> {
    const focused = interaction.options.getFocused(true);
    const command = registry.find(interaction.commandName);
    await interaction.respond(
      autocompleteChoices(deps.snapshot, command, focused.name, String(focused.value)),
    );
  }

  async function answerCommand(interaction: ChatInputCommandInteraction): Promise<void> {
    const ctx: CommandContext = { deps, invocation: invocationOf(interaction) };
    // decode
    const command = registry.find(interaction.commandName);
    if (!command) {
      return sendReply(interaction, errorReply(unknownCommand(registry, interaction.commandName), "", deps));
    }
    let raw: Record<string, unknown>;
    try {
      raw = decodeInteractionOptions(interaction);
      validateArgs(command, raw); // a bad input answers ephemerally, before any deferral
    } catch (error) {
      return sendReply(interaction, errorReply(error, command.name, deps));
    }
    // run → render → reply (deferring first only when the answer is not ready within the budget)
    const answer = runCommand(command, raw, ctx);
    if (command.usesUpstream && !(await readyWithin(answer, directReplyBudgetMs))) {
      await interaction.deferReply();
    }
    await sendReply(interaction, await answer);
  }

  /** The embeds, and the chart as an attachment the lead embed shows (text only when it cannot
   * be drawn: a chart never costs the answer). */
  async function rendered(reply: Reply, buttons = true): Promise<{ message: DiscordMessage; png?: Buffer }> {
    const nowMs = buttons ? { nowMs: clock.now().getTime() } : {};
    if (reply.chart && options.charts && !reply.error) {
      try {
        const image = await options.charts.png(reply.chart);
        return {
          message: renderDiscord(reply, { imageUrl: `attachment://${CHART_FILE}`, ...nowMs }),
          png: image.png,
        };
      } catch (error) {
        logger.warn("chart render failed; answering with text", {
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
    return { message: renderDiscord(reply, nowMs) };
  }

  async function sendReply(
    interaction: ChatInputCommandInteraction | ButtonInteraction,
    reply: Reply,
  ): Promise<void> {
    const { message, png } = await rendered(reply);
    const file = png ? { name: CHART_FILE, data: png } : undefined;
    const ephemeral = reply.error !== undefined;
    if (!interaction.deferred && !interaction.replied) {
      await interaction.reply({
        ...message,
        allowedMentions: NO_MENTIONS,
        ...(file ? { files: [{ attachment: file.data, name: file.name }] } : {}),
        ...(ephemeral ? { flags: MessageFlags.Ephemeral } : {}),
      });
    } else if (ephemeral) {
      // Deferred publicly, but the error only concerns the caller (an unknown region found while
      // running): remove the "thinking…" message and answer privately.
      await webhook.deleteOriginal(interaction.token);
      await webhook.followUpPrivately(interaction.token, message, file);
    } else {
      await webhook.editOriginal(interaction.token, message, file);
    }
  }

  const messenger: Messenger = {
    platform: "discord",
    async send(channelId, reply) {
      try {
        const { message, png } = await rendered(reply, false);
        await client.rest.post(Routes.channelMessages(channelId), {
          body: toApiBody(message),
          ...(png ? { files: [{ name: CHART_FILE, data: png, contentType: "image/png" }] } : {}),
        });
      } catch (error) {
        throw toDeliveryError(error, channelId);
      }
    },
  };

  let stopping: Promise<void> | undefined;

  return {
    client,
    webhook,
    messenger,
    async start() {
      const timeoutMs = options.startTimeoutMs ?? 15_000;
      let timer: NodeJS.Timeout | undefined;
      const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`not ready within ${timeoutMs / 1000} s`)), timeoutMs);
      });
      try {
        await Promise.race([client.login(token).then(() => ready), timedOut]);
      } catch (error) {
        // A half-open gateway session must not linger into the next attempt.
        await client.destroy().catch(() => {});
        throw discordStartError(error, options.apiUrl ?? "https://discord.com/api");
      } finally {
        clearTimeout(timer);
      }
      logger.info("discord ready", {
        user: client.user?.tag,
        applicationId: options.applicationId,
        shards: client.ws.shards.map((shard) => shard.id),
        shardCount: client.options.shardCount,
        guilds: client.guilds.cache.size,
      });
    },
    isReady: () => client.isReady(),
    stop({ timeoutMs = 10_000 } = {}) {
      stopping ??= (async () => {
        const settled = Promise.allSettled([...inFlight]).then(() => true);
        const timedOut = new Promise<false>((resolve) => setTimeout(resolve, timeoutMs, false).unref());
        if (!(await Promise.race([settled, timedOut]))) {
          logger.warn("discord stopped with interactions still being answered", { inFlight: inFlight.size });
        }
        await client.destroy();
        webhook.rest.clearHandlerSweeper();
        webhook.rest.clearHashSweeper();
      })();
      return stopping;
    },
  };
}

function invocationOfButton(interaction: ButtonInteraction): Omit<Invocation, "canManage"> {
  return { platform: "discord", chatId: interaction.channelId, userId: interaction.user.id };
}

/** A failed login in one line an operator can act on, without the token. */
function discordStartError(error: unknown, apiUrl: string): PlatformStartError {
  const rejected =
    (error instanceof Error && "code" in error && error.code === DiscordjsErrorCodes.TokenInvalid) ||
    (error instanceof DiscordAPIError && error.status === 401);
  if (rejected) {
    return new PlatformStartError(
      "config",
      "DISCORD_TOKEN",
      "Discord rejected the bot token; copy it again from the Developer Portal (Bot → Reset Token)",
    );
  }
  const reason =
    error instanceof DiscordAPIError || error instanceof HTTPError
      ? `${error.status} ${error.message}`
      : error instanceof Error
        ? error.message
        : String(error);
  return new PlatformStartError(
    "unreachable",
    "DISCORD_API_URL",
    `cannot connect to Discord at ${apiUrl}: ${reason}`,
  );
}

/** Who asked and where. In DMs there is no one else to protect, so the caller may manage. */
export function invocationOf(interaction: ChatInputCommandInteraction): Invocation {
  const permissions = interaction.memberPermissions;
  const canManage = interaction.inGuild()
    ? (permissions?.any([PermissionFlagsBits.ManageChannels, PermissionFlagsBits.ManageGuild]) ?? false)
    : true;
  return {
    platform: "discord",
    chatId: interaction.channelId,
    userId: interaction.user.id,
    canManage,
    manageRequirement: MANAGE_REQUIREMENT,
  };
}

function toApiBody(message: DiscordMessage) {
  return { ...message, allowed_mentions: NO_MENTIONS };
}

/** JSON error codes that mean the channel is gone or closed to the bot, whatever it retries: Unknown
 * Channel, Missing Access, Missing Permissions, Cannot send messages to this user. A 403 or 404
 * without one of them (from a proxy, say) is not taken as Discord's word: it is retried. */
const PERMANENT_CODES: ReadonlySet<unknown> = new Set([10003, 50001, 50013, 50007]);

export function toDeliveryError(error: unknown, channelId: string): DeliveryError {
  if (error instanceof DiscordAPIError) {
    const permanent = PERMANENT_CODES.has(error.code);
    return new DeliveryError(
      `Discord refused a post to channel ${channelId}: ${error.status} ${error.message}`,
      {
        permanent,
        cause: error,
      },
    );
  }
  if (error instanceof RateLimitError) {
    return new DeliveryError(`Discord rate-limited a post to channel ${channelId}`, {
      permanent: false,
      retryAfterMs: error.retryAfter,
      cause: error,
    });
  }
  if (error instanceof HTTPError) {
    return new DeliveryError(`Discord answered ${error.status} to a post to channel ${channelId}`, {
      permanent: false,
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new DeliveryError(`Could not reach Discord to post to channel ${channelId}: ${message}`, {
    permanent: false,
    cause: error,
  });
}
