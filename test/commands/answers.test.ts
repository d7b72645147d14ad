/** The other commands through the text grammar, with in-memory network data and the real snapshot. */
import { describe, expect, it } from "vitest";
import { createCommandRegistry } from "../../commands/index.ts";
import { HEADLINE_MAX, runTextLine } from "../../src/core/index.ts";
import { embedLength, renderDiscord } from "../../src/render/discord.ts";
import { escapeHtml, renderTelegram, renderTelegramPhoto } from "../../src/render/telegram.ts";
import { renderText, sourcesLine } from "../../src/render/text.ts";
import { checkTelegramHtml, visibleText } from "../support/fake-telegram.ts";
import { consoleInvocation, memoryDeps, memoryNetwork } from "../support/memory-deps.ts";

const registry = createCommandRegistry();
const ask = async (line: string, deps = memoryDeps()) =>
  (await runTextLine(registry, line, { deps, invocation: consoleInvocation }))!;

interface Layer {
  nakamotoCoefficient: number | null;
  hhi: number;
  entities: { name: string; sharePct: number }[];
  lowerBound: boolean;
}

describe("concentration", () => {
  it("pools: Unknown counts in the total but is not an entity (worked by hand)", async () => {
    // 1000 blocks: Foundry 300, AntPool 200, F2Pool 200, Binance Pool 100, ViaBTC 100, Unknown 100.
    // Shares 30, 20, 20, 10, 10 %; top 2 = 50% is not more than half, top 3 = 70% → Nakamoto 3.
    // HHI = 30² + 20² + 20² + 10² + 10² = 900 + 400 + 400 + 100 + 100 = 1,900 (Unknown not summed).
    const reply = await ask("/concentration pools");
    const pools = (reply.data.layers as Record<string, Layer>).pools!;
    expect(pools.nakamotoCoefficient).toBe(3);
    expect(pools.hhi).toBeCloseTo(1900, 6);
    expect(pools.entities.map((e) => e.name)).toEqual([
      "Foundry USA",
      "AntPool",
      "F2Pool",
      "Binance Pool",
      "ViaBTC",
    ]);
    expect(pools.lowerBound).toBe(false);
    expect(reply.fields[0]!.value).toContain("highly concentrated");
  });

  it("pools grouped by AntPool's template", async () => {
    // AntPool 200 + Binance Pool 100 = 300 → shares 30, 30, 20, 10: top 2 = 60% → Nakamoto 2.
    // HHI = 30² + 30² + 20² + 10² = 900 + 900 + 400 + 100 = 2,300.
    const reply = await ask("/concentration pools grouped=true");
    const pools = (reply.data.layers as Record<string, Layer>).pools!;
    expect(pools.nakamotoCoefficient).toBe(2);
    expect(pools.hhi).toBeCloseTo(2300, 6);
  });

  it("countries and makers from the snapshot; makers are a lower bound", async () => {
    // Countries (Texas is inside the US share): 37.8, 15.5, 14, 4, 3.54, 2.99, 2.935, 2.8, 2.484, 2 %.
    // 37.8 + 15.5 = 53.3% > 50% → Nakamoto 2.
    // HHI = 1428.84 + 240.25 + 196 + 16 + 12.5316 + 8.9401 + 8.614225 + 7.84 + 6.170256 + 4 = 1,929.186181
    // Makers: Bitmain 82% → Nakamoto 1; HHI ≥ 82² = 6,724 (MicroBT and Canaan unsplit).
    const reply = await ask("/concentration all");
    const layers = reply.data.layers as Record<string, Layer>;
    expect(layers.countries!.nakamotoCoefficient).toBe(2);
    expect(layers.countries!.hhi).toBeCloseTo(1929.186181, 4);
    expect(layers.makers!).toMatchObject({ nakamotoCoefficient: 1, lowerBound: true });
    expect(layers.makers!.hhi).toBeCloseTo(6724, 6);
    expect(reply.summary).toContain("HHI 6,724 (at least)");
  });

  it("refuses an unknown layer with the allowed ones", async () => {
    const reply = await ask("/concentration layer=miners");
    expect(reply.error?.code).toBe("invalid_value");
    expect(reply.summary).toContain("Allowed: all, pools, countries, makers");
  });
});

