/** Digest fan-out as an operator runs it: N chats subscribed to one time on the default store
 * (SQLite), then `node src/main.ts` as a process of its own, posting each chat its digest (a photo
 * with the chart and the text as caption) to a fake Telegram that enforces 30 messages/s per token
 * with 429 + retry_after.
 *
 * Reports the time from the scheduled time to the last post, its ratio to the N ÷ 30 s minimum,
 * the 429s, and the bot process's own memory: its resident set when the time came and its peak as
 * the kernel counts it (VmHWM), so the fakes and this process are not in the figure. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { killBots, spawnBot, subscribeAll } from "../test/digest/e2e-support.ts";
import { startFakeTelegram, visibleText } from "../test/support/fake-telegram.ts";
import { startFakeUpstream } from "../test/support/fake-upstream.ts";

export interface FanOutResult {
  chats: number;
  seconds: number;
  /** seconds ÷ (chats ÷ 30) */
  ratioToMinimum: number;
  tooManyRequests: number;
  sends: number;
  /** Chats that got more than one digest for the time. */
  duplicates: number;
  /** The bot process: resident set when the time came, and its peak over the run (VmHWM). */
  botRssAtStartMb: number;
  botPeakRssMb: number;
  seedSeconds: number;
}

/** A field of /proc/<pid>/status in MB (Linux); undefined elsewhere or once the process is gone. */
function procStatusMb(pid: number, field: "VmRSS" | "VmHWM"): number | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/status`, "utf8")
      .split("\n")
      .find((l) => l.startsWith(`${field}:`));
    return line ? Number(line.replace(/\D+/g, "")) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

export async function benchFanOut(chats: number): Promise<FanOutResult> {
  const upstream = await startFakeUpstream();
  const tg = await startFakeTelegram({ rateLimit: { perSecond: 30 } });
  const dir = mkdtempSync(join(tmpdir(), "decentra-bench-fanout-"));
  const storeUrl = `sqlite://${join(dir, "bench.sqlite")}`;
  try {
    const chatIds = Array.from({ length: chats }, (_, i) => 9_000_000 + i);
    // Room for seeding (~1 ms a chat) and the bot's start, so every chat is subscribed in time.
    const scheduledAt = new Date(Math.ceil(Date.now() / 1000) * 1000 + 15_000 + chats * 3);
    const schedule = `${scheduledAt.getUTCSeconds()} ${scheduledAt.getUTCMinutes()} ${scheduledAt.getUTCHours()} * * *`;
    const seedStart = performance.now();
    await subscribeAll(storeUrl, "decentra", chatIds, schedule);
    const seedSeconds = (performance.now() - seedStart) / 1000;
    const bot = await spawnBot({
      PATH: process.env.PATH,
      MEMPOOL_API_URL: upstream.mempoolUrl,
      COINGECKO_API_URL: upstream.coingeckoUrl,
      STORE_URL: storeUrl,
      TELEGRAM_BOT_TOKEN: tg.token,
      TELEGRAM_API_ROOT: tg.apiRoot,
      DIGEST_MIN_INTERVAL_SECONDS: "1",
      LOG_LEVEL: "info",
      ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
      ...(process.env.MALLOC_ARENA_MAX ? { MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX } : {}),
    });
    const pid = bot.child.pid!;
    if (Date.now() >= scheduledAt.getTime()) throw new Error("seeding and start-up took longer than planned");
    await new Promise((resolve) => setTimeout(resolve, scheduledAt.getTime() - Date.now() - 200));
    const botRssAtStartMb = procStatusMb(pid, "VmRSS") ?? Number.NaN;

    const title = `Decentra digest — ${scheduledAt.toISOString().slice(0, 19).replace("T", " ")} UTC`;
    const wanted = new Set(chatIds);
    const digests = () => [
      ...tg.sent.filter((m) => wanted.has(Number(m.chat_id)) && visibleText(m.text).startsWith(title)),
      ...tg.photos.filter(
        (p) => wanted.has(Number(p.chat_id)) && visibleText(p.caption ?? "").startsWith(title),
      ),
    ];
    const deadline = scheduledAt.getTime() + (chats / 30) * 2000 + 30_000;
    let counted = 0;
    while (Date.now() < deadline) {
      counted = new Set(digests().map((m) => Number(m.chat_id))).size;
      if (counted >= chats) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await new Promise((resolve) => setTimeout(resolve, 1000)); // late duplicates would show here
    const botPeakRssMb = procStatusMb(pid, "VmHWM") ?? Number.NaN;
    await bot.stop();
    const posted = digests();
    const perChat = new Map<number, number>();
    for (const m of posted) perChat.set(Number(m.chat_id), (perChat.get(Number(m.chat_id)) ?? 0) + 1);
    if (perChat.size < chats) throw new Error(`only ${perChat.size} of ${chats} chats got the digest`);
    const lastMs = Math.max(...posted.map((m) => performance.timeOrigin + m.receivedAt));
    const seconds = (lastMs - scheduledAt.getTime()) / 1000;
    return {
      chats,
      seconds: round(seconds),
      ratioToMinimum: round(seconds / (chats / 30)),
      tooManyRequests: tg.tooManyRequests,
      sends: tg.calls("sendMessage").length + tg.calls("sendPhoto").length,
      duplicates: [...perChat.values()].filter((n) => n > 1).length,
      botRssAtStartMb: round(botRssAtStartMb),
      botPeakRssMb: round(botPeakRssMb),
      seedSeconds: round(seedSeconds),
    };
  } finally {
    killBots();
    await tg.close();
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const round = (x: number) => Math.round(x * 1000) / 1000;
