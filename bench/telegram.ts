/** How long one Telegram command takes from update to sendMessage on loopback: the real grammY bot
 * from createTelegramBot, long polling a fake Bot API server, with a fake mempool behind a warm
 * cache. The same run times runTextLine alone for the same command, so the adapter's cost (polling,
 * decoding, admin/limit checks, rendering, throttled sending, HTTP both ways) reads as a ratio.
 *
 * Production settings throughout (throttling on): updates arrive one at a time, each in its own
 * private chat, spaced 40 ms apart so Telegram's 30 messages/s limit never queues them; the numbers
 * are the latency a user sees at light load, not throughput.
 *
 *   node bench/telegram.ts [n] [--no-throttle]     prints the result as JSON
 * (--no-throttle measures the adapter without the flood-control transformer, for comparison.) */
import { fileURLToPath } from "node:url";
import { createTelegramBot } from "../src/adapters/telegram/index.ts";
import { createApp } from "../src/app.ts";
import { parseConfig } from "../src/config.ts";
import { runTextLine } from "../src/core/index.ts";
import { createLogger } from "../src/logger.ts";
import { privateMessage, startFakeTelegram } from "../test/support/fake-telegram.ts";
import { startFakeUpstream } from "../test/support/fake-upstream.ts";

export interface LatencyStats {
  medianMs: number;
  p99Ms: number;
  meanMs: number;
  minMs: number;
  maxMs: number;
}

export interface TelegramBenchResult extends LatencyStats {
  command: string;
  n: number;
  /** runTextLine alone (parse, validate, run on the warm cache), same command, same run. */
  baseline: LatencyStats;
  /** medianMs ÷ baseline.medianMs */
  overheadRatio: number;
  /** medianMs − baseline.medianMs */
  overheadMs: number;
  throttled: boolean;
  spacingMs: number;
}

export async function benchTelegram(
  n = 300,
  options: { command?: string; throttle?: boolean; spacingMs?: number; warmup?: number } = {},
): Promise<TelegramBenchResult> {
  const command = options.command ?? "/mining_cost paraguay";
  const throttle = options.throttle ?? true;
  const spacingMs = options.spacingMs ?? (throttle ? 40 : 0);
  const warmup = options.warmup ?? 20;
  const logger = createLogger({ level: "error" });

  const upstream = await startFakeUpstream();
  const tg = await startFakeTelegram();
  const app = await createApp(
    parseConfig({
      MEMPOOL_API_URL: upstream.mempoolUrl,
      COINGECKO_API_URL: upstream.coingeckoUrl,
      STORE_URL: "memory://",
    }),
    { logger },
  );
  const telegram = createTelegramBot({
    registry: app.registry,
    deps: app.deps,
    token: tg.token,
    apiRoot: tg.apiRoot,
    logger,
    commandsPerUserPerMinute: 1000,
    throttle,
  });
  try {
    await telegram.start({ kind: "polling" });
    const invocation = { platform: "telegram", chatId: "1", canManage: true } as const;
    // Warm the cache (and the JIT) before timing anything.
    const first = await runTextLine(app.registry, command, { deps: app.deps, invocation });
    if (!first || first.error) throw new Error(`bench command failed: ${first?.summary ?? "no reply"}`);

    const baseline: number[] = [];
    for (let i = 0; i < warmup + n; i++) {
      const start = performance.now();
      await runTextLine(app.registry, command, { deps: app.deps, invocation });
      if (i >= warmup) baseline.push(performance.now() - start);
    }

    const samples: number[] = [];
    for (let i = 0; i < warmup + n; i++) {
      const chatId = 100_000 + i;
      const start = performance.now();
      tg.pushUpdate(privateMessage(command, { chatId }));
      const [message] = await tg.waitForMessages(1, { chatId, timeoutMs: 10_000 });
      if (i >= warmup) samples.push(message!.receivedAt - start);
      if (spacingMs) await new Promise((resolve) => setTimeout(resolve, spacingMs));
    }

    const adapter = stats(samples);
    const base = stats(baseline);
    return {
      command,
      n,
      ...adapter,
      baseline: base,
      overheadRatio: round(adapter.medianMs / base.medianMs),
      overheadMs: round(adapter.medianMs - base.medianMs),
      throttled: throttle,
      spacingMs,
    };
  } finally {
    await telegram.stop();
    await app.close();
    await tg.close();
    await upstream.close();
  }
}

function stats(samples: number[]): LatencyStats {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
  return {
    medianMs: round(rank(0.5)),
    p99Ms: round(rank(0.99)),
    meanMs: round(sorted.reduce((sum, x) => sum + x, 0) / sorted.length),
    minMs: round(sorted[0]!),
    maxMs: round(sorted.at(-1)!),
  };
}

const round = (x: number) => Math.round(x * 1000) / 1000;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 300);
  const throttle = !args.includes("--no-throttle");
  console.log(JSON.stringify(await benchTelegram(n, { throttle, spacingMs: 40 }), null, 2));
}