describe("edge_ai", () => {
  it("projects the 2025–2033 series and gives the range across same-scope forecasts", async () => {
    // CAGR = (118.69 / 24.91)^(1/8) − 1 = 4.764753^(0.125) − 1 = 0.2155002
    // 2030: 24.91 × 1.2155002^5 = 24.91 × 2.653232 = 66.092 $B
    // Same scope (edge AI total): 2024–2030 series ends at 66.5 in 2030; 2022–2030 series at 107 → range 66.09–107.
    const reply = await ask("/edge_ai 2030");
    expect(reply.data.cagr).toBeCloseTo(0.2155002, 6);
    expect(reply.data.valueUsdB).toBeCloseTo(66.092, 2);
    expect(reply.data.extrapolated).toBe(false);
    const range = reply.data.range as { lowUsdB: number; highUsdB: number; count: number };
    expect(range.count).toBe(3);
    expect(range.lowUsdB).toBeCloseTo(66.092, 2);
    expect(range.highUsdB).toBeCloseTo(107, 9);
    expect(reply.table!.rows).toHaveLength(3);
  });

  it("labels years outside the forecast as extrapolated", async () => {
    // 2040: 24.91 × 1.2155002^15 = 24.91 × 18.6775 ≈ 465.3 $B, beyond 2033.
    const reply = await ask("/edge_ai year=2040");
    expect(reply.data.extrapolated).toBe(true);
    expect(reply.data.valueUsdB).toBeCloseTo(24.91 * 1.2155002 ** 15, 0);
    expect(reply.summary).toContain("extrapolated");
  });

  it("never mixes scopes: the chips forecast has its own range", async () => {
    const reply = await ask("/edge_ai 2030 forecast=edge_ai_chips_gvr_2025");
    expect(reply.data.range).toMatchObject({ count: 1 });
  });

  it("names the known forecasts for an unknown id", async () => {
    const reply = await ask("/edge_ai 2030 forecast=nope");
    expect(reply.summary).toContain("Known: edge_ai_gvr_2025");
  });
});

describe("edge_fit", () => {
  it("Llama 3.1 8B on an RTX 4090 (worked by hand)", async () => {
    // weights = 8.03e9 × 0.6 B = 4.818 GB; KV = 2 × 32 × 8 × 128 × 4096 × 2 B = 536,870,912 B = 0.5369 GB
    // total = 4.818 + 0.5369 + 0.5 overhead = 5.8549 GB ≤ 23.5 usable → fits
    // tokens/s ≈ 0.6 × 1008 GB/s ÷ 4.818 GB = 125.53; fp16 (16.06 + 0.54 + 0.5 = 17.1 GB) also fits → best fp16
    const reply = await ask("/edge_fit llama_3_1_8b rtx_4090");
    expect(reply.data.weightsGb).toBeCloseTo(4.818, 6);
    expect(reply.data.kvCacheGb).toBeCloseTo(0.536870912, 9);
    expect(reply.data.totalGb).toBeCloseTo(5.854870912, 9);
    expect(reply.data.fits).toBe(true);
    expect(reply.data.tokensPerSecond).toBeCloseTo(125.529, 2);
    expect(reply.data.bestQuant).toBe("fp16");
  });

  it("with raw memory and bandwidth instead of a device", async () => {
    // 70B at q4_k_m: 70.6e9 × 0.6 = 42.36 GB of weights alone > 16 GB → does not fit, no quant fits.
    const reply = await ask("/edge_fit llama_3_1_70b ram_gb=16 bandwidth_gbs=100");
    expect(reply.data.fits).toBe(false);
    expect(reply.data.bestQuant).toBeNull();
    expect(reply.data.maxContext).toBe(0);
    expect(reply.summary).toContain("does not fit");
  });

  it.each([
    ["/edge_fit", "Name a model or give params_b"],
    ["/edge_fit llama_3_1_8b", "Name a device, or give both ram_gb and bandwidth_gbs"],
    ["/edge_fit llama_3_1_8b rtx_4090 quant=q3", "Allowed: fp16, q8_0, q4_k_m"],
    ["/edge_fit lama_3_1_8b rtx_4090", "Did you mean llama_3_1_8b?"],
    ["/edge_fit phi_3_mini rtx_4090 context=100000", "supports at most 4,096 tokens"],
  ])("%s → %s", async (line, message) => {
    const reply = await ask(line);
    expect(reply.error).toBeDefined();
    expect(reply.summary).toContain(message);
  });
});

