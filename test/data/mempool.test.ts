import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createCoinGeckoClient } from "../../src/data/coingecko.ts";
import { createHttpClient, UpstreamError } from "../../src/data/http.ts";
import { createMempoolClient, type MempoolClient } from "../../src/data/mempool.ts";
import {
  defaultPayloads,
  FAKE_NETWORK,
  type FakeReply,
  type FakeUpstream,
  type RouteName,
  replies,
  startFakeUpstream,
} from "../support/fake-upstream.ts";
import { manualClock } from "./helpers.ts";

let upstream: FakeUpstream;
let mempool: MempoolClient;
beforeAll(async () => {
  upstream = await startFakeUpstream();
  mempool = createMempoolClient({
    baseUrl: upstream.mempoolUrl,
    http: createHttpClient({ clock: manualClock() }),
  });
});
afterAll(() => upstream.close());
beforeEach(() => upstream.reset());

describe("createMempoolClient maps each route to the port types", () => {
  it("prices: USD and the update time (seconds -> Date)", async () => {
    expect(await mempool.prices()).toEqual({ usd: 91_250, time: new Date("2025-12-01T00:00:00Z") });
  });

  it("hashrate3d: current difficulty and hashrate", async () => {
    expect(await mempool.hashrate3d()).toEqual({
      difficulty: FAKE_NETWORK.difficulty,
      hashrateHs: FAKE_NETWORK.hashrateHs,
    });
  });

  it("difficultyAdjustment: renamed fields, retarget date in ms", async () => {
    expect(await mempool.difficultyAdjustment()).toEqual({
      progressPercent: 22.62,
      difficultyChangePct: 1.84,
      estimatedRetargetMs: 1_765_483_200_000,
      remainingBlocks: 1560,
      nextRetargetHeight: 927_360,
    });
  });

  it("difficultyAdjustment: a retarget date in seconds (as in the API docs) is read as seconds", async () => {
    upstream.respond(
      "difficultyAdjustment",
      replies.json({ ...defaultPayloads.difficultyAdjustment, estimatedRetargetDate: 1_765_483_200 }),
    );
    expect((await mempool.difficultyAdjustment()).estimatedRetargetMs).toBe(1_765_483_200_000);
  });

  it("rewardStats: string sums in sats -> BTC, fees per block", async () => {
    const stats = await mempool.rewardStats();
    expect(stats.blockCount).toBe(144);
    expect(stats.totalFeeBtc).toBeCloseTo(144 * 0.02998936, 10);
    expect(stats.totalRewardBtc).toBeCloseTo(144 * (3.125 + 0.02998936), 10);
    expect(stats.feesPerBlockBtc).toBeCloseTo(0.02998936, 12);
    expect(stats.endHeight).toBe(FAKE_NETWORK.tipHeight);
  });

  it("pools: name, slug and blocks; Unknown stays a pool; total from the response", async () => {
    const stats = await mempool.pools("1w");
    expect(stats.totalBlocks).toBe(defaultPayloads.pools1w.blockCount);
    expect(stats.pools[0]).toEqual({ name: "Foundry USA", slug: "foundryusa", blockCount: 294 });
    expect(stats.pools).toContainEqual({ name: "Unknown", slug: "unknown", blockCount: 12 });
    expect((await mempool.pools("1m")).totalBlocks).toBe(defaultPayloads.pools1m.blockCount);
  });

  it("tipHeight: plain-text integer", async () => {
    expect(await mempool.tipHeight()).toBe(925_800);
  });

  it("describe names the configured host, not always mempool.space", () => {
    expect(mempool.describe("/v1/prices")).toBe(`${new URL(upstream.url).host} /v1/prices`);
  });
});

