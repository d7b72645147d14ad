/** NetworkData end to end over a real local HTTP server: real undici client, real zod validation,
 * the cache over an in-memory store, and an injected clock for TTLs. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { NetworkData } from "../../src/core/ports.ts";
import type { Snapshot } from "../../src/core/snapshot.ts";
import { createCache } from "../../src/data/cache.ts";
import { createCoinGeckoClient } from "../../src/data/coingecko.ts";
import { createHttpClient } from "../../src/data/http.ts";
import { createMempoolClient } from "../../src/data/mempool.ts";
import { createNetworkData } from "../../src/data/network.ts";
import { snapshot as realSnapshot } from "../../src/data/snapshot.ts";
import { createMemoryStore } from "../../src/data/store.ts";
import {
  defaultPayloads,
  FAKE_NETWORK,
  type FakeUpstream,
  replies,
  startFakeUpstream,
} from "../support/fake-upstream.ts";
import { closedPort, type ManualClock, manualClock, recordingLogger } from "./helpers.ts";

/** Only the network part matters here; the figures differ from the fake upstream's on purpose. */
const figure = <T>(value: T, title: string, asOf: string) => ({
  value,
  unit: "test",
  source: { publisher: "mempool.space", title, url: "https://mempool.space/" },
  asOf,
  basis: "test figure",
});
const snapshot: Snapshot = {
  ...realSnapshot,
  assembledAt: "2025-11-30",
  network: {
    difficulty: figure(1.5e14, "snapshot", "2025-11-28"),
    btcPriceUsd: figure(88_000, "/v1/prices (snapshot)", "2025-11-29"),
    feesPerBlockBtc: figure(0.025, "reward-stats (snapshot)", "2025-11-29"),
    tipHeight: figure(925_000, "snapshot", "2025-11-29"),
    pools1w: figure(
      [
        { name: "Foundry USA", slug: "foundryusa", blockCount: 300 },
        { name: "Unknown", slug: "unknown", blockCount: 8 },
      ],
      "/v1/mining/pools/1w (snapshot)",
      "2025-11-29",
    ),
    pools1m: figure([], "/v1/mining/pools/1m (snapshot)", "2025-11-29"),
  },
};

let upstream: FakeUpstream;
beforeAll(async () => {
  upstream = await startFakeUpstream();
});
afterAll(() => upstream.close());
beforeEach(() => upstream.reset());

interface Setup {
  network: NetworkData;
  clock: ManualClock;
  logger: ReturnType<typeof recordingLogger>;
  host: string;
}

function setup(options: { mempoolUrl?: string; timeoutMs?: number; withCoinGecko?: boolean } = {}): Setup {
  const clock = manualClock();
  const logger = recordingLogger();
  const http = createHttpClient({ clock, timeoutMs: options.timeoutMs ?? 2500 });
  const mempool = createMempoolClient({ baseUrl: options.mempoolUrl ?? upstream.mempoolUrl, http });
  const coingecko =
    options.withCoinGecko === false
      ? undefined
      : createCoinGeckoClient({ baseUrl: upstream.coingeckoUrl, http });
  const cache = createCache({ store: createMemoryStore(), clock, logger });
  const network = createNetworkData({ mempool, coingecko, cache, snapshot, clock, logger });
  return { network, clock, logger, host: new URL(upstream.url).host };
}

