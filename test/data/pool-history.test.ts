/** Pool history: every /v1/mining/pools window and the weekly /v1/mining/hashrate/pools series, through
 * the real undici client, zod validation and the cache, against the fake mempool on 127.0.0.1. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createCache } from "../../src/data/cache.ts";
import { createHttpClient, UpstreamError } from "../../src/data/http.ts";
import { createMempoolClient } from "../../src/data/mempool.ts";
import { createNetworkData } from "../../src/data/network.ts";
import { snapshot } from "../../src/data/snapshot.ts";
import { createMemoryStore } from "../../src/data/store.ts";
import {
  defaultPayloads,
  FAKE_NETWORK,
  FAKE_WEEKS,
  type FakeUpstream,
  replies,
  startFakeUpstream,
} from "../support/fake-upstream.ts";
import { closedPort, manualClock, recordingLogger } from "./helpers.ts";

let upstream: FakeUpstream;
beforeAll(async () => {
  upstream = await startFakeUpstream();
});
afterAll(() => upstream.close());
beforeEach(() => upstream.reset());

const clientFor = (baseUrl: string) =>
  createMempoolClient({ baseUrl, http: createHttpClient({ clock: manualClock(), timeoutMs: 2000 }) });

function networkFor(baseUrl: string) {
  const clock = manualClock();
  const logger = recordingLogger();
  const http = createHttpClient({ clock, timeoutMs: 2000 });
  const cache = createCache({ store: createMemoryStore(), clock, logger });
  return createNetworkData({
    mempool: createMempoolClient({ baseUrl, http }),
    cache,
    snapshot,
    clock,
    logger,
  });
}

describe("mempool client: long pool windows", () => {
  it("reads /v1/mining/pools/3y like the short windows", async () => {
    const stats = await clientFor(upstream.mempoolUrl).pools("3y");
    // Foundry's weekly share falls linearly from 29.4 % (this week) to 17.4 % (156 weeks ago), so
    // its mean is 29.4 − 6 = 23.4 %: 0.234 × 1008 blocks × 156 weeks = 36,796.03 → 36,796 blocks.
    expect(stats.pools.find((p) => p.slug === "foundryusa")!.blockCount).toBe(36_796);
    expect(stats.totalBlocks).toBe(stats.pools.reduce((s, p) => s + p.blockCount, 0));
    expect(upstream.requests("pools3y")).toBe(1);
  });
});

describe("mempool client: weekly pool shares", () => {
  it("groups rows by week, oldest first, shares as fractions", async () => {
    const weeks = await clientFor(upstream.mempoolUrl).poolShareHistory("3y");
    expect(weeks).toHaveLength(FAKE_WEEKS);
    expect(weeks.at(-1)!.asOf).toBe(new Date(FAKE_NETWORK.priceTime * 1000).toISOString());
    expect(weeks[0]!.asOf).toBe(new Date((FAKE_NETWORK.priceTime - 155 * 604_800) * 1000).toISOString());
    // The last week is the 1w table: Foundry 294 of 1000 blocks.
    expect(weeks.at(-1)!.pools.find((p) => p.name === "Foundry USA")!.share).toBeCloseTo(0.294, 12);
    expect(weeks[0]!.pools.find((p) => p.name === "Foundry USA")!.share).toBeCloseTo(0.174, 12);
    for (const week of weeks) expect(week.pools.reduce((s, p) => s + p.share, 0)).toBeCloseTo(1, 9);
    expect(await clientFor(upstream.mempoolUrl).poolShareHistory("1y")).toHaveLength(52);
  });

  it.each([
    ["a share above 1", [{ timestamp: 1_764_547_200, avgHashrate: 1e20, share: 1.5, poolName: "A" }]],
    ["a negative share", [{ timestamp: 1_764_547_200, avgHashrate: 1e20, share: -0.1, poolName: "A" }]],
    ["a missing pool name", [{ timestamp: 1_764_547_200, avgHashrate: 1e20, share: 0.1 }]],
    ["an object instead of rows", { hashrates: [] }],
  ])("rejects %s as malformed", async (_label, body) => {
    upstream.respond("poolShares3y", replies.json(body));
    const error = await clientFor(upstream.mempoolUrl)
      .poolShareHistory("3y")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).kind).toBe("malformed");
  });

  it("rejects a week whose shares add up to more than 1, naming the week", async () => {
    const rows = [
      { timestamp: 1_764_547_200, avgHashrate: 1e20, share: 0.7, poolName: "A" },
      { timestamp: 1_764_547_200, avgHashrate: 1e20, share: 0.6, poolName: "B" },
    ];
    upstream.respond("poolShares3y", replies.json(rows));
    await expect(clientFor(upstream.mempoolUrl).poolShareHistory("3y")).rejects.toThrow(
      /week ending 1764547200 add up to 1\.300/,
    );
  });
});

describe("NetworkData.poolHistory", () => {
  it("every window longest first and the weekly series, live, then from the cache", async () => {
    const network = networkFor(upstream.mempoolUrl);
    const history = await network.poolHistory();
    expect(history.windows.map((w) => w.window)).toEqual(["3y", "2y", "1y", "6m", "3m", "1m", "1w"]);
    expect(history.windows.every((w) => w.source.status === "live")).toBe(true);
    expect(history.windows[0]!.source.source).toMatch(/\/v1\/mining\/pools\/3y$/);
    expect(history.weekly!.value).toHaveLength(FAKE_WEEKS);
    expect(history.weekly!.source).toMatchObject({ name: "Weekly pool shares (3y)", status: "live" });
    expect(history.missing).toEqual([]);

    const before = upstream.totalRequests();
    const again = await network.poolHistory();
    expect(upstream.totalRequests()).toBe(before);
    expect(again.windows.every((w) => w.source.status === "cached")).toBe(true);
  });

  it("upstream down: 1w and 1m fall back to the snapshot (labelled), the rest is named missing", async () => {
    const network = networkFor(`http://127.0.0.1:${await closedPort()}/api`);
    const history = await network.poolHistory("2y");
    expect(history.windows.map((w) => [w.window, w.source.status, w.source.fallback])).toEqual([
      ["1m", "snapshot", true],
      ["1w", "snapshot", true],
    ]);
    expect(history.weekly).toBeUndefined();
    expect(history.missing).toEqual([
      "pools 3y: upstream unavailable and no bundled figure",
      "pools 2y: upstream unavailable and no bundled figure",
      "pools 1y: upstream unavailable and no bundled figure",
      "pools 6m: upstream unavailable and no bundled figure",
      "pools 3m: upstream unavailable and no bundled figure",
      "weekly pool shares (2y): upstream unavailable and no bundled figure",
    ]);
  });

  it("one broken window is missing; the others still answer", async () => {
    upstream.respond("pools2y", replies.json({ ...defaultPayloads.pools2y, blockCount: 0 }));
    const history = await networkFor(upstream.mempoolUrl).poolHistory();
    expect(history.windows.map((w) => w.window)).toEqual(["3y", "1y", "6m", "3m", "1m", "1w"]);
    expect(history.missing).toEqual(["pools 2y: upstream unavailable and no bundled figure"]);
  });
});
