/** What a digest says: every section from its command's data, with sources, age and staleness. */
import { describe, expect, it } from "vitest";
import { createCommandRegistry } from "../../commands/index.ts";
import { DIGEST_SECTIONS } from "../../src/core/index.ts";
import { createDigestContent } from "../../src/digest/content.ts";
import { renderText } from "../../src/render/text.ts";
import { memoryDeps, memoryNetwork, NOW } from "../support/memory-deps.ts";

const registry = createCommandRegistry();

describe("digest content", () => {
  it("has one field per section, in order, each with its sources and their age", async () => {
    const content = createDigestContent({ registry, deps: memoryDeps() });
    const reply = await content.build([...DIGEST_SECTIONS]);
    expect(reply.title).toBe("Decentra digest (preview)");
    expect(reply.fields.map((f) => f.name)).toEqual([
      "Network",
      "Cost to mine 1 BTC",
      "Where mining pays",
      "Concentration",
      "Edge AI outlook",
      "Which way each side moves",
    ]);
    const network = reply.fields[0]!.value;
    expect(network).toContain("BTC $90,000");
    expect(network).toMatch(/hashprice \$[\d.]+ per PH\/s per day/);
    expect(network).toContain("next difficulty adjustment +1.5% at block 927,360, in 1,008 blocks (~7 days)");
    expect(network).toContain("Sources: BTC price (live, 30 s old)");
    expect(network).toContain("Difficulty adjustment (live, 30 s old)");
    // Reference figures are cited in their own sections, not as network data.
    expect(network).not.toContain("Fleet-average efficiency");
    expect(reply.fields[2]!.value).toContain("Regional power prices (snapshot, as of 2018)");
    expect(reply.fields.every((f) => f.value.includes("\nSources: "))).toBe(true);
    expect(reply.warnings).toEqual([]);
    expect(reply.generatedAt).toBe(NOW.toISOString());
    expect(reply.data).toMatchObject({
      kind: "digest",
      sections: [...DIGEST_SECTIONS],
      stale: false,
      network: { btcPriceUsd: 90_000 },
    });
    // The plain-text renderer shows it without losing a section.
    expect(renderText(reply)).toContain("Edge AI outlook: Edge AI market");
  });

  it("marks stale data in the section and in the warnings", async () => {
    const content = createDigestContent({
      registry,
      deps: memoryDeps({ network: memoryNetwork({}, "stale") }),
    });
    const reply = await content.build(["network", "concentration"]);
    expect(reply.fields[0]!.value).toContain("BTC price (STALE, 30 s old)");
    expect(reply.warnings).toContain("BTC price is stale: last fetched 30 s ago (upstream unavailable).");
    expect(reply.warnings).toContain(
      "Pool blocks (1w) is stale: last fetched 30 s ago (upstream unavailable).",
    );
    expect(reply.warnings.filter((w) => w.startsWith("BTC price"))).toHaveLength(1);
    expect(reply.summary).toContain("Some figures are stale or from the bundled snapshot");
    expect(reply.data.stale).toBe(true);
  });

  it("says when the snapshot answered instead of live data", async () => {
    const content = createDigestContent({
      registry,
      deps: memoryDeps({ network: memoryNetwork({}, "snapshot") }),
    });
    const reply = await content.build(["network"]);
    expect(reply.fields[0]!.value).toContain("BTC price (SNAPSHOT FALLBACK");
    expect(reply.warnings.join(" ")).toContain("Live data unavailable, answered from the bundled snapshot");
  });

  it("shares one build per (scheduled time, sections) and runs each command once per build", async () => {
    const network = memoryNetwork();
    const content = createDigestContent({ registry, deps: memoryDeps({ network }) });
    const at = new Date("2026-11-24T08:00:00Z");
    const [a, b] = await Promise.all([
      content.forScheduledTime(at, ["network", "mining_cost"]),
      content.forScheduledTime(at, ["network", "mining_cost"]),
    ]);
    expect(a).toBe(b);
    expect(a.title).toBe("Decentra digest — 2026-11-24 08:00 UTC");
    expect(a.data.scheduledAt).toBe(at.toISOString());
    // network and mining_cost both come from one mining_cost run.
    expect(network.calls.filter((c) => c === "BTC price")).toHaveLength(1);
    await content.forScheduledTime(at, ["mining_cost"]);
    expect(network.calls.filter((c) => c === "BTC price")).toHaveLength(2);
  });
});

describe("digest trend section", () => {
  it("says which way each side moves, with the pool series' age and the bundled sources", async () => {
    const content = createDigestContent({ registry, deps: memoryDeps() });
    const reply = await content.build(["trend"]);
    expect(reply.fields.map((f) => f.name)).toEqual(["Which way each side moves"]);
    const text = reply.fields[0]!.value;
    // The memory pools hold one table every week and window: flat HHI → stable; the bundled models
    // give the AI side (its own test works the halving time by hand).
    expect(text).toContain("Mining: stable (pool HHI +0% a year");
    expect(text).toContain("AI: decentralizing; the size needed for GPT-3.5's MMLU halves every 4.6 months");
    expect(text).toContain("Weekly pool shares (3y) (live, 30 s old)");
    expect(text).toContain("Densing law (snapshot, as of 2025)");
    expect(reply.data.trend).toMatchObject({ verdict: { mining: "stable", ai: "decentralizing" } });
    expect(reply.warnings).toEqual([]);
  });
});
