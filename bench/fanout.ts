/** Digest fan-out in this process: N chats on one schedule, the in-process queue on a memory store,
 * posting through the real Telegram adapter to a fake that enforces 30 messages/s per token.
 * Reports the time from the scheduled time to the last post, its ratio to the N ÷ 30 s minimum,
 * the 429s, and the peak RSS sampled every 100 ms. */
import { performance } from "node:perf_hooks";
import { createTelegramBot } from "../src/adapters/telegram/index.ts";
import { createApp } from "../src/app.ts";
import { parseConfig } from "../src/config.ts";
import { createLogger } from "../src/logger.ts";
import { startFakeTelegram, visibleText } from "../test/support/fake-telegram.ts";
import { startFakeUpstream } from "../test/support/fake-upstream.ts";

export interface FanOutResult {
  chats: number;
  seconds: number;
  /** seconds ÷ (chats ÷ 30) */
  ratioToMinimum: number;
  tooManyRequests: number;
  sends: number;
  peakRssMb: number;
  rssBeforeMb: number;
}

export async function benchFanOut(chats: number): Promise<FanOutResult> {
  const logger = createLogger({ level: "silent" });
  const upstream = await startFakeUpstream();
  const tg = await startFakeTelegram({ rateLimit: { perSecond: 30 } });
  const app = await createApp(
    parseConfig({
      MEMPOOL_API_URL: upstream.mempoolUrl,
      COINGECKO_API_URL: upstream.coingeckoUrl,
      STORE_URL: "memory://",
      DIGEST_MIN_INTERVAL_SECONDS: "1",
    }),
    { logger },
  );
  const telegram = createTelegramBot({
    registry: app.registry,
    deps: app.deps,
    token: tg.token,
    apiRoot: tg.apiRoot,
    logger,
    commandsPerUserPerMinute: 20,
  });
  const digest = app.createDigest([telegram.messenger]);
  // Subscribing takes ~5–10 ms a chat here (each schedule is checked over its next 500 runs); a
  // chat subscribed after the time would rightly not get it, so the time leaves room for all.
  const scheduledAt = new Date(Math.ceil(Date.now() / 1000) * 1000 + 3000 + chats * 20);
  const schedule = `${scheduledAt.getUTCSeconds()} ${scheduledAt.getUTCMinutes()} ${scheduledAt.getUTCHours()} * * *`;
  for (let i = 0; i < chats; i++) {
    await digest.subscribe({
      platform: "telegram",
      chatId: String(1_000_000 + i),
      schedule,
      tz: "UTC",
      sections: ["edge_ai"],
    });
  }
  if (Date.now() >= scheduledAt.getTime()) throw new Error("subscribing took longer than planned");
  const rssBeforeMb = process.memoryUsage().rss / 2 ** 20;
  let peakRssMb = rssBeforeMb;
  const sampler = setInterval(() => {
    peakRssMb = Math.max(peakRssMb, process.memoryUsage().rss / 2 ** 20);
  }, 100);
  try {
    await digest.start();
    const digests = () => tg.sent.filter((m) => visibleText(m.text).startsWith("Decentra digest —"));
    const deadline = Date.now() + scheduledAt.getTime() - Date.now() + (chats / 30) * 2000 + 10_000;
    while (digests().length < chats && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const lastMs = Math.max(...digests().map((m) => performance.timeOrigin + m.receivedAt));
    const seconds = (lastMs - scheduledAt.getTime()) / 1000;
    if (digests().length < chats)
      throw new Error(`only ${digests().length} of ${chats} chats got the digest`);
    return {
      chats,
      seconds: round(seconds),
      ratioToMinimum: round(seconds / (chats / 30)),
      tooManyRequests: tg.tooManyRequests,
      sends: tg.calls("sendMessage").length,
      peakRssMb: round(peakRssMb),
      rssBeforeMb: round(rssBeforeMb),
    };
  } finally {
    clearInterval(sampler);
    await digest.stop();
    await app.close();
    await tg.close();
    await upstream.close();
  }
}

const round = (x: number) => Math.round(x * 1000) / 1000;
