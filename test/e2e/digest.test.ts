/** Scheduled digests end to end: `node src/main.ts` against the fake Telegram and Discord servers,
 * subscribed through the real /digest command with a 2-second schedule (DIGEST_MIN_INTERVAL_SECONDS
 * lowered), stopped with SIGTERM and started again on the same SQLite file. Every scheduled time
 * reaches each chat exactly once: on time while running, late (caught up) for the downtime. */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type FakeDiscord, PERMISSIONS, slashCommand, startFakeDiscord } from "../support/fake-discord.ts";
import {
  type FakeTelegram,
  privateMessage,
  startFakeTelegram,
  visibleText,
} from "../support/fake-telegram.ts";
import { type FakeUpstream, startFakeUpstream } from "../support/fake-upstream.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const TELEGRAM_CHAT = 7_700_001;
const EVERY_2_S = "*/2 * * * * *";
const tempDir = mkdtempSync(join(tmpdir(), "decentra-digest-e2e-"));

let upstream: FakeUpstream;
let telegram: FakeTelegram;
let discord: FakeDiscord;
const children: ChildProcess[] = [];

beforeAll(async () => {
  [upstream, telegram, discord] = await Promise.all([
    startFakeUpstream(),
    startFakeTelegram(),
    startFakeDiscord(),
  ]);
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  await Promise.all([upstream.close(), telegram.close(), discord.close()]);
  rmSync(tempDir, { recursive: true, force: true });
});

interface Bot {
  child: ChildProcess;
  stderr: () => string;
  stop(): Promise<void>;
}

/** Starts the bot as an operator would and resolves once it logged "started". */
async function startBot(storeUrl: string): Promise<Bot> {
  const env = {
    PATH: process.env.PATH,
    MEMPOOL_API_URL: upstream.mempoolUrl,
    COINGECKO_API_URL: upstream.coingeckoUrl,
    STORE_URL: storeUrl,
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    DISCORD_TOKEN: discord.token,
    DISCORD_APPLICATION_ID: discord.applicationId,
    DISCORD_API_URL: discord.apiUrl,
    DIGEST_MIN_INTERVAL_SECONDS: "2",
    LOG_LEVEL: "info",
  };
  const child = spawn(process.execPath, ["src/main.ts"], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let stderr = "";
  await new Promise<void>((ready, fail) => {
    child.stderr!.on("data", (chunk) => {
      stderr += chunk;
      if (stderr.includes('"message":"started"')) ready();
    });
    child.once("exit", (code) => fail(new Error(`bot exited with ${code} before starting:\n${stderr}`)));
  });
  return {
    child,
    stderr: () => stderr,
    async stop() {
      const exited = new Promise((done) => child.once("exit", done));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

interface Delivery {
  /** The scheduled time in the digest's title, Unix ms. */
  scheduledMs: number;
  /** When the fake platform received the post, Unix ms. */
  receivedMs: number;
}

function scheduledMsOf(title: string): number {
  const match = /Decentra digest — (\d{4}-\d\d-\d\d \d\d:\d\d(?::\d\d)?) UTC/.exec(title);
  if (!match) throw new Error(`not a digest title: ${title}`);
  return Date.parse(`${match[1]!.replace(" ", "T")}Z`);
}

function telegramDigests(): Delivery[] {
  return telegram.sent
    .filter((m) => Number(m.chat_id) === TELEGRAM_CHAT && visibleText(m.text).startsWith("Decentra digest —"))
    .map((m) => ({
      scheduledMs: scheduledMsOf(visibleText(m.text)),
      receivedMs: performance.timeOrigin + m.receivedAt,
    }));
}

function discordDigests(): Delivery[] {
  return discord.calls
    .filter((c) => c.method === "POST" && c.path === `/channels/${discord.channelId}/messages`)
    .map((c) => ({
      scheduledMs: scheduledMsOf(c.body.embeds[0].title),
      receivedMs: performance.timeOrigin + c.at,
    }));
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it("posts every 2 s to a Telegram chat and a Discord channel, across a restart, with no duplicate and no miss", async () => {
  const storeUrl = `sqlite://${join(tempDir, "store.sqlite")}`;
  const first = await startBot(storeUrl);

  // Subscribe through the real command on both platforms.
  telegram.pushUpdate(
    privateMessage(`/digest subscribe "${EVERY_2_S}" UTC sections=network,edge_ai`, {
      chatId: TELEGRAM_CHAT,
    }),
  );
  await until(
    () => telegram.sent.some((m) => Number(m.chat_id) === TELEGRAM_CHAT && m.text.includes("Subscribed")),
    10_000,
    "the Telegram subscribe answer",
  );
  const subscribedOnDiscord = await discord.interact(
    slashCommand(
      discord,
      "digest",
      { action: "subscribe", schedule: EVERY_2_S, sections: "edge_ai" },
      { permissions: PERMISSIONS.manager },
    ),
    { timeoutMs: 10_000 },
  );
  expect(JSON.stringify(subscribedOnDiscord.final)).toContain("Subscribed");
  const subscribedMs = Date.now();

  await until(
    () => telegramDigests().length >= 3 && discordDigests().length >= 3,
    15_000,
    "three digests each",
  );
  await first.stop();
  const downFromMs = Date.now();
  // Stay down long enough to miss at least one scheduled time.
  await sleep(3000);
  const restartedAtMs = Date.now();
  const second = await startBot(storeUrl);
  const upAgainMs = Date.now();
  await sleep(7000);
  await second.stop();

  for (const [platform, deliveries] of [
    ["telegram", telegramDigests()],
    ["discord", discordDigests()],
  ] as const) {
    const times = deliveries.map((d) => d.scheduledMs);
    const sorted = [...times].sort((a, b) => a - b);
    // No duplicate.
    expect(
      new Set(times).size,
      `${platform}: duplicates in ${times.map((t) => new Date(t).toISOString())}`,
    ).toBe(times.length);
    // No miss: every 2 s from the first scheduled time after subscribing to the last one posted.
    expect(sorted[0]! - subscribedMs).toBeLessThanOrEqual(2000 + 1000);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]! - sorted[i - 1]!, platform).toBe(2000);
    // The times that fell while no bot ran were caught up by the restarted one...
    const missed = deliveries.filter((d) => d.scheduledMs > downFromMs && d.scheduledMs < upAgainMs);
    expect(missed.length, `${platform}: caught-up posts`).toBeGreaterThanOrEqual(1);
    for (const d of missed) expect(d.receivedMs).toBeGreaterThanOrEqual(restartedAtMs);
    // ...and the others were on time: within one 1 s tick plus the post.
    const onTime = deliveries.filter((d) => !missed.includes(d));
    expect(onTime.length).toBeGreaterThanOrEqual(5);
    const latenessMs = onTime.map((d) => d.receivedMs - d.scheduledMs);
    expect(Math.max(...latenessMs), `${platform}: lateness ${latenessMs.join(", ")} ms`).toBeLessThan(2000);
    process.stdout.write(
      `${platform}: ${deliveries.length} digests, ${missed.length} caught up after restart, lateness on time: max ${Math.round(Math.max(...latenessMs))} ms, median ${Math.round(latenessMs.sort((a, b) => a - b)[Math.floor(latenessMs.length / 2)]!)} ms\n`,
    );
  }
  expect(second.stderr()).toContain('"message":"digest: posted"');
}, 60_000);
