import { describe, expect, it } from "vitest";
import type { KeyValueStore } from "../../src/core/ports.ts";
import { createCache } from "../../src/data/cache.ts";
import { UpstreamError } from "../../src/data/http.ts";
import { createMemoryStore } from "../../src/data/store.ts";
import { manualClock, recordingLogger } from "./helpers.ts";

function setup(store: KeyValueStore = createMemoryStore()) {
  const clock = manualClock();
  const logger = recordingLogger();
  const cache = createCache({ store, clock, logger, failureBackoffMs: 5_000 });
  let calls = 0;
  let next: () => Promise<number> = async () => 42;
  const fetch = () => {
    calls += 1;
    return next();
  };
  return {
    cache,
    clock,
    logger,
    fetch,
    calls: () => calls,
    willReturn: (make: () => Promise<number>) => {
      next = make;
    },
  };
}

const failing = async (): Promise<number> => {
  throw new UpstreamError("http", "http://127.0.0.1/x", "unexpected status", 500);
};

describe("createCache", () => {
  it("miss -> fetch -> live; within TTL -> cached without fetching; after TTL -> live again", async () => {
    const t = setup();
    const first = await t.cache.cached("k", 60_000, t.fetch);
    expect(first).toEqual({ value: 42, fetchedAt: t.clock.now(), status: "live" });

    t.clock.advance(59_000);
    expect(await t.cache.cached("k", 60_000, t.fetch)).toMatchObject({ value: 42, status: "cached" });
    expect(t.calls()).toBe(1);

    t.clock.advance(1_000);
    t.willReturn(async () => 43);
    expect(await t.cache.cached("k", 60_000, t.fetch)).toMatchObject({ value: 43, status: "live" });
    expect(t.calls()).toBe(2);
  });

  it("concurrent misses for one key share one fetch", async () => {
    const t = setup();
    t.willReturn(() => new Promise((resolve) => setTimeout(() => resolve(7), 30)));
    const results = await Promise.all(Array.from({ length: 25 }, () => t.cache.cached("k", 60_000, t.fetch)));
    expect(t.calls()).toBe(1);
    expect(results.every((result) => result?.value === 7 && result.status === "live")).toBe(true);
    // Different keys do not share.
    await Promise.all([t.cache.cached("a", 1, t.fetch), t.cache.cached("b", 1, t.fetch)]);
    expect(t.calls()).toBe(3);
  });

  it("failure with an old entry -> stale with its original fetchedAt, logged as warn", async () => {
    const t = setup();
    const fetchedAt = t.clock.now();
    await t.cache.cached("k", 60_000, t.fetch);
    t.clock.advance(5 * 60_000);
    t.willReturn(failing);
    expect(await t.cache.cached("k", 60_000, t.fetch)).toEqual({ value: 42, fetchedAt, status: "stale" });
    const warning = t.logger.lines.find((line) => line.level === "warn");
    expect(warning?.fields).toMatchObject({ key: "k", ageSeconds: 300 });
    expect(String(warning?.fields?.error)).toContain("http");
  });

  it("failure with nothing stored -> null", async () => {
    const t = setup();
    t.willReturn(failing);
    expect(await t.cache.cached("k", 60_000, t.fetch)).toBeNull();
    expect(t.logger.lines.some((line) => line.level === "warn")).toBe(true);
  });

  it("after a failure it does not ask the upstream again during the back-off", async () => {
    const t = setup();
    t.willReturn(failing);
    await t.cache.cached("k", 60_000, t.fetch);
    await t.cache.cached("k", 60_000, t.fetch);
    expect(t.calls()).toBe(1);
    t.clock.advance(5_000);
    t.willReturn(async () => 1);
    expect(await t.cache.cached("k", 60_000, t.fetch)).toMatchObject({ value: 1, status: "live" });
    expect(t.calls()).toBe(2);
  });

  it("peek reports cached or stale without fetching", async () => {
    const t = setup();
    expect(await t.cache.peek("k", 60_000)).toBeNull();
    await t.cache.cached("k", 60_000, t.fetch);
    expect(await t.cache.peek("k", 60_000)).toMatchObject({ status: "cached" });
    t.clock.advance(60_000);
    expect(await t.cache.peek("k", 60_000)).toMatchObject({ status: "stale" });
    expect(t.calls()).toBe(1);
  });

  it("a broken store degrades to fetching live", async () => {
    const broken: KeyValueStore = {
      ...createMemoryStore(),
      get: async () => {
        throw new Error("store down");
      },
      set: async () => {
        throw new Error("store down");
      },
    };
    const t = setup(broken);
    expect(await t.cache.cached("k", 60_000, t.fetch)).toMatchObject({ value: 42, status: "live" });
  });

  it("survives a restart: a new cache over the same store still has the value", async () => {
    const store = createMemoryStore();
    const t = setup(store);
    await t.cache.cached("k", 60_000, t.fetch);
    const restarted = createCache({ store, clock: t.clock, logger: t.logger });
    expect(await restarted.cached("k", 60_000, failing)).toMatchObject({ value: 42, status: "cached" });
  });
});
