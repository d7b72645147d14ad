/** Telegram webhook instances behind a load balancer: two `node src/main.ts` processes in webhook
 * mode on one Redis, a round-robin balancer in front of them (the URL given to setWebhook), and a
 * fake Telegram that enforces 30 messages/s per token with 429 + retry_after.
 *
 * What must hold however the balancer spreads the updates: every update is answered once, one
 * sender's command limit is counted across both instances, and both together stay under
 * Telegram's 30 messages a second for the token. Each instance alone would allow the sender its
 * whole limit and send 30 a second of its own. */
import { randomUUID } from "node:crypto";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Bot, killBots, spawnBot } from "../digest/e2e-support.ts";
import { type FakeTelegram, privateMessage, startFakeTelegram } from "../support/fake-telegram.ts";
import { type FakeUpstream, startFakeUpstream } from "../support/fake-upstream.ts";
import { until } from "../support/net.ts";
import { removeKeys } from "../support/redis.ts";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const NAMESPACE = `webhook-cluster-${randomUUID().slice(0, 8)}`;
const SECRET = "cluster_Secret-1";
const COMMANDS_PER_MINUTE = 5;

let tg: FakeTelegram;
let upstream: FakeUpstream;
let balancer: { server: Server; url: string; forwarded: number[] };
let instances: Bot[] = [];

/** Round-robin over the instances' webhook ports, as a load balancer would; counts per instance. */
async function startBalancer(ports: number[]): Promise<typeof balancer> {
  const forwarded = ports.map(() => 0);
  let next = 0;
  const server = createServer((req, res) => {
    const target = next++ % ports.length;
    forwarded[target]!++;
    const upstreamReq = request(
      { host: "127.0.0.1", port: ports[target], method: req.method, path: req.url, headers: req.headers },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    upstreamReq.on("error", () => res.writeHead(502).end());
    req.pipe(upstreamReq);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/telegram`, forwarded };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  [tg, upstream] = await Promise.all([
    startFakeTelegram({ rateLimit: { perSecond: 30 } }),
    startFakeUpstream(),
  ]);
  const ports = [await freePort(), await freePort()];
  balancer = await startBalancer(ports);
  instances = await Promise.all(
    ports.map((port) =>
      spawnBot({
        PATH: process.env.PATH,
        MEMPOOL_API_URL: upstream.mempoolUrl,
        COINGECKO_API_URL: upstream.coingeckoUrl,
        STORE_URL: REDIS_URL,
        STORE_NAMESPACE: NAMESPACE,
        TELEGRAM_BOT_TOKEN: tg.token,
        TELEGRAM_API_ROOT: tg.apiRoot,
        TELEGRAM_WEBHOOK_URL: balancer.url,
        TELEGRAM_WEBHOOK_SECRET: SECRET,
        TELEGRAM_WEBHOOK_PORT: String(port),
        COMMANDS_PER_USER_PER_MINUTE: String(COMMANDS_PER_MINUTE),
        // Answers only: no digest loop in this test.
        DIGEST_ENABLED: "false",
        LOG_LEVEL: "info",
      }),
    ),
  );
}, 30_000);

afterAll(async () => {
  killBots();
  await new Promise((resolve) => balancer?.server.close(resolve));
  await Promise.all([tg?.close(), upstream?.close()]);
  await removeKeys(NAMESPACE);
});

it("both instances registered the balancer's URL with the secret", () => {
  expect(tg.webhook).toEqual({ url: balancer.url, secret_token: SECRET });
  expect(tg.calls("setWebhook")).toHaveLength(2);
});

it("counts one sender's commands across both instances: 5 answers and one notice for 8 commands", async () => {
  const userId = 610_001;
  const before = [...balancer.forwarded];
  for (let i = 0; i < 8; i++) {
    expect(await tg.deliverWebhook(privateMessage(`/edge_ai ${2026 + i}`, { chatId: userId }))).toBe(200);
  }
  // Alternating: each instance got 4 of the 8, and alone would have answered all 4.
  expect(balancer.forwarded.map((n, i) => n - before[i]!)).toEqual([4, 4]);
  const toUser = () => tg.sent.filter((m) => Number(m.chat_id) === userId);
  await until(() => toUser().length >= COMMANDS_PER_MINUTE + 1, 15_000, "the answers and the notice");
  await new Promise((resolve) => setTimeout(resolve, 1000)); // room for answers that should not come
  const texts = toUser().map((m) => m.text);
  expect(texts.filter((t) => t.includes("Edge-AI market"))).toHaveLength(COMMANDS_PER_MINUTE);
  expect(texts.filter((t) => /sending commands too fast/.test(t))).toHaveLength(1);
  expect(texts).toHaveLength(COMMANDS_PER_MINUTE + 1);
});

it("keeps both instances together under 30 messages a second: 120 chats at once, no 429", async () => {
  const chats = Array.from({ length: 120 }, (_, i) => 620_000 + i);
  const sentBefore = tg.sent.length;
  const refusedBefore = tg.tooManyRequests;
  await Promise.all(chats.map((chatId) => tg.deliverWebhook(privateMessage("/help", { chatId }))));
  const wanted = new Set(chats);
  const answers = () => tg.sent.slice(sentBefore).filter((m) => wanted.has(Number(m.chat_id)));
  await until(() => answers().length >= chats.length, 20_000, "120 answers");
  const times = answers()
    .map((m) => m.receivedAt)
    .sort((a, b) => a - b);
  // Every chat answered once, nothing refused, and no 31 messages inside any second.
  expect(new Set(answers().map((m) => Number(m.chat_id))).size).toBe(chats.length);
  expect(answers()).toHaveLength(chats.length);
  process.stdout.write(
    `webhook cluster: 120 answers over ${((times.at(-1)! - times[0]!) / 1000).toFixed(2)} s, ` +
      `${tg.tooManyRequests - refusedBefore} 429s, updates per instance ${balancer.forwarded.join(" / ")}\n`,
  );
  expect(tg.tooManyRequests - refusedBefore).toBe(0);
  for (let i = 0; i + 30 < times.length; i++) expect(times[i + 30]! - times[i]!).toBeGreaterThanOrEqual(1000);
  // 120 at 30 per 1.01 s: the last of four windows opens at least 3 × 1.01 = 3.03 s after the first.
  expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(3000);
  // Both instances answered.
  for (const bot of instances) expect(bot.stderr()).toContain('"command":"help"');
}, 40_000);
