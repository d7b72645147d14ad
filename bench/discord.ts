/** Interaction-to-reply time of the Discord adapter on loopback: INTERACTION_CREATE sent by the fake
 * gateway → the reply request (callback, or the edit after a deferral) received by the fake REST API,
 * through the real discord.js client. A same-run baseline times runCommand alone for the same
 * command and inputs, so the adapter's cost reads as a ratio independent of the machine.
 *
 * Pacing: @discordjs/rest holds every request, interaction callbacks included, to a client-side
 * global cap of 50 requests/s (Discord itself exempts interaction endpoints). Latency is measured
 * below that cap (a deferred answer costs two requests); a separate burst run shows what the cap
 * does to back-to-back interactions.
 *
 *   node bench/discord.ts [n]   → JSON on stdout */
import { performance } from "node:perf_hooks";
import { createDiscordBot } from "../src/adapters/discord/bot.ts";
import { createApp, systemClock } from "../src/app.ts";
import { parseConfig } from "../src/config.ts";
import { type CommandContext, runCommand } from "../src/core/index.ts";
import { createLogger } from "../src/logger.ts";
import { type OptionValues, slashCommand, startFakeDiscord } from "../test/support/fake-discord.ts";
import { startFakeUpstream } from "../test/support/fake-upstream.ts";

interface Stats {
  medianMs: number;
  p99Ms: number;
  maxMs: number;
}

interface Scenario {
  command: string;
  options: OptionValues;
}

/** mining_cost defers and edits (data cached after the warm-up); edge_fit answers directly. */
/** Comfortably below @discordjs/rest's default globalRequestsPerSecond (50). */
const PACED_REQUESTS_PER_SECOND = 40;

const SCENARIOS: Scenario[] = [
  { command: "mining_cost", options: { region: "paraguay", machine: "s21_xp" } },
  { command: "edge_fit", options: { model: "llama_3_1_8b", device: "raspberry_pi_5_8gb" } },
];

export async function benchDiscord(n = 300) {
  const upstream = await startFakeUpstream();
  const dc = await startFakeDiscord();
  const logger = createLogger({ level: "silent" });
  const app = await createApp(
    parseConfig({
      MEMPOOL_API_URL: upstream.mempoolUrl,
      COINGECKO_API_URL: upstream.coingeckoUrl,
      STORE_URL: "memory://",
    }),
    { logger },
  );
  const bot = createDiscordBot({
    registry: app.registry,
    deps: app.deps,
    token: dc.token,
    applicationId: dc.applicationId,
    apiUrl: dc.apiUrl,
    logger,
    clock: systemClock,
  });
  try {
    await bot.start();
    const results = [];
    for (const { command, options } of SCENARIOS) {
      /** n interactions, each dispatched `intervalMs` after the previous one started (0: back to back). */
      const measure = async (count: number, intervalMs: number) => {
        const reply: number[] = [];
        const ack: number[] = [];
        const started = performance.now();
        for (let i = 0; i < count; i++) {
          const wait = started + i * intervalMs - performance.now();
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
          const result = await dc.interact(slashCommand(dc, command, options));
          if (result.final?.embeds?.[0]?.color === undefined) throw new Error(`${command}: no embed`);
          reply.push(result.ms);
          ack.push(result.ackMs);
        }
        // Let discord.js's one-second global window pass before the next measurement.
        await new Promise((resolve) => setTimeout(resolve, 1100));
        return { reply, ack };
      };
      const spec = app.registry.find(command)!;
      const requestsEach = spec.usesUpstream ? 2 : 1;
      const warmup = Math.min(30, n);
      await measure(warmup, (1000 * requestsEach) / PACED_REQUESTS_PER_SECOND);
      const paced = await measure(n, (1000 * requestsEach) / PACED_REQUESTS_PER_SECOND);
      const burst = await measure(Math.min(n, 100), 0);
      const ctx: CommandContext = {
        deps: app.deps,
        invocation: { platform: "discord", chatId: "bench", canManage: true },
      };
      for (let i = 0; i < warmup; i++) await runCommand(spec, options, ctx);
      const baseline: number[] = [];
      for (let i = 0; i < n; i++) {
        const started = performance.now();
        await runCommand(spec, options, ctx);
        baseline.push(performance.now() - started);
      }
      const replyStats = stats(paced.reply);
      const baselineStats = stats(baseline);
      results.push({
        command,
        deferred: spec.usesUpstream,
        n,
        pacedPerSecond: round(PACED_REQUESTS_PER_SECOND / requestsEach),
        interactionToReply: replyStats,
        interactionToAck: stats(paced.ack),
        baselineRunCommand: baselineStats,
        burstInteractionToReply: { n: burst.reply.length, ...stats(burst.reply) },
        ratio: {
          median: round(replyStats.medianMs / baselineStats.medianMs),
          p99: round(replyStats.p99Ms / baselineStats.p99Ms),
        },
      });
    }
    return { node: process.version, results };
  } finally {
    await bot.stop();
    await app.close();
    await Promise.all([dc.close(), upstream.close()]);
  }
}

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { medianMs: round(at(0.5)), p99Ms: round(at(0.99)), maxMs: round(sorted.at(-1)!) };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

if (import.meta.main) {
  const n = Number(process.argv[2] ?? 300);
  process.stdout.write(`${JSON.stringify(await benchDiscord(n), null, 2)}\n`);
}