describe("createNetworkData, upstream healthy", () => {
  it("answers live with the configured host, the upstream's own timestamp and fetchedAt", async () => {
    const { network, clock, host } = setup();
    const price = await network.btcPriceUsd();
    expect(price).toEqual({
      value: FAKE_NETWORK.priceUsd,
      source: {
        name: "BTC price",
        source: `${host} /v1/prices`,
        asOf: "2025-12-01T00:00:00.000Z",
        fetchedAt: clock.now().toISOString(),
        status: "live",
      },
    });
  });

  it("maps every dataset", async () => {
    const { network, host } = setup();
    const hashrate = await network.hashrate();
    expect(hashrate.value).toEqual({
      difficulty: FAKE_NETWORK.difficulty,
      hashrateHs: FAKE_NETWORK.hashrateHs,
    });
    expect(hashrate.source).toMatchObject({
      name: "Network difficulty",
      source: `${host} /v1/mining/hashrate/3d`,
    });

    const reward = await network.rewardStats();
    expect(reward.value.feesPerBlockBtc).toBeCloseTo(0.02998936, 12);
    expect(reward.value).not.toHaveProperty("endHeight");
    expect(reward.source.name).toBe("Fees per block (last 144 blocks)");
    // No upstream timestamp: asOf is when we fetched it.
    expect(reward.source.asOf).toBe(reward.source.fetchedAt);

    expect((await network.tipHeight()).value).toBe(FAKE_NETWORK.tipHeight);
    expect((await network.difficultyAdjustment()).value.nextRetargetHeight).toBe(927_360);
    const pools = await network.pools("1w");
    expect(pools.value.totalBlocks).toBe(defaultPayloads.pools1w.blockCount);
    expect(pools.source).toMatchObject({ name: "Pool blocks (1w)", source: `${host} /v1/mining/pools/1w` });
    expect((await network.pools("1m")).source.name).toBe("Pool blocks (1m)");
  });

  it("serves from cache within the TTL (no second request), refetches after it", async () => {
    const { network, clock } = setup();
    await network.btcPriceUsd();
    clock.advance(59_000);
    expect((await network.btcPriceUsd()).source.status).toBe("cached");
    expect(upstream.requests("prices")).toBe(1);
    clock.advance(1_000);
    expect((await network.btcPriceUsd()).source.status).toBe("live");
    expect(upstream.requests("prices")).toBe(2);

    await network.pools("1w");
    clock.advance(59 * 60_000);
    expect((await network.pools("1w")).source.status).toBe("cached");
    expect(upstream.requests("pools1w")).toBe(1);
  });

  it("concurrent misses make exactly one upstream request", async () => {
    upstream.respond("hashrate3d", replies.delayed(50, replies.json(defaultPayloads.hashrate3d)));
    const { network } = setup();
    const answers = await Promise.all(Array.from({ length: 20 }, () => network.hashrate()));
    expect(upstream.requests("hashrate3d")).toBe(1);
    expect(new Set(answers.map((answer) => answer.source.status))).toEqual(new Set(["live"]));
  });

  it("datasets() lists every dataset without fetching", async () => {
    const { network, clock } = setup();
    const before = await network.datasets();
    expect(before.map((d) => d.name)).toEqual([
      "BTC price",
      "Network difficulty",
      // Before any fetch the snapshot answers, and its fee figure is not a 144-block window.
      "Fees per block (bundled figure, 2025-11-29)",
      "Block height",
      "Difficulty adjustment",
      "Pool blocks (1w)",
      "Pool blocks (1m)",
    ]);
    expect(before.every((d) => d.status === "snapshot" && d.fetchedAt === undefined)).toBe(true);
    expect(upstream.totalRequests()).toBe(0);

    await network.btcPriceUsd();
    const price = () => network.datasets().then((all) => all.find((d) => d.name === "BTC price"));
    expect(await price()).toMatchObject({ status: "cached", asOf: "2025-12-01T00:00:00.000Z" });
    clock.advance(61_000);
    expect(await price()).toMatchObject({ status: "stale" });
    expect(upstream.totalRequests()).toBe(1);
  });
});