/** Each case: a route, a hostile or broken answer, and the call that must reject as malformed. */
const hostile: Array<[string, RouteName, FakeReply, (client: MempoolClient) => Promise<unknown>]> = [
  ["price missing (-1)", "prices", replies.json({ ...defaultPayloads.prices, USD: -1 }), (c) => c.prices()],
  ["price 0", "prices", replies.json({ ...defaultPayloads.prices, USD: 0 }), (c) => c.prices()],
  ["price as string", "prices", replies.json({ ...defaultPayloads.prices, USD: "91250" }), (c) => c.prices()],
  ["price 1e400 (Infinity)", "prices", replies.rawJson('{"time":1764547200,"USD":1e400}'), (c) => c.prices()],
  ["price time missing", "prices", replies.json({ USD: 91_250 }), (c) => c.prices()],
  ["truncated JSON", "prices", replies.malformedJson(), (c) => c.prices()],
  ["array instead of object", "prices", replies.json([1, 2, 3]), (c) => c.prices()],
  ["null body", "prices", replies.json(null), (c) => c.prices()],
  [
    "difficulty 0 (Core down)",
    "hashrate3d",
    replies.json({ ...defaultPayloads.hashrate3d, currentDifficulty: 0, currentHashrate: 0 }),
    (c) => c.hashrate3d(),
  ],
  [
    "negative hashrate",
    "hashrate3d",
    replies.json({ ...defaultPayloads.hashrate3d, currentHashrate: -5 }),
    (c) => c.hashrate3d(),
  ],
  [
    "difficulty 1e400",
    "hashrate3d",
    replies.rawJson('{"currentHashrate":1e21,"currentDifficulty":1e400}'),
    (c) => c.hashrate3d(),
  ],
  [
    "totalFee '1e400'",
    "rewardStats",
    replies.json({ ...defaultPayloads.rewardStats, totalFee: "1e400" }),
    (c) => c.rewardStats(),
  ],
  [
    "totalReward '-5'",
    "rewardStats",
    replies.json({ ...defaultPayloads.rewardStats, totalReward: "-5" }),
    (c) => c.rewardStats(),
  ],
  [
    "totalReward ' 12'",
    "rewardStats",
    replies.json({ ...defaultPayloads.rewardStats, totalReward: " 12" }),
    (c) => c.rewardStats(),
  ],
  [
    "totalReward beyond 2^53",
    "rewardStats",
    replies.json({ ...defaultPayloads.rewardStats, totalReward: "9999999999999999" }),
    (c) => c.rewardStats(),
  ],
  [
    "fees above reward",
    "rewardStats",
    replies.json({ ...defaultPayloads.rewardStats, totalFee: "9".repeat(15) }),
    (c) => c.rewardStats(),
  ],
  [
    "end before start",
    "rewardStats",
    replies.json({ ...defaultPayloads.rewardStats, startBlock: 10, endBlock: 5 }),
    (c) => c.rewardStats(),
  ],
  [
    "negative pool blocks",
    "pools1w",
    replies.json({ ...defaultPayloads.pools1w, pools: [{ name: "X", slug: "x", blockCount: -1 }] }),
    (c) => c.pools("1w"),
  ],
  [
    "pool blocks above the total",
    "pools1w",
    replies.json({ ...defaultPayloads.pools1w, blockCount: 10 }),
    (c) => c.pools("1w"),
  ],
  ["pools not an array", "pools1w", replies.json({ pools: "many", blockCount: 1 }), (c) => c.pools("1w")],
  [
    "progress above 100 %",
    "difficultyAdjustment",
    replies.json({ ...defaultPayloads.difficultyAdjustment, progressPercent: 250 }),
    (c) => c.difficultyAdjustment(),
  ],
  ["tip height not a number", "tipHeight", replies.text("<html>oops</html>"), (c) => c.tipHeight()],
  ["tip height negative", "tipHeight", replies.text("-1"), (c) => c.tipHeight()],
  ["tip height 1e400", "tipHeight", replies.text("1e400"), (c) => c.tipHeight()],
];

describe("createMempoolClient rejects hostile or broken answers as malformed", () => {
  it.each(hostile)("%s", async (_label, route, reply, call) => {
    upstream.respond(route, reply);
    const error = await call(mempool).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ kind: "malformed" });
  });

  it("accepts a tip height with a trailing newline", async () => {
    upstream.respond("tipHeight", replies.text("925801\n"));
    expect(await mempool.tipHeight()).toBe(925_801);
  });
});

describe("createCoinGeckoClient", () => {
  it("reads the USD price and last update (seconds -> ms), sending the demo key as a header", async () => {
    const http = createHttpClient({ clock: manualClock() });
    const coingecko = createCoinGeckoClient({ baseUrl: upstream.coingeckoUrl, apiKey: "CG-demo-key", http });
    expect(await coingecko.btcPriceUsd()).toEqual({ usd: 91_180, lastUpdatedAt: 1_764_547_190_000 });
    const request = upstream.lastRequest("coingeckoPrice");
    expect(request?.headers["x-cg-demo-api-key"]).toBe("CG-demo-key");
    expect(request?.url).toBe(
      "/api/v3/simple/price?ids=bitcoin&vs_currencies=usd&include_last_updated_at=true",
    );
  });

  it("sends no key header without a key, and rejects a missing price", async () => {
    const http = createHttpClient({ clock: manualClock() });
    const coingecko = createCoinGeckoClient({ baseUrl: upstream.coingeckoUrl, http });
    upstream.respond("coingeckoPrice", replies.json({ bitcoin: {} }));
    await expect(coingecko.btcPriceUsd()).rejects.toMatchObject({ kind: "malformed" });
    expect(upstream.lastRequest("coingeckoPrice")?.headers["x-cg-demo-api-key"]).toBeUndefined();
  });

  it("keeps the key out of errors", async () => {
    const http = createHttpClient({ clock: manualClock() });
    const coingecko = createCoinGeckoClient({ baseUrl: upstream.coingeckoUrl, apiKey: "CG-SECRET", http });
    upstream.respond("coingeckoPrice", replies.rateLimited(60));
    const error = (await coingecko.btcPriceUsd().catch((caught: unknown) => caught)) as UpstreamError;
    expect(error.kind).toBe("rate_limited");
    expect(`${error.message} ${error.url}`).not.toContain("CG-SECRET");
  });
});