describe("migration", () => {
  it("ranks regions cheapest first and flags those under water", async () => {
    const reply = await ask("/migration");
    const regions = reply.data.regions as {
      id: string;
      costPerBtcUsd: number;
      underwater: boolean;
      usdPerKwh: number;
    }[];
    const costs = regions.map((r) => r.costPerBtcUsd);
    expect(costs).toEqual([...costs].sort((a, b) => a - b));
    // Cost per BTC is linear in the power price at 28.2 J/TH, no pool fee: 1,660,057 kWh × $/kWh.
    for (const r of regions) expect(r.costPerBtcUsd).toBeCloseTo(1_660_057 * r.usdPerKwh, -1);
    for (const r of regions) expect(r.underwater).toBe(r.costPerBtcUsd > 90_000);
  });

  it("moves hashrate between countries and reports before and after (worked by hand)", async () => {
    // Network = 155.97e12 × 2^32 / 600 = 1,116.48 EH/s. US 37.8% = 422.03 EH/s; Paraguay 4% = 44.66 EH/s.
    // Move 100 EH/s: US 322.03 (28.84%), Paraguay 144.66 (12.96%).
    // Country HHI before = 1,929.19 (see concentration test); after: US 28.843², Paraguay 12.957²:
    // 1929.19 − 1428.84 − 16 + 831.92 + 167.88 = 1,484.15; Nakamoto: 28.84 + 15.5 + 14 = 58.3 → 3 (was 2).
    const reply = await ask("/migration from=us_average to=paraguay ehs=100");
    const scenario = reply.data.scenario as {
      movedEhs: number;
      before: { hhi: number; nakamotoCoefficient: number };
      after: { hhi: number; nakamotoCoefficient: number; avgCostPerBtcUsd: number };
    };
    expect(scenario.movedEhs).toBe(100);
    expect(scenario.before.hhi).toBeCloseTo(1929.19, 1);
    expect(scenario.after.hhi).toBeCloseTo(1484.15, 0);
    expect(scenario.before.nakamotoCoefficient).toBe(2);
    expect(scenario.after.nakamotoCoefficient).toBe(3);
  });

  it.each([
    ["/migration from=texas", "A what-if needs both from and to"],
    ["/migration from=paraguay to=paraguay ehs=1", "from and to are the same region"],
    ["/migration from=ethiopia to=paraguay ehs=500", "Ethiopia has about 22.3 EH/s"],
    ["/migration from=ethiopia to=paraguay", "A what-if needs ehs"],
  ])("%s → %s", async (line, message) => {
    const reply = await ask(line);
    expect(reply.error).toBeDefined();
    expect(reply.summary).toContain(message);
  });
});

