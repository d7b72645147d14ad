/** Warm reply latency of each command through each adapter, next to a bare bot on the same fake:
 *   Telegram  update pushed to the fake Bot API → the answer's sendMessage received by it, for our
 *             createTelegramBot and for a bare grammY bot that answers every text with ctx.reply
 *   Discord   INTERACTION_CREATE sent by the fake gateway → the request completing the answer, for
 *             our createDiscordBot and for a bare discord.js client that answers interaction.reply
 * Our sample and the bare sample alternate (interleaved), so drift in the machine hits both alike;
 * each run reports p50/p99 and the ratio to bare; medians are then taken over the runs. The cache is
 * warm (the fake upstream answered once before timing), as a busy bot's is. */
import { performance } from "node:perf_hooks";
import { Client, Events, GatewayIntentBits } from "discord.js";
import { Bot } from "grammy";
import { createDiscordBot } from "../src/adapters/discord/bot.ts";
import { createTelegramBot } from "../src/adapters/telegram/index.ts";
import { type App, systemClock } from "../src/app.ts";
import { runCommand, runTextLine } from "../src/core/index.ts";
import { createLogger } from "../src/logger.ts";
import { renderDiscord } from "../src/render/discord.ts";
import { renderTelegram, telegramKeyboard } from "../src/render/telegram.ts";
import { createTestApp } from "../test/support/app.ts";
import { type OptionValues, slashCommand, startFakeDiscord } from "../test/support/fake-discord.ts";
import { privateMessage, startFakeTelegram } from "../test/support/fake-telegram.ts";
import { startFakeUpstream } from "../test/support/fake-upstream.ts";

export interface Percentiles {
  p50Ms: number;
  p99Ms: number;
}

export interface CommandComparison {
  platform: "telegram" | "discord";
  command: string;
  ours: Percentiles;
  bare: Percentiles;
  /** ours ÷ bare, each the median over runs of that run's ratio. */
  ratio: { p50: number; p99: number };
  runs: number;
  samplesPerRun: number;
}

const TELEGRAM_COMMANDS = ["/mining_cost paraguay", "/edge_fit llama_3_1_8b raspberry_pi_5_8gb", "/help"];
const DISCORD_COMMANDS: Array<{ command: string; options: OptionValues }> = [
  { command: "mining_cost", options: { region: "paraguay", machine: "s21_xp" } },
  { command: "edge_fit", options: { model: "llama_3_1_8b", device: "raspberry_pi_5_8gb" } },
  { command: "help", options: {} },
];
/** 30 messages per 1.01 s is one every 34 ms: samples further apart never wait on the limiter. */
const TELEGRAM_SPACING_MS = 40;
/** Each client's REST layer caps it at 50 requests/s; one interaction every 25 ms stays under it. */
const DISCORD_SPACING_MS = 25;

export async function compareAdapters(
  options: { runs?: number; samples?: number; warmup?: number } = {},
): Promise<CommandComparison[]> {
  const runs = options.runs ?? 3;
  const samples = options.samples ?? 100;
  const warmup = options.warmup ?? 20;
  const logger = createLogger({ level: "silent" });
  const upstream = await startFakeUpstream();
  const app = await createTestApp({ upstream, logger, env: { UPSTREAM_TIMEOUT_MS: "2500" } });
  const results: CommandComparison[] = [];
  try {
    results.push(...(await compareTelegram(app, logger, { runs, samples, warmup })));
    results.push(...(await compareDiscord(app, logger, { runs, samples, warmup })));
  } finally {
    await app.close();
    await upstream.close();
  }
  return results;
}

type Logger = ReturnType<typeof createLogger>;
interface Plan {
  runs: number;
  samples: number;
  warmup: number;
}

async function compareTelegram(app: App, logger: Logger, plan: Plan): Promise<CommandComparison[]> {
  const [oursFake, bareFake] = await Promise.all([startFakeTelegram(), startFakeTelegram()]);
  const ours = createTelegramBot({
    registry: app.registry,
    deps: app.deps,
    token: oursFake.token,
    apiRoot: oursFake.apiRoot,
    logger,
    commandsPerUserPerMinute: 1000,
  });
  // The bare bot sends the same rendered answer with the same buttons (computed once up front), so
  // both pay the same for the message itself (size, the fake's HTML check); the difference is our
  // adapter and command.
  const rendered = new Map<string, { html: string; keyboard: ReturnType<typeof telegramKeyboard> }>();
  const invocation = { platform: "telegram", chatId: "1", canManage: true } as const;
  for (const text of TELEGRAM_COMMANDS) {
    const reply = await runTextLine(app.registry, text, { deps: app.deps, invocation });
    rendered.set(text, { html: renderTelegram(reply!)[0]!, keyboard: telegramKeyboard(reply!, Date.now()) });
  }
  const bare = new Bot(bareFake.token, { client: { apiRoot: bareFake.apiRoot } });
  bare.on("message:text", (ctx) => {
    const { html, keyboard } = rendered.get(ctx.msg.text)!;
    return ctx.reply(html, {
      parse_mode: "HTML",
      link_preview_options: { is_disabled: true },
      ...(keyboard ? { reply_markup: keyboard } : {}),
    });
  });
  await ours.start({ kind: "polling" });
  const bareStarted = Promise.withResolvers<void>();
  void bare.start({ onStart: () => bareStarted.resolve() });
  await bareStarted.promise;
  let chat = 200_000;
  const once = async (fake: typeof oursFake, text: string) => {
    // A new chat each time: a chat's own limit (about 1/s) is not what is measured.
    const chatId = ++chat;
    const started = performance.now();
    fake.pushUpdate(privateMessage(text, { chatId }));
    const [message] = await fake.waitForMessages(1, { chatId, timeoutMs: 10_000 });
    // Below Telegram's 30 messages/s, so the limit never queues a sample: latency, not throughput.
    await new Promise((resolve) => setTimeout(resolve, TELEGRAM_SPACING_MS));
    return message!.receivedAt - started;
  };
  try {
    const out: CommandComparison[] = [];
    for (const text of TELEGRAM_COMMANDS) {
      out.push(
        await interleaved(
          "telegram",
          text,
          plan,
          () => once(oursFake, text),
          () => once(bareFake, text),
        ),
      );
    }
    return out;
  } finally {
    await ours.stop();
    await bare.stop();
    await Promise.all([oursFake.close(), bareFake.close()]);
  }
}

