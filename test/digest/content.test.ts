/** What a digest says: every section from its command's data, with sources, age and staleness. */
import { describe, expect, it } from "vitest";
import { createCommandRegistry } from "../../commands/index.ts";
import { DIGEST_SECTIONS } from "../../src/core/index.ts";
import { createDigestContent } from "../../src/digest/content.ts";
import { renderDiscord } from "../../src/render/discord.ts";
import { renderTelegramPhoto } from "../../src/render/telegram.ts";
import { renderText } from "../../src/render/text.ts";
import { checkTelegramHtml, visibleText } from "../support/fake-telegram.ts";
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
    // Each tariff is dated by its own document: the 2018 China reference no longer ages the others.
    expect(reply.fields[2]!.value).toContain("Power price, Canada (snapshot, as of 2025-04-01)");
    expect(reply.fields[2]!.value).toContain("Hashrate shares by country (snapshot, as of 2025-07)");
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

describe("digest as one post", () => {
  it("headline of key numbers, one figure per section, the cost-by-region chart, no fold", async () => {
    const content = createDigestContent({ registry, deps: memoryDeps() });
    const reply = await content.build([...DIGEST_SECTIONS]);
    expect(reply.headline).toMatch(
      /^Decentra digest \(preview\): BTC \$90,000, 1 BTC costs \$[\d,]+ to mine, cheapest Russia, pools' Nakamoto coefficient 3, edge AI \$66B by 2030\.$/,
    );
    expect(reply.headline!.length).toBeLessThanOrEqual(160);
    expect(reply.figures!.map((f) => f.label)).toEqual(reply.fields.map((f) => f.name));
    expect(reply.figures![0]!.value).toMatch(
      /^BTC \$90,000 · [\d,]+ EH\/s · hashprice \$[\d.]+\/PH\/s\/day · next adjustment \+1\.5%$/,
    );
    expect(reply.chart!.title).toBe("Electricity cost to mine 1 BTC by region (at a loss in orange)");
    const photo = renderTelegramPhoto(reply);
    expect(photo.messages).toEqual([]);
    expect(photo.caption.length).toBeLessThanOrEqual(1024);
    expect(photo.caption).not.toContain("blockquote");
    expect(checkTelegramHtml(photo.caption)).toBeUndefined();
    const discord = renderDiscord(reply, { imageUrl: "attachment://chart.png" });
    expect(discord.embeds).toHaveLength(1);
    expect(discord.embeds[0]!.image).toEqual({ url: "attachment://chart.png" });
  });

  it("says the data is old once for the whole post, not per section or per figure", async () => {
    const content = createDigestContent({
      registry,
      deps: memoryDeps({ network: memoryNetwork({}, "snapshot") }),
    });
    const reply = await content.build(["network", "mining_cost", "migration"]);
    const caption = visibleText(renderTelegramPhoto(reply).caption);
    // Once in the headline, once in the sources line.
    expect(caption.split("live data unavailable").length - 1).toBe(2);
    expect(caption).not.toMatch(/snapshot fallback/i);
    expect(reply.headline).toMatch(/\(on (\w{3} )?\d{4} data — live data unavailable\)\.$/);
  });

  it("pools only, when concentration is the section with the picture", async () => {
    const content = createDigestContent({ registry, deps: memoryDeps() });
    const reply = await content.build(["network", "concentration"]);
    expect(reply.chart!.panels).toHaveLength(1);
    expect(reply.chart!.panels[0]!.rules).toEqual([{ y: 50, label: "50%" }]);
  });
});

describe("digest preview through the command", () => {
  it("keeps the freshness note once when the finished digest passes finishReply again", async () => {
    const { finishReply } = await import("../../src/core/run.ts");
    const content = createDigestContent({
      registry,
      deps: memoryDeps({ network: memoryNetwork({}, "snapshot") }),
    });
    const reply = await content.build(["network"]);
    const again = finishReply(reply, reply.generatedAt);
    expect(again.headline).toBe(reply.headline);
    expect(again.headline!.split("live data unavailable")).toHaveLength(2);
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