describe("help and sources", () => {
  it("help lists every command with an example; /start is help", async () => {
    const reply = await ask("/start");
    expect(reply.fields.map((f) => f.name)).toEqual(registry.commands.map((c) => `/${c.name}`));
  });

  it("help for one command lists its options and what they allow", async () => {
    const reply = await ask("/help mining_cost");
    const pue = reply.fields.find((f) => f.name === "pue")!;
    expect(pue.value).toContain("A number from 1 to 3");
  });

  it("suggests a command for a typo", async () => {
    const reply = await ask("/minig_cost");
    expect(reply.error?.code).toBe("unknown_command");
    expect(reply.summary).toContain("Did you mean /mining_cost?");
  });

  it("sources lists live datasets and every bundled dataset with its date", async () => {
    const reply = await ask("/sources");
    const datasets = reply.data.datasets as { name: string; status: string; asOf: string }[];
    expect(datasets[0]).toMatchObject({ name: "BTC price", status: "live" });
    expect(datasets.filter((d) => d.status === "snapshot").length).toBeGreaterThanOrEqual(9);
    for (const d of datasets) expect(Number.isNaN(Date.parse(d.asOf))).toBe(false);
  });
});

describe("inputs that once slipped through", () => {
  it.each([
    ["/mining_cost difficulty=1e19", "Invalid difficulty: must be a number from 1 to 1000000000000000000"],
    ["/mining_cost price=1e308", "Invalid price"],
    ["/mining_cost height=7000000 fees_btc=0", "the subsidy is 0"],
    ["/migration from=texas to=paraguay ehs=1", "Texas (US) has no hashrate share of its own"],
    ["/migration from=us_average to=texas ehs=1", "use to=us_average"],
    ["/migration ehs=5", "ehs and share belong to a what-if"],
    ["/edge_fit llama_3_1_8b rtx_4090 params_b=70", "Give model or params_b, not both"],
    ["/edge_ai forecast=edge_ai_gvr2025", "Did you mean edge_ai_gvr_2025?"],
  ])("%s → %s", async (line, message) => {
    const reply = await ask(line);
    expect(reply.error?.code).not.toBe("internal");
    expect(reply.summary).toContain(message);
  });

  it("an unlisted model's context is bounded by memory, not by the stand-in model's limit", async () => {
    // 14B at q4_k_m = 8.4 GB of weights; with 64 GB the stand-in's 8,192-token limit must not apply.
    const reply = await ask("/edge_fit params_b=14 ram_gb=64 bandwidth_gbs=100 context=32768");
    expect(reply.error).toBeUndefined();
    expect(reply.data.maxContext as number).toBeGreaterThan(32_768);
  });

  it("an efficiency given with a machine sets its power too", async () => {
    // S21 XP: 270 TH/s; at 30 J/TH it draws 270 × 30 = 8,100 W → 8.1 kW × 24 h × $0.05 = $9.72 per day.
    const reply = await ask('/mining_cost machine="S21 XP" efficiency=30 usd_per_kwh=0.05');
    const machine = reply.data.machine as { powerCostUsdPerDay: number };
    expect(machine.powerCostUsdPerDay).toBeCloseTo(9.72, 6);
  });

  it("a pool listed twice is one entity", async () => {
    const pools = [
      { name: "Foundry USA", slug: "foundryusa", blockCount: 300 },
      { name: "Foundry USA", slug: "foundry-usa", blockCount: 100 },
      { name: "AntPool", slug: "antpool", blockCount: 600 },
    ];
    const reply = await ask("/concentration pools", memoryDeps({ network: memoryNetwork({ pools }) }));
    const layer = (reply.data.layers as Record<string, Layer>).pools!;
    // 400 + 600 blocks: shares 40% and 60% → HHI = 1,600 + 3,600 = 5,200; AntPool alone > 50% → Nakamoto 1.
    expect(layer.entities.map((e) => e.name)).toEqual(["AntPool", "Foundry USA"]);
    expect(layer.hhi).toBeCloseTo(5200, 6);
    expect(layer.nakamotoCoefficient).toBe(1);
  });
});

/** What a person sees before unfolding anything, per platform. */
function telegramVisible(html: string): string {
  return visibleText(html.replace(/<blockquote expandable>[\s\S]*?<\/blockquote>/g, ""));
}