describe("createNetworkData, upstream in trouble", () => {
  it("500 after a good fetch -> the stale value with its original fetchedAt, and a warning", async () => {
    const { network, clock, logger } = setup();
    const fresh = await network.hashrate();
    clock.advance(15 * 60_000);
    upstream.respond("hashrate3d", replies.status(500));
    const stale = await network.hashrate();
    expect(stale.value).toEqual(fresh.value);
    expect(stale.source).toMatchObject({ status: "stale", fetchedAt: fresh.source.fetchedAt });
    expect(stale.source.fallback).toBeUndefined();
    expect(logger.lines).toContainEqual(
      expect.objectContaining({ level: "warn", fields: expect.objectContaining({ ageSeconds: 900 }) }),
    );
  });

  it("timeout -> stale when something is cached, snapshot when not, within the timeout", async () => {
    const { network, clock } = setup({ timeoutMs: 300 });
    await network.tipHeight();
    clock.advance(11 * 60_000);
    upstream.respond("tipHeight", replies.delayed(1500, replies.text("925801")));
    upstream.respond("rewardStats", replies.delayed(1500, replies.json(defaultPayloads.rewardStats)));

    let startedMs = performance.now();
    expect((await network.tipHeight()).source.status).toBe("stale");
    expect(performance.now() - startedMs).toBeLessThan(800);

    startedMs = performance.now();
    const reward = await network.rewardStats();
    expect(performance.now() - startedMs).toBeLessThan(800);
    expect(reward.source).toMatchObject({
      name: "Fees per block (bundled figure, 2025-11-29)",
      status: "snapshot",
      fallback: true,
      asOf: "2025-11-29",
    });
    expect(reward.value.feesPerBlockBtc).toBe(0.025);
    expect(reward.value.totalRewardBtc).toBeCloseTo(144 * (3.125 + 0.025), 10);
  });

  it.each([
    ["malformed JSON", replies.malformedJson()],
    ["difficulty 0", replies.json({ ...defaultPayloads.hashrate3d, currentDifficulty: 0 })],
    [
      "difficulty as a huge string",
      replies.json({ ...defaultPayloads.hashrate3d, currentDifficulty: "1e400" }),
    ],
    ["difficulty 1e400", replies.rawJson('{"currentHashrate":1,"currentDifficulty":1e400}')],
    ["negative hashrate", replies.json({ ...defaultPayloads.hashrate3d, currentHashrate: -1 })],
  ])("%s -> snapshot, never NaN or Infinity", async (_label, reply) => {
    upstream.respond("hashrate3d", reply);
    const { network } = setup();
    const answer = await network.hashrate();
    expect(answer.value).toEqual({ difficulty: 1.5e14, hashrateHs: 0 });
    expect(answer.source).toEqual({
      name: "Network difficulty",
      source: "mempool.space, snapshot",
      asOf: "2025-11-28",
      status: "snapshot",
      fallback: true,
    });
  });

  it("price: mempool missing (-1) -> CoinGecko; both failing -> snapshot", async () => {
    upstream.respond("prices", replies.json({ ...defaultPayloads.prices, USD: -1 }));
    const { network, host } = setup();
    const fromCoinGecko = await network.btcPriceUsd();
    expect(fromCoinGecko.value).toBe(91_180);
    expect(fromCoinGecko.source).toMatchObject({
      source: `${host} /simple/price`,
      asOf: "2025-11-30T23:59:50.000Z",
      status: "live",
    });

    const other = setup();
    upstream.respond("coingeckoPrice", replies.status(500));
    const fromSnapshot = await other.network.btcPriceUsd();
    expect(fromSnapshot.value).toBe(88_000);
    expect(fromSnapshot.source).toMatchObject({ status: "snapshot", fallback: true });
  });

  it("price: a hanging mempool is hedged with CoinGecko, so one slow upstream costs under a second", async () => {
    upstream.respond("prices", replies.delayed(5000, replies.json(defaultPayloads.prices)));
    const { network, host } = setup();
    const startedMs = performance.now();
    const price = await network.btcPriceUsd();
    expect(performance.now() - startedMs).toBeLessThan(1500);
    expect(price.value).toBe(91_180);
    expect(price.source).toMatchObject({ source: `${host} /simple/price`, status: "live" });
  });

  it.each([
    ["a price of 1e-320", replies.json({ ...defaultPayloads.prices, USD: 1e-320 })],
    ["a price of 1e300", replies.json({ ...defaultPayloads.prices, USD: 1e300 })],
  ])("price: %s is malformed, never Infinity in an answer", async (_label, reply) => {
    upstream.respond("prices", reply);
    upstream.respond("coingeckoPrice", replies.status(500));
    const { network } = setup();
    const price = await network.btcPriceUsd();
    expect(price.value).toBe(88_000);
    expect(price.source).toMatchObject({ status: "snapshot", fallback: true });
  });

  it("pools: an empty window (mining indexing off) is no data -> snapshot, not a crash", async () => {
    upstream.respond("pools1w", replies.json({ pools: [], blockCount: 0 }));
    const { network } = setup();
    const pools = await network.pools("1w");
    expect(pools.value.totalBlocks).toBe(308);
    expect(pools.source).toMatchObject({ status: "snapshot", fallback: true });
  });

  it("429 with Retry-After: nothing is sent to that host until it has passed", async () => {
    upstream.respond("hashrate3d", replies.rateLimited(120));
    const { network, clock } = setup({ withCoinGecko: false });
    expect((await network.hashrate()).source.status).toBe("snapshot");
    upstream.reset();

    clock.advance(60_000);
    expect((await network.hashrate()).source.status).toBe("snapshot");
    expect((await network.tipHeight()).source.status).toBe("snapshot");
    expect(upstream.totalRequests()).toBe(0);

    clock.advance(60_000);
    expect((await network.hashrate()).source.status).toBe("live");
    expect(upstream.requests("hashrate3d")).toBe(1);
  });

  it("unreachable host (closed port) -> snapshot well within the 2.5 s budget", async () => {
    const { network } = setup({
      mempoolUrl: `http://127.0.0.1:${await closedPort()}/api`,
      withCoinGecko: false,
    });
    const startedMs = performance.now();
    const answers = await Promise.all([
      network.btcPriceUsd(),
      network.hashrate(),
      network.rewardStats(),
      network.tipHeight(),
      network.difficultyAdjustment(),
      network.pools("1w"),
    ]);
    const elapsedMs = performance.now() - startedMs;
    expect(elapsedMs).toBeLessThan(2500);
    expect(answers.every((answer) => answer.source.status === "snapshot" && answer.source.fallback)).toBe(
      true,
    );

    const pools = answers[5]!.value as { totalBlocks: number };
    expect(pools.totalBlocks).toBe(308);
    const retarget = answers[4]!.value as { nextRetargetHeight: number; remainingBlocks: number };
    expect(retarget.nextRetargetHeight % 2016).toBe(0);
    expect(retarget.nextRetargetHeight - retarget.remainingBlocks).toBe(925_000);
  });
});
