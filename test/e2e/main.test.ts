/** `node src/main.ts` as an operator runs it: both platforms configured against local fakes, real
 * updates and interactions answered, then SIGTERM shuts it down cleanly. */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeDiscord, slashCommand, startFakeDiscord } from "../support/fake-discord.ts";
import {
  type FakeTelegram,
  privateMessage,
  startFakeTelegram,
  visibleText,
} from "../support/fake-telegram.ts";
import { type FakeUpstream, startFakeUpstream } from "../support/fake-upstream.ts";

const ROOT = resolve(import.meta.dirname, "../..");
let upstream: FakeUpstream;
let telegram: FakeTelegram;
let discord: FakeDiscord;
let child: ChildProcess;
let stderr = "";

beforeAll(async () => {
  [upstream, telegram, discord] = await Promise.all([
    startFakeUpstream(),
    startFakeTelegram(),
    startFakeDiscord(),
  ]);
  const env = {
    PATH: process.env.PATH,
    MEMPOOL_API_URL: upstream.mempoolUrl,
    COINGECKO_API_URL: upstream.coingeckoUrl,
    STORE_URL: `sqlite://${join(mkdtempSync(join(tmpdir(), "decentra-main-")), "store.sqlite")}`,
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    DISCORD_TOKEN: discord.token,
    DISCORD_APPLICATION_ID: discord.applicationId,
    DISCORD_API_URL: discord.apiUrl,
    LOG_LEVEL: "info",
  };
  child = spawn(process.execPath, ["src/main.ts"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  child.stderr!.on("data", (chunk) => {
    stderr += chunk;
  });
  await discord.waitForReady();
}, 20_000);

afterAll(async () => {
  if (child.exitCode === null) child.kill("SIGKILL");
  await Promise.all([upstream.close(), telegram.close(), discord.close()]);
});

describe("npm start with both platforms configured", () => {
  it("answers a Telegram update with live data from the configured mempool", async () => {
    telegram.pushUpdate(privateMessage("/mining_cost paraguay"));
    const [message] = await telegram.waitForMessages(1, { timeoutMs: 10_000 });
    expect(message!.parse_mode).toBe("HTML");
    expect(visibleText(message!.text)).toContain("Cost to mine 1 BTC — Paraguay");
    expect(visibleText(message!.text)).toContain("$91,250");
    expect(upstream.requests("prices")).toBeGreaterThan(0);
  });

  it("answers a Discord interaction with an embed", async () => {
    const result = await discord.interact(slashCommand(discord, "concentration", { layer: "pools" }), {
      timeoutMs: 10_000,
    });
    // The title is the lead embed's author line; its title is the headline.
    expect(result.final.embeds[0].author.name).toBe("How concentrated is Bitcoin mining?");
    expect(result.final.allowed_mentions).toEqual({ parse: [] });
  });

  it("logs JSON lines without the tokens", () => {
    expect(stderr).toContain('"message":"started"');
    expect(stderr).not.toContain(telegram.token);
    expect(stderr).not.toContain(discord.token);
  });

  it("shuts down on SIGTERM with exit code 0", async () => {
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(stderr).toContain('"message":"stopped"');
  }, 15_000);
});

describe("npm start when Telegram polling ends for good", () => {
  it("exits non-zero so a supervisor restarts it, naming the reason", async () => {
    const tg = await startFakeTelegram();
    const up = await startFakeUpstream();
    tg.failNext("getUpdates", { status: 401, description: "Unauthorized" });
    const env = {
      PATH: process.env.PATH,
      MEMPOOL_API_URL: up.mempoolUrl,
      COINGECKO_API_URL: up.coingeckoUrl,
      STORE_URL: "memory://",
      TELEGRAM_BOT_TOKEN: tg.token,
      TELEGRAM_API_ROOT: tg.apiRoot,
    };
    const bot = spawn(process.execPath, ["src/main.ts"], {
      cwd: ROOT,
      env,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let log = "";
    bot.stderr!.on("data", (chunk) => {
      log += chunk;
    });
    const code = await new Promise<number | null>((r) => bot.once("exit", (c) => r(c)));
    await Promise.all([tg.close(), up.close()]);
    expect(code).toBe(1);
    expect(log).toContain('"reason":"telegram polling stopped"');
    expect(log).not.toContain(tg.token);
  }, 20_000);
});
