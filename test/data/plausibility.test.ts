/** Extreme but schema-shaped upstream values are the upstream's fault: they fail as upstream errors
 * (the answer falls back and says so), are never cached as live, and never blame the user's inputs.
 * And a huge Retry-After keeps a dataset away from its upstream for 5 minutes at most. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createCommandRegistry } from "../../commands/index.ts";
import { runTextLine } from "../../src/core/index.ts";
import { createCache } from "../../src/data/cache.ts";
import { createHttpClient, MAX_RETRY_AFTER_MS } from "../../src/data/http.ts";
import { createMempoolClient } from "../../src/data/mempool.ts";
import { createNetworkData } from "../../src/data/network.ts";
import { snapshot } from "../../src/data/snapshot.ts";
import { createMemoryStore } from "../../src/data/store.ts";
import { defaultPayloads, type FakeUpstream, replies, startFakeUpstream } from "../support/fake-upstream.ts";
import { memoryDeps } from "../support/memory-deps.ts";
import { manualClock, recordingLogger } from "./helpers.ts";

let upstream: FakeUpstream;
beforeAll(async () => {
  upstream = await startFakeUpstream();
});
afterEach(() => upstream.reset());
afterAll(() => upstream.close());

function setup() {
  const clock = manualClock();
  const logger = recordingLogger();
  const http = createHttpClient({ clock, timeoutMs: 1000 });
  const mempool = createMempoolClient({ baseUrl: upstream.mempoolUrl, http });
  const cache = createCache({ store: createMemoryStore(), clock, logger });
  const network = createNetworkData({ mempool, cache, snapshot, clock, logger });
  return { network, clock };
}

describe("implausible upstream values", () => {
  it("tip height 100,000,000 with zero fees: upstream errors, snapshot answers, nothing cached as live", async () => {
    upstream.respond("tipHeight", replies.text("100000000"));
    upstream.respond(
      "rewardStats",
      replies.json({
        ...defaultPayloads.rewardStats,
        startBlock: 99_999_857,
        endBlock: 100_000_000,
        totalReward: "0",
        totalFee: "0",
      }),
    );
    const { network, clock } = setup();
    const height = await network.tipHeight();
    expect(height.source.status).toBe("snapshot");
    expect(height.value).toBe(snapshot.network.tipHeight.value);
    const rewards = await network.rewardStats();
    expect(rewards.source.status).toBe("snapshot");

    // The command answers from the snapshot, labelled, and does not blame fees_btc.
    const deps = memoryDeps({ network, clock });
    const reply = await runTextLine(createCommandRegistry(), "/mining_cost paraguay", {
      deps,
      invocation: { platform: "cli", chatId: "console", canManage: true },
    });
    expect(reply?.error).toBeUndefined();
    expect(JSON.stringify(reply)).not.toContain("fees_btc above 0");
    expect(reply?.warnings.join(" ")).toContain("bundled snapshot");

    // Once the upstream is sane again, the next read past the back-off is live: nothing bad was kept.
    upstream.reset();
    clock.advance(11_000);
    expect((await network.tipHeight()).source.status).toBe("live");
  });

  it("a height just below the last subsidised block is accepted (a test chain may be far ahead)", async () => {
    upstream.respond("tipHeight", replies.text("6929999"));
    const { network } = setup();
    const height = await network.tipHeight();
    expect(height).toMatchObject({ value: 6_929_999, source: { status: "live" } });
  });
});

describe("a huge Retry-After", () => {
  it("keeps the origin blocked for 5 minutes, not an hour", async () => {
    upstream.respond("tipHeight", replies.rateLimited(99_999_999));
    const { network, clock } = setup();
    expect((await network.tipHeight()).source.status).toBe("snapshot");
    upstream.reset();
    // 5 min = 300,000 ms: one ms short of it the origin is still blocked (no request is sent) ...
    clock.advance(MAX_RETRY_AFTER_MS - 1);
    const before = upstream.requests("tipHeight");
    expect((await network.tipHeight()).source.status).toBe("snapshot");
    expect(upstream.requests("tipHeight")).toBe(before);
    // ... and once that last failed read's own 10 s cache back-off is over (at 310 s, far from the
    // old 3,600 s), the upstream is asked again.
    clock.advance(10_000);
    expect((await network.tipHeight()).source.status).toBe("live");
    expect(MAX_RETRY_AFTER_MS).toBe(300_000);
  });
});
