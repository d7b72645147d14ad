/** For the digest end-to-end tests: the fakes, `node src/main.ts` as a child process, and the
 * digests each fake platform received, read back from their titles. */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { createCommandRegistry } from "../../commands/index.ts";
import { createStore } from "../../src/data/store.ts";
import { createBullmqQueue } from "../../src/digest/bullmq-queue.ts";
import { createDigestService } from "../../src/digest/scheduler.ts";
import { type FakeDiscord, PERMISSIONS, slashCommand, startFakeDiscord } from "../support/fake-discord.ts";
import {
  type FakeTelegram,
  privateMessage,
  startFakeTelegram,
  visibleText,
} from "../support/fake-telegram.ts";
import { type FakeUpstream, startFakeUpstream } from "../support/fake-upstream.ts";
import { memoryDeps } from "../support/memory-deps.ts";
import { recordingLogger } from "./helpers.ts";

const ROOT = resolve(import.meta.dirname, "../..");
/** Node's flags from `npm start` (package.json), so the tests run the bot as operators do. */
const START_FLAGS = (JSON.parse(readFileSync(resolve(ROOT, "package.json"), "utf8")).scripts.start as string)
  .split(/\s+/)
  .filter((word) => word.startsWith("--"));

export interface Fakes {
  upstream: FakeUpstream;
  telegram: FakeTelegram;
  discord: FakeDiscord;
  close(): Promise<void>;
}

export async function startFakes(): Promise<Fakes> {
  const [upstream, telegram, discord] = await Promise.all([
    startFakeUpstream(),
    startFakeTelegram(),
    startFakeDiscord(),
  ]);
  return {
    upstream,
    telegram,
    discord,
    close: async () => {
      await Promise.all([upstream.close(), telegram.close(), discord.close()]);
    },
  };
}

export interface Bot {
  child: ChildProcess;
  stderr(): string;
  /** SIGTERM, resolving when the process has exited. */
  stop(): Promise<void>;
}

const started: ChildProcess[] = [];

/** Starts the bot as an operator would, both platforms on the fakes, digests every 2 s allowed;
 * resolves once it logged "started". */
export async function startBot(
  fakes: Fakes,
  storeUrl: string,
  extraEnv: Record<string, string> = {},
): Promise<Bot> {
  const { upstream, telegram, discord } = fakes;
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
    ...extraEnv,
  };
  return spawnBot(env);
}

/** Runs `node src/main.ts` with exactly this environment (stderr kept for the test to read); resolves
 * once it logged "started". killBots() ends every bot started this way. */
export async function spawnBot(env: Record<string, string | undefined>): Promise<Bot> {
  const child = spawn(process.execPath, [...START_FLAGS, "src/main.ts"], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  started.push(child);
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
      if (child.exitCode !== null) return;
      const exited = new Promise((done) => child.once("exit", done));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** For afterAll: no bot outlives a failed test. */
export function killBots(): void {
  for (const child of started) if (child.exitCode === null) child.kill("SIGKILL");
}

export const EVERY_2_S = "*/2 * * * * *";

/** Subscribes a private Telegram chat and the fake server's Discord channel through /digest. */
export async function subscribeBoth(
  fakes: Fakes,
  telegramChatId: number,
  sections: { telegram: string; discord: string },
): Promise<void> {
  const { telegram, discord } = fakes;
  telegram.pushUpdate(
    privateMessage(`/digest subscribe "${EVERY_2_S}" UTC sections=${sections.telegram}`, {
      chatId: telegramChatId,
    }),
  );
  await until(
    () => telegram.sent.some((m) => Number(m.chat_id) === telegramChatId && m.text.includes("Subscribed")),
    10_000,
    "the Telegram subscribe answer",
  );
  const answer = await discord.interact(
    slashCommand(
      discord,
      "digest",
      { action: "subscribe", schedule: EVERY_2_S, sections: sections.discord },
      { permissions: PERMISSIONS.manager },
    ),
    { timeoutMs: 10_000 },
  );
  if (!JSON.stringify(answer.final).includes("Subscribed")) {
    throw new Error(`Discord subscribe failed: ${JSON.stringify(answer.final)}`);
  }
}

export interface Delivery {
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

export function telegramDigests(fakes: Fakes, chatId: number): Delivery[] {
  // A digest with a chart is one photo whose caption starts with the headline; without, a message.
  const posts = [
    ...fakes.telegram.sent.map((m) => ({ chatId: m.chat_id, text: m.text, receivedAt: m.receivedAt })),
    ...fakes.telegram.photos.map((p) => ({
      chatId: p.chat_id,
      text: p.caption ?? "",
      receivedAt: p.receivedAt,
    })),
  ].sort((a, b) => a.receivedAt - b.receivedAt);
  return posts
    .filter((m) => Number(m.chatId) === chatId && visibleText(m.text).startsWith("Decentra digest —"))
    .map((m) => ({
      scheduledMs: scheduledMsOf(visibleText(m.text)),
      receivedMs: performance.timeOrigin + m.receivedAt,
    }));
}

export function discordDigests(fakes: Fakes): Delivery[] {
  const { discord } = fakes;
  return discord.calls
    .filter((c) => c.method === "POST" && c.path === `/channels/${discord.channelId}/messages`)
    .map((c) => ({
      scheduledMs: scheduledMsOf(c.body.embeds[0].title),
      receivedMs: performance.timeOrigin + c.at,
    }));
}

export async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

/** Subscribes the chats through the digest service, as /digest subscribe would. */
export async function subscribeAll(storeUrl: string, namespace: string, chatIds: number[], schedule: string) {
  // Seeding is set-up, not what is measured: a loaded machine may take longer than the bot's 1-s
  // store timeout for 50 subscriptions at once.
  const store = await createStore(storeUrl, { namespace, timeoutMs: 10_000 });
  const logger = recordingLogger();
  const deps = memoryDeps({ logger });
  const redis = storeUrl.startsWith("redis");
  const service = createDigestService({
    store,
    registry: createCommandRegistry(),
    deps,
    messengers: [],
    clock: { now: () => new Date() },
    logger,
    minIntervalSeconds: 1,
    catchupSeconds: 3600,
    instanceId: "seed",
    ...(redis
      ? { queue: (parts) => createBullmqQueue(parts, { redisUrl: storeUrl, prefix: `${namespace}-bull` }) }
      : {}),
  });
  for (let i = 0; i < chatIds.length; i += 50) {
    await Promise.all(
      chatIds.slice(i, i + 50).map((chatId) =>
        service.subscribe({
          platform: "telegram",
          chatId: String(chatId),
          schedule,
          tz: "UTC",
          sections: ["edge_ai"],
        }),
      ),
    );
  }
  await service.queue.stop();
  await store.close();
}