function discordVisible(message: ReturnType<typeof renderDiscord>): number {
  const lead = message.embeds[0]!;
  return (
    (lead.author?.name.length ?? 0) +
    (lead.title?.length ?? 0) +
    (lead.description?.length ?? 0) +
    (message.embeds.at(-1)!.footer?.text.length ?? 0)
  );
}

const SHAPES = [
  "/mining_cost paraguay",
  '/mining_cost texas machine="S21 XP"',
  "/mining_cost usd_per_kwh=0.08 efficiency=17.5",
  "/migration",
  "/migration from=us_average to=paraguay ehs=100",
  "/concentration",
  "/concentration pools",
  "/edge_ai 2030",
  "/edge_ai year=2040",
  "/edge_fit llama_3_1_8b raspberry_pi_5_8gb",
  "/edge_fit llama_3_1_70b ram_gb=16 bandwidth_gbs=100",
  "/sources",
  "/help",
  "/help mining_cost",
];

describe.each([
  ["live", "live" as const],
  ["snapshot fallback", "snapshot" as const],
])("answer shape with %s data", (_label, status) => {
  const deps = () => memoryDeps({ network: memoryNetwork({}, status) });

  it.each(SHAPES)("%s: headline first, 3–6 figures, short first screen on every platform", async (line) => {
    const reply = await ask(line, deps());
    expect(reply.error).toBeUndefined();
    const headline = reply.headline!;
    expect(headline.length).toBeGreaterThan(20);
    expect(headline.length).toBeLessThanOrEqual(HEADLINE_MAX);
    expect(headline).toMatch(/\d/); // the key number
    expect(reply.figures!.length).toBeGreaterThanOrEqual(3);
    expect(reply.figures!.length).toBeLessThanOrEqual(6);

    // Telegram: headline on the first line, ≤ 700 characters outside the fold, valid HTML.
    const parts = renderTelegram(reply);
    expect(parts[0]!.split("\n")[0]).toBe(`<b>${escapeHtml(headline)}</b>`);
    expect(telegramVisible(parts[0]!).length).toBeLessThanOrEqual(700);
    for (const part of parts) {
      expect(checkTelegramHtml(part)).toBeUndefined();
      expect(part.length).toBeLessThanOrEqual(4096);
      for (const pre of part.matchAll(/<pre>([\s\S]*?)<\/pre>/g))
        for (const l of visibleText(pre[1]!).split("\n")) expect(l.length).toBeLessThanOrEqual(36);
    }
    const photo = renderTelegramPhoto(reply);
    expect(photo.caption.length).toBeLessThanOrEqual(1024);
    expect(photo.caption.startsWith(`<b>${escapeHtml(headline)}</b>`)).toBe(true);
    expect(checkTelegramHtml(photo.caption)).toBeUndefined();

    // Discord: the headline is the lead embed's title; limits held; ≤ 700 characters above the image.
    const message = renderDiscord(reply, { imageUrl: "attachment://chart.png" });
    expect(message.embeds[0]!.title).toBe(headline);
    expect(discordVisible(message)).toBeLessThanOrEqual(700);
    expect(message.embeds.length).toBeLessThanOrEqual(10);
    let total = 0;
    for (const e of message.embeds) {
      expect(e.title?.length ?? 0).toBeLessThanOrEqual(256);
      expect(e.description?.length ?? 0).toBeLessThanOrEqual(4096);
      expect(e.fields?.length ?? 0).toBeLessThanOrEqual(25);
      for (const f of e.fields ?? []) {
        expect(f.name.length).toBeLessThanOrEqual(256);
        expect(f.value.length).toBeLessThanOrEqual(1024);
      }
      total += embedLength(e);
    }
    expect(total).toBeLessThanOrEqual(6000);

    // Console: headline first, figures, then a blank line before the details.
    const text = renderText(reply).split("\n");
    expect(text[0]).toBe(headline);
    expect(text[reply.figures!.length + 1]).toBe("");

    // One short sources line; freshness said once, up front, only when the data is not live.
    expect(sourcesLine(reply).length).toBeLessThanOrEqual(200);
    const firstScreen = telegramVisible(parts[0]!);
    const noted = firstScreen.split("live data unavailable").length - 1;
    const usesNetwork = reply.sources.some((s) => s.fallback || s.status === "live");
    if (status === "snapshot" && usesNetwork) {
      expect(headline).toMatch(/\(on (\w{3} )?\d{4} data — live data unavailable\)\.$/);
      // Headline and sources line, nothing per figure.
      expect(noted).toBeLessThanOrEqual(2);
      expect(firstScreen).not.toContain("today's price");
    } else {
      expect(noted).toBe(0);
    }
  });
});

