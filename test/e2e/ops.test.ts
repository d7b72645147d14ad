/** `node src/main.ts` as an operator meets it: the HTTP side door (health, readiness, metrics), each
 * platform starting on its own, one-line fatal errors with exit 78, and no secret in any output on
 * any error path this test can provoke. */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type FakeDiscord, slashCommand, startFakeDiscord } from "../support/fake-discord.ts";
import { type FakeTelegram, startFakeTelegram } from "../support/fake-telegram.ts";
import { type FakeUpstream, startFakeUpstream } from "../support/fake-upstream.ts";
import { closedPort, until } from "../support/net.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const WEBHOOK_SECRET = "webhookSecretForOpsTests_0123456789";
const COINGECKO_KEY = "CG-opsTestKey-9f8e7d6c5b4a";
const REDIS_PASSWORD = "redisPassw0rdForOpsTests";

interface Bot {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** Everything any run printed, for the secrets grep at the end. */
const allOutput: string[] = [];
const running: Bot[] = [];

function startBot(env: Record<string, string>, script = "src/main.ts"): Bot {
  const child = spawn(process.execPath, [script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, LOG_LEVEL: "info", COINGECKO_API_KEY: COINGECKO_KEY, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  const bot = { child, output: () => output, exited };
  running.push(bot);
  void exited.then(() => allOutput.push(output));
  return bot;
}

/** The side door's port, from the start-up log line (HTTP_PORT=0 picks a free one). */
async function sideDoorPort(bot: Bot): Promise<number> {
  await until(() => /"http side door listening"/.test(bot.output()), 10_000, "the side door");
  const line = bot
    .output()
    .split("\n")
    .find((l) => l.includes('"http side door listening"'))!;
  return JSON.parse(line).port as number;
}

async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, body: await response.text() };
}

let upstream: FakeUpstream;
let discord: FakeDiscord;
let telegram: FakeTelegram;
const tempStore = () => `sqlite://${join(mkdtempSync(join(tmpdir(), "decentra-ops-")), "store.sqlite")}`;

beforeAll(async () => {
  [upstream, discord, telegram] = await Promise.all([
    startFakeUpstream(),
    startFakeDiscord(),
    startFakeTelegram(),
  ]);
});

afterEach(() => {
  for (const bot of running.splice(0)) if (bot.child.exitCode === null) bot.child.kill("SIGKILL");
});

afterAll(async () => {
  await Promise.all([upstream?.close(), discord?.close(), telegram?.close()]);
  // Every output of every provoked error path: no token, secret, key or password, in any form.
  const everything = allOutput.join("\n");
  // Not vacuous: every run above added its output.
  expect(allOutput.length).toBeGreaterThan(0);
  expect(allOutput.every((o) => o.length > 0)).toBe(true);
  for (const secret of [telegram.token, discord.token, WEBHOOK_SECRET, COINGECKO_KEY, REDIS_PASSWORD]) {
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(encodeURIComponent(secret));
  }
  // The Telegram token without its bot id prefix, as it sits in /bot<id>:<secret>/ URLs.
  expect(everything).not.toContain(telegram.token.split(":")[1]);
});

describe("Telegram unreachable at start-up", () => {
  it("names TELEGRAM_API_ROOT within seconds, keeps retrying, /readyz is 503 while Discord answers", async () => {
    const deadRoot = `http://127.0.0.1:${await closedPort()}`;
    const startedAt = Date.now();
    const bot = startBot({
      STORE_URL: tempStore(),
      MEMPOOL_API_URL: upstream.mempoolUrl,
      COINGECKO_API_URL: upstream.coingeckoUrl,
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: deadRoot,
      DISCORD_TOKEN: discord.token,
      DISCORD_APPLICATION_ID: discord.applicationId,
      DISCORD_API_URL: discord.apiUrl,
      HTTP_PORT: "0",
      HTTP_HOST: "127.0.0.1",
    });
    const port = await sideDoorPort(bot);
    await until(() => bot.output().includes('"variable":"TELEGRAM_API_ROOT"'), 10_000, "the Telegram error");
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    expect(bot.output()).toContain(`cannot reach ${deadRoot}`);

    // Discord is not held up by Telegram.
    await discord.waitForReady();
    const help = await discord.interact(slashCommand(discord, "help"), { timeoutMs: 10_000 });
    expect(help.final.embeds[0].title).toBeTruthy();

    expect(await get(port, "/healthz")).toEqual({ status: 200, body: '{"status":"ok"}\n' });
    const ready = await get(port, "/readyz");
    expect(ready.status).toBe(503);
    const body = JSON.parse(ready.body);
    expect(body.checks.discord).toBe("ok");
    expect(body.checks.store).toBe("ok");
    expect(body.checks.telegram).toMatch(
      /^not connected: cannot reach http:\/\/127\.0\.0\.1:\d+ .*retrying in \d+ s$/,
    );
    expect(body.reasons).toEqual([`telegram: ${body.checks.telegram}`]);

    // A second attempt happened (1 s after the first): retried with back-off, not given up.
    await until(
      () => bot.output().split('"variable":"TELEGRAM_API_ROOT"').length - 1 >= 2,
      10_000,
      "a second attempt",
    );

    const metrics = await get(port, "/metrics");
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain(
      'decentra_commands_total{command="help",platform="discord",outcome="ok"} 1',
    );
    expect(metrics.body).toMatch(
      /decentra_command_duration_seconds_count\{command="help",platform="discord"\} 1/,
    );
    expect(metrics.body).toContain("process_cpu_user_seconds_total");
    expect(metrics.body).toContain("# TYPE decentra_upstream_requests_total counter");
    expect(metrics.body).toContain("# TYPE decentra_digest_posts_total counter");

    // One JSON line per command at info: what, where, how long, how it ended; no user text.
    const commandLine = bot
      .output()
      .split("\n")
      .find((l) => l.includes('"message":"command"'));
    expect(JSON.parse(commandLine!)).toMatchObject({
      level: "info",
      command: "help",
      platform: "discord",
      outcome: "ok",
      durationMs: expect.any(Number),
    });
    expect(commandLine).not.toContain("args");

    // Telegram comes back (a forwarder on the dead port): the next attempt connects, /readyz is 200.
    const deadPort = Number(new URL(deadRoot).port);
    const telegramPort = Number(new URL(telegram.apiRoot).port);
    const forwarder = createServer((socket) => {
      const upstreamSocket = connect(telegramPort, "127.0.0.1");
      socket.pipe(upstreamSocket).pipe(socket);
      socket.on("error", () => upstreamSocket.destroy());
      upstreamSocket.on("error", () => socket.destroy());
    });
    await new Promise<void>((r) => forwarder.listen(deadPort, "127.0.0.1", r));
    try {
      await until(
        () => bot.output().includes("telegram bot receiving updates"),
        30_000,
        "Telegram connected",
      );
      const readyNow = await get(port, "/readyz");
      expect(readyNow.status).toBe(200);
      expect(JSON.parse(readyNow.body).checks).toEqual({ telegram: "ok", discord: "ok", store: "ok" });
      bot.child.kill("SIGTERM");
      expect(await bot.exited).toBe(0);
    } finally {
      forwarder.close();
    }
  }, 60_000);
});

describe("fatal start-up errors: one line naming the variable, exit 78, no stack", () => {
  const oneLine = (output: string) => output.trim().split("\n").at(-1)!;

  it("a wrong Telegram token", async () => {
    const bot = startBot({
      STORE_URL: "memory://",
      MEMPOOL_API_URL: upstream.mempoolUrl,
      TELEGRAM_BOT_TOKEN: "987654321:AAWrongTokenWrongTokenWrongToken_xyz",
      TELEGRAM_API_ROOT: telegram.apiRoot,
    });
    expect(await bot.exited).toBe(78);
    expect(oneLine(bot.output())).toMatch(
      /^TELEGRAM_BOT_TOKEN: Telegram rejected the bot token \(401 Unauthorized\)/,
    );
    expect(bot.output()).not.toMatch(/\n\s+at /);
    expect(bot.output()).not.toContain("AAWrongTokenWrongTokenWrongToken_xyz");
  }, 20_000);

  it("a wrong Discord token", async () => {
    const bot = startBot({
      STORE_URL: "memory://",
      MEMPOOL_API_URL: upstream.mempoolUrl,
      DISCORD_TOKEN: "wrong.discord.token-that-is-long-enough",
      DISCORD_APPLICATION_ID: discord.applicationId,
      DISCORD_API_URL: discord.apiUrl,
    });
    expect(await bot.exited).toBe(78);
    expect(oneLine(bot.output())).toMatch(/^DISCORD_TOKEN: Discord rejected the bot token/);
    expect(bot.output()).not.toMatch(/\n\s+at /);
    expect(bot.output()).not.toContain("wrong.discord.token-that-is-long-enough");
  }, 20_000);

  it("a webhook URL Telegram refuses (400): names TELEGRAM_WEBHOOK_URL, never prints the secret", async () => {
    telegram.failNext("setWebhook", {
      status: 400,
      description: "Bad Request: bad webhook: HTTPS url must be provided",
    });
    const bot = startBot({
      STORE_URL: "memory://",
      MEMPOOL_API_URL: upstream.mempoolUrl,
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      TELEGRAM_WEBHOOK_URL: "http://bot.example/telegram",
      TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
      TELEGRAM_WEBHOOK_PORT: String(await closedPort()),
    });
    expect(await bot.exited).toBe(78);
    expect(oneLine(bot.output())).toMatch(/^TELEGRAM_WEBHOOK_URL: Telegram refused the webhook URL \(400 /);
    expect(bot.output()).not.toContain(WEBHOOK_SECRET);
  }, 20_000);

  it("setWebhook hitting a network error: logged without the token, retried", async () => {
    telegram.failNext("setWebhook", { status: 0, disconnect: true });
    const bot = startBot({
      STORE_URL: "memory://",
      MEMPOOL_API_URL: upstream.mempoolUrl,
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      TELEGRAM_WEBHOOK_URL: "https://bot.example/telegram",
      TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
      TELEGRAM_WEBHOOK_PORT: String(await closedPort()),
    });
    await until(() => bot.output().includes('"message":"started"'), 15_000, "the retried start");
    expect(bot.output()).toContain("(setWebhook: ");
    expect(bot.output()).toContain('"variable":"TELEGRAM_API_ROOT"');
    bot.child.kill("SIGTERM");
    expect(await bot.exited).toBe(0);
  }, 25_000);

  it("deploy:discord with a wrong token", async () => {
    const run = startBot(
      {
        DISCORD_TOKEN: "wrong.discord.token-for-deploy-script",
        DISCORD_APPLICATION_ID: discord.applicationId,
        DISCORD_API_URL: discord.apiUrl,
      },
      "src/deploy-discord.ts",
    );
    expect(await run.exited).toBe(78);
    expect(oneLine(run.output())).toMatch(/^DISCORD_TOKEN: Discord rejected the bot token/);
    expect(run.output()).not.toContain("wrong.discord.token-for-deploy-script");
  }, 20_000);

  it("a store folder that does not exist names STORE_URL", async () => {
    const bot = startBot({
      STORE_URL: "sqlite:///nonexistent-decentra-folder/sub/store.sqlite",
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
    });
    expect(await bot.exited).toBe(78);
    expect(oneLine(bot.output())).toMatch(
      /^STORE_URL: cannot open sqlite:\/\/\/nonexistent-decentra-folder\/sub\/store\.sqlite: the folder \/nonexistent-decentra-folder\/sub does not exist/,
    );
  }, 20_000);

  it("Redis down names STORE_URL without the password", async () => {
    const bot = startBot({
      STORE_URL: `redis://bot:${REDIS_PASSWORD}@127.0.0.1:${await closedPort()}`,
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
    });
    expect(await bot.exited).toBe(78);
    expect(oneLine(bot.output())).toMatch(
      /^STORE_URL: cannot open redis:\/\/\[credentials\]@127\.0\.0\.1:\d+/,
    );
  }, 20_000);
});

describe("process-level handlers", () => {
  it("an unhandled rejection carrying the token is logged redacted, then exit 1", async () => {
    const token = telegram.token;
    const script = `
      import { createLogger } from "./src/logger.ts";
      import { installProcessHandlers } from "./src/env.ts";
      installProcessHandlers(createLogger({ level: "info", secrets: [process.env.T] }));
      Promise.reject(new Error("request to http://x/bot" + process.env.T + "/setWebhook failed"));
      setTimeout(() => {}, 10_000);
    `;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, T: token },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout!.on("data", (c) => {
      output += c;
    });
    child.stderr!.on("data", (c) => {
      output += c;
    });
    const code = await new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
    allOutput.push(output);
    expect(code).toBe(1);
    const line = JSON.parse(output.trim().split("\n")[0]!);
    expect(line).toMatchObject({ level: "error", message: "unhandled rejection" });
    expect(line.error.message).toBe("request to http://x/bot[redacted]/setWebhook failed");
  }, 20_000);
});

describe("upstream down", () => {
  it("answers from the snapshot and logs no secret (the CoinGecko key is sent, never printed)", async () => {
    const bot = startBot({
      STORE_URL: "memory://",
      MEMPOOL_API_URL: `http://127.0.0.1:${await closedPort()}/api`,
      COINGECKO_API_URL: `http://127.0.0.1:${await closedPort()}/api/v3`,
      DISCORD_TOKEN: discord.token,
      DISCORD_APPLICATION_ID: discord.applicationId,
      DISCORD_API_URL: discord.apiUrl,
      LOG_LEVEL: "debug",
    });
    await until(() => bot.output().includes('"message":"started"'), 15_000, "start");
    const answer = await discord.interact(slashCommand(discord, "mining_cost", { region: "paraguay" }), {
      timeoutMs: 15_000,
    });
    expect(JSON.stringify(answer.final)).toContain("snapshot");
    await until(() => bot.output().includes('"message":"command"'), 5000, "the command line");
    bot.child.kill("SIGTERM");
    expect(await bot.exited).toBe(0);
  }, 40_000);
});
