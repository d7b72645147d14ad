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
    // Countries, one vintage (Hashrate Index, start of Q3 2025; Texas is inside the US share):
    // US 35.81, Russia 16.61, China 13.84, Paraguay 3.87, UAE 3.54, Oman 2.99, Canada 2.935 %.
    // 35.81 + 16.61 = 52.42% > 50% → Nakamoto 2.
    // HHI = 1282.3561 + 275.8921 + 191.5456 + 14.9769 + 12.5316 + 8.9401 + 8.614225 = 1,794.856625
    // Makers: Bitmain 82% → Nakamoto 1; HHI ≥ 82² = 6,724 (MicroBT and Canaan unsplit).
    const reply = await ask("/concentration all");
    const layers = reply.data.layers as Record<string, Layer>;
    expect(layers.countries!.nakamotoCoefficient).toBe(2);
    expect(layers.countries!.hhi).toBeCloseTo(1794.856625, 4);
    // Rankings name places, not their price labels.
    expect(layers.countries!.entities.map((e) => e.name).slice(0, 3)).toEqual([
      "United States",
      "Russia",
      "China",
    ]);
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
  it("projects the 2026–2033 series and gives the range across independent same-scope forecasts", async () => {
    // The published 21.7% is over 2026–2033: CAGR = (118.69 / 29.98)^(1/7) − 1 = 3.958973^(0.142857) − 1 = 0.217220
    // 2030: 29.98 × 1.217220^4 = 29.98 × 2.195204 = 65.812 $B
    // Same scope, independent: the 2024 edition is superseded (left out); the 2022 column's "over $107B" in
    // 2030 is a floor → range 65.81 to at least 107.
    const reply = await ask("/edge_ai 2030");
    expect(reply.data.cagr).toBeCloseTo(0.21722, 5);
    expect(reply.data.valueUsdB).toBeCloseTo(65.812, 2);
    expect(reply.data.extrapolated).toBe(false);
    const range = reply.data.range as { lowUsdB: number; highUsdB: number; count: number };
    expect(range.count).toBe(2);
    expect(range.lowUsdB).toBeCloseTo(65.812, 2);
    expect(range.highUsdB).toBeCloseTo(107, 9);
    expect(reply.data.rangeHighIsLowerBound).toBe(true);
    expect(reply.summary).toContain("$65.8B to at least $107.0B");
    expect(reply.summary).toContain("published: 21.7% over 2026–2033");
    expect(reply.table!.rows).toHaveLength(2);
  });

  it("labels years outside the forecast as extrapolated", async () => {
    // 2040: 29.98 × 1.217220^14 ≈ 469.9 $B, beyond 2033.
    const reply = await ask("/edge_ai year=2040");
    expect(reply.data.extrapolated).toBe(true);
    expect(reply.data.valueUsdB).toBeCloseTo(29.98 * (118.69 / 29.98) ** (14 / 7), 6);
    expect(reply.summary).toContain("extrapolated");
  });

  it("says a single forecast has no range instead of '$X–$X', and explains the scope", async () => {
    const reply = await ask("/edge_ai 2030 forecast=edge_ai_chips_gvr_2025");
    expect(reply.summary).toContain("only independent forecast of this scope");
    expect(reply.summary).not.toMatch(/\$([\d.]+)B–\$\1B/);
    expect(reply.fields.find((f) => f.name === "Scope")!.value).toContain("can exceed the edge-AI total");
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
    // weights 4.9117 GB (Q4_K_M per-tensor: Q6_K output, half of attn_v/ffn_down at Q6_K, rest Q4_K)
    // KV = 2 × 32 × 8 × 128 × 4096 × 2 B = 0.5369 GB; total = 4.9117 + 0.5369 + 0.5 = 5.9486 GB ≤ 23.5 → fits
    // read per token = 4.9117 − 0.2955 (token table, not read) + 0.5369 = 5.1531 GB
    // tokens/s ≈ 0.656 (discrete GPU, q4_k_m) × 1008 ÷ 5.1531 = 128.3 (published 8B Q4_K_M on a 4090: 127.7 at tg 1024)
    const reply = await ask("/edge_fit llama_3_1_8b rtx_4090");
    expect(reply.data.weightsGb).toBeCloseTo(4.9117, 3);
    expect(reply.data.kvCacheGb).toBeCloseTo(0.536870912, 9);
    expect(reply.data.totalGb).toBeCloseTo(4.9117 + 0.536870912 + 0.5, 3);
    expect(reply.data.fits).toBe(true);
    expect(reply.data.tokensPerSecond).toBeCloseTo((0.656 * 1008) / 5.1531, 0);
    expect(reply.data.bestQuant).toBe("fp16");
    expect(reply.fields.find((f) => f.name === "Decode speed (estimate)")).toBeDefined();
    expect(reply.sources.map((s) => s.name)).toContain("Speed calibration runs");
  });

  it("a MoE model needs memory for all experts but reads only the active ones", async () => {
    const dense = await ask("/edge_fit qwen3_32b rtx_5090");
    const moe = await ask("/edge_fit qwen3_30b_a3b rtx_5090");
    expect(moe.data.fits).toBe(true);
    expect(moe.data.weightsGb as number).toBeGreaterThan(17);
    expect(moe.data.tokensPerSecond as number).toBeGreaterThan((dense.data.tokensPerSecond as number) * 4);
  });

  it("answers the reverse question: a device and no model lists what fits, largest first", async () => {
    // Raspberry Pi 5 8 GB: 6.5 GB usable. Llama 3.1 8B Q4_K_M needs 4.91 + 0.54 + 0.5 = 5.95 GB → fits;
    // Qwen3 14B Q4_K_M needs 8.99 GB of weights alone → does not.
    const reply = await ask("/edge_fit device=raspberry_pi_5_8gb");
    expect(reply.error).toBeUndefined();
    const fitting = reply.data.fitting as { model: string; quant: string; totalGb: number }[];
    expect(fitting.length).toBeGreaterThan(5);
    for (const f of fitting) expect(f.totalGb).toBeLessThanOrEqual(6.5);
    expect(fitting.map((f) => f.model)).toContain("llama_3_1_8b");
    expect(fitting.map((f) => f.model)).not.toContain("qwen3_14b");
    const paramsB = new Map(memoryDeps().snapshot.models.map((m) => [m.id, m.paramsB]));
    const sizes = fitting.map((f) => paramsB.get(f.model)!);
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
    // The small models fit at full precision: Qwen3 0.6B at fp16 is 1.19 GB + KV + 0.5.
    expect(fitting.find((f) => f.model === "qwen3_0_6b")?.quant).toBe("fp16");
    expect(reply.summary).toContain("the largest is");
  });

  it("with raw memory and bandwidth instead of a device", async () => {
    // 70B at q4_k_m: 42.47 GB of weights alone > 16 GB → does not fit, no quant fits.
    const reply = await ask("/edge_fit llama_3_1_70b ram_gb=16 bandwidth_gbs=100");
    expect(reply.data.fits).toBe(false);
    expect(reply.data.bestQuant).toBeNull();
    expect(reply.data.maxContext).toBe(0);
    expect(reply.summary).toContain("does not fit");
  });

  it.each([
    ["/edge_fit", "Name a device, or give both ram_gb and bandwidth_gbs"],
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
    // Cost per BTC is linear in the power price at 28.2 J/TH and the shared 2% pool fee:
    // 1,660,057 kWh ÷ 0.98 = 1,693,936 kWh × $/kWh.
    for (const r of regions) expect(r.costPerBtcUsd).toBeCloseTo((1_660_057 / 0.98) * r.usdPerKwh, -1);
    for (const r of regions) expect(r.underwater).toBe(r.costPerBtcUsd > 90_000);
  });

  it("marks estimated prices and gives Texas's share as inside its country's", async () => {
    const reply = await ask("/migration");
    // Region cells carry * for a loss, so rows are found by the name before it.
    const row = (name: string) => reply.table!.rows.find((r) => r[0]!.replace(/\*$/, "") === name)!;
    expect(row("Kazakhstan")[1]).toMatch(/^~/); // residential stand-in
    expect(row("Ethiopia")[1]).not.toMatch(/^~/); // published miner tariff
    expect(row("Texas")[3]).toBe("—"); // counted inside the United States' share
    expect(row("Norway")[3]).toBe("n/a"); // no whole-network share in the vintage
    expect(reply.fields.find((f) => f.name === "Estimated prices (~)")!.value).toContain("Kazakhstan");
  });

  it("moves hashrate between countries and reports before and after (worked by hand)", async () => {
    // Network = 155.97e12 × 2^32 / 600 = 1,116.48 EH/s. US 35.81% = 399.81 EH/s; Paraguay 3.87% = 43.21 EH/s.
    // Move 100 EH/s: US 299.81 (26.853%), Paraguay 143.21 (12.827%).
    // Country HHI before = 1,794.86 (see concentration test); after: US 26.853², Paraguay 12.827²:
    // 1794.86 − 1282.36 − 14.98 + 721.10 + 164.53 = 1,383.15; Nakamoto: 26.85 + 16.61 + 13.84 = 57.3 → 3 (was 2).
    const reply = await ask("/migration from=us_average to=paraguay ehs=100");
    const scenario = reply.data.scenario as {
      movedEhs: number;
      before: { hhi: number; nakamotoCoefficient: number };
      after: { hhi: number; nakamotoCoefficient: number; avgCostPerBtcUsd: number };
    };
    expect(scenario.movedEhs).toBe(100);
    expect(scenario.before.hhi).toBeCloseTo(1794.86, 1);
    expect(scenario.after.hhi).toBeCloseTo(1383.15, 0);
    expect(scenario.before.nakamotoCoefficient).toBe(2);
    expect(scenario.after.nakamotoCoefficient).toBe(3);
  });

  it.each([
    ["/migration from=texas", "A what-if needs both from and to"],
    ["/migration from=paraguay to=paraguay ehs=1", "from and to are the same region"],
    // Paraguay 3.87% of 1,116.48 EH/s = 43.21 EH/s.
    ["/migration from=paraguay to=uae ehs=500", "Paraguay has about 43.2 EH/s"],
    ["/migration from=paraguay to=uae", "A what-if needs ehs"],
    ["/migration from=ethiopia to=paraguay ehs=1", "Ethiopia has no share in the bundled country shares"],
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
    [
      "/migration from=texas to=paraguay ehs=1",
      "Texas has no hashrate share of its own (it is counted in United States)",
    ],
    ["/migration from=us_average to=texas ehs=1", "use to=us_average"],
    ["/migration ehs=5", "ehs and share belong to a what-if"],
    ["/edge_fit llama_3_1_8b rtx_4090 params_b=70", "Give model or params_b, not both"],
    // "edge_ai_gvr2025" now reads as edge_ai_gvr_2025 (ids compare without separators); a real typo:
    ["/edge_ai forecast=edge_ai_gvr_225", "Did you mean edge_ai_gvr_2025?"],
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

describe("sources", () => {
  it("lists each bundled dataset by its source document and URL, never by a note or basis", async () => {
    const reply = await ask("/sources");
    const datasets = reply.data.datasets as { name: string; source: string; status: string }[];
    const bundled = datasets.filter((d) =>
      /Hashrate shares|Fleet-average|ASIC maker|Pool blocks \(1[wm]\), bundled/.test(d.name),
    );
    expect(bundled.length).toBe(5);
    for (const d of bundled) expect(d.source, d.name).toMatch(/ — https:\/\//);
    // A basis sentence ("Survey-based …", "est.") is not a source.
    for (const d of datasets) expect(d.source, d.name).not.toMatch(/^(Survey|est\.|2nd)/);
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
    expect(sourcesLine(reply)).toBe("Sources: test upstream live 30 s · EIA Nov 2025 · Antminer S21 XP spec");
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
    // 4.9117 (per-tensor Q4_K_M) + 0.5369 + 0.5 GB (see the edge-fit domain test) against 23.5 GB usable.
    expect(panel.series.map((s) => s.points[0]!.y)).toEqual([4.91, 0.54, 0.5]);
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