describe("answer details", () => {
  it("today's price only when the price is live", async () => {
    const live = await ask("/migration", memoryDeps());
    expect(live.headline).toContain("today's price of $90,000");
    const given = await ask("/migration price=80000", memoryDeps());
    expect(given.headline).toContain("the price of $80,000");
  });

  it("sources line: publishers with ages for live data, dates for published data, no age on specs", async () => {
    const reply = await ask('/mining_cost texas machine="S21 XP"', memoryDeps());
    // The four network figures come from one publisher ("test upstream"), 30 s old.
    expect(sourcesLine(reply)).toBe(
      "Sources: test upstream live 30 s · EIA Electric Power Monthly Nov 2025 · Antminer S21 XP spec",
    );
  });

  it("mining_cost figures and chart are the answer's own numbers (worked by hand)", async () => {
    const reply = await ask("/mining_cost paraguay", memoryDeps());
    // Energy per BTC at 28.2 J/TH, 2% pool fee: cost = energy × $0.048; the chart's line is
    // energy × ¢/100 at each step, so at the user's 4.8 ¢ it equals the cost per BTC.
    const cost = reply.data.costPerBtcUsd as number;
    const energy = reply.data.energyPerBtcKwh as number;
    expect(cost).toBeCloseTo(energy * 0.048, 6);
    expect(reply.figures![0]).toEqual({
      label: "Cost per BTC",
      value: `$${Math.round(cost).toLocaleString("en-US")}`,
    });
    const panel = reply.chart!.panels[0]!;
    expect(panel.rules).toEqual([{ y: 90_000, label: "BTC price" }]);
    expect(panel.marker).toEqual({ x: 4.8, label: "Paraguay" });
    // Break-even = 90,000 / energy ≈ 0.0542 $/kWh → axis to ceil(5.42 × 1.4) = 8 → at least 10 ¢.
    const last = panel.series[0]!.points.at(-1)!;
    expect(last.x).toBe(10);
    expect(last.y).toBe(Math.round(energy * 0.1));
  });

  it("edge_fit draws weights, KV cache and overhead against usable memory", async () => {
    const reply = await ask("/edge_fit llama_3_1_8b rtx_4090", memoryDeps());
    const panel = reply.chart!.panels[0]!;
    expect(panel.mark).toBe("stacked_bar");
    // 4.818 + 0.5369 + 0.5 GB (see the hand-worked test above) against 23.5 GB usable.
    expect(panel.series.map((s) => s.points[0]!.y)).toEqual([4.82, 0.54, 0.5]);
    expect(panel.rules).toEqual([{ y: 23.5, label: "Usable memory" }]);
  });

  it.each([
    ["/mining_cost atlantis", "Unknown region"],
    ["/mining_cost pue=9", "Invalid pue"],
    ["/minig_cost", "Unknown command"],
    ["/edge_ai forecast=nope", "Unknown forecast"],
    ["/concentration layer=miners", "Invalid layer"],
  ])("%s is titled %s", async (line, title) => {
    const reply = await ask(line);
    expect(reply.title).toBe(title);
    expect(renderTelegram(reply)[0]!.split("\n")[0]).toBe(`<b>${title}</b>`);
  });
});