async function compareDiscord(app: App, logger: Logger, plan: Plan): Promise<CommandComparison[]> {
  const [oursFake, bareFake] = await Promise.all([startFakeDiscord(), startFakeDiscord()]);
  const ours = createDiscordBot({
    registry: app.registry,
    deps: app.deps,
    token: oursFake.token,
    applicationId: oursFake.applicationId,
    apiUrl: oursFake.apiUrl,
    logger,
    clock: systemClock,
  });
  const renderedEmbeds = new Map<string, ReturnType<typeof renderDiscord>>();
  for (const { command, options } of DISCORD_COMMANDS) {
    const spec = app.registry.find(command)!;
    const reply = await runCommand(spec, options, {
      deps: app.deps,
      invocation: { platform: "discord", chatId: "bench", canManage: true },
    });
    renderedEmbeds.set(command, renderDiscord(reply));
  }
  const bare = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: bareFake.apiUrl } });
  bare.on(Events.InteractionCreate, (interaction) => {
    if (interaction.isChatInputCommand()) {
      void interaction.reply({
        ...renderedEmbeds.get(interaction.commandName)!,
        allowedMentions: { parse: [] },
      });
    }
  });
  const bareReady = new Promise<void>((resolve) => bare.once(Events.ClientReady, () => resolve()));
  await Promise.all([ours.start(), bare.login(bareFake.token), bareReady]);
  const once = async (fake: typeof oursFake, command: string, options: OptionValues) => {
    const result = await fake.interact(slashCommand(fake, command, options));
    await new Promise((resolve) => setTimeout(resolve, DISCORD_SPACING_MS));
    return result.ms;
  };
  try {
    const out: CommandComparison[] = [];
    for (const { command, options } of DISCORD_COMMANDS) {
      out.push(
        await interleaved(
          "discord",
          command,
          plan,
          () => once(oursFake, command, options),
          () => once(bareFake, command, options),
        ),
      );
    }
    return out;
  } finally {
    await ours.stop();
    await bare.destroy();
    await Promise.all([oursFake.close(), bareFake.close()]);
  }
}

async function interleaved(
  platform: CommandComparison["platform"],
  command: string,
  plan: Plan,
  ours: () => Promise<number>,
  bare: () => Promise<number>,
): Promise<CommandComparison> {
  for (let i = 0; i < plan.warmup; i++) {
    await ours();
    await bare();
  }
  const perRun: Array<{ ours: Percentiles; bare: Percentiles }> = [];
  for (let run = 0; run < plan.runs; run++) {
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < plan.samples; i++) {
      // Alternate who goes first, so neither always follows the other's garbage.
      if (i % 2 === 0) {
        a.push(await ours());
        b.push(await bare());
      } else {
        b.push(await bare());
        a.push(await ours());
      }
    }
    perRun.push({ ours: percentiles(a), bare: percentiles(b) });
  }
  const med = (values: number[]) => round(median(values));
  return {
    platform,
    command,
    ours: { p50Ms: med(perRun.map((r) => r.ours.p50Ms)), p99Ms: med(perRun.map((r) => r.ours.p99Ms)) },
    bare: { p50Ms: med(perRun.map((r) => r.bare.p50Ms)), p99Ms: med(perRun.map((r) => r.bare.p99Ms)) },
    ratio: {
      p50: med(perRun.map((r) => r.ours.p50Ms / r.bare.p50Ms)),
      p99: med(perRun.map((r) => r.ours.p99Ms / r.bare.p99Ms)),
    },
    runs: plan.runs,
    samplesPerRun: plan.samples,
  };
}

export function percentiles(samples: readonly number[]): Percentiles {
  const sorted = [...samples].sort((x, y) => x - y);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
  return { p50Ms: rank(0.5), p99Ms: rank(0.99) };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const round = (x: number) => Math.round(x * 100) / 100;
