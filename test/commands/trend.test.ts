/** trend through the text grammar with in-memory pool data and the real bundled datasets. */
import { describe, expect, it } from "vitest";
import { createCommandRegistry } from "../../commands/index.ts";
import { type PoolCount, runTextLine, type WeeklyPoolShares } from "../../src/core/index.ts";
import { consoleInvocation, memoryDeps, memoryNetwork } from "../support/memory-deps.ts";

const registry = createCommandRegistry();
const ask = async (line: string, deps = memoryDeps()) =>
  (await runTextLine(registry, line, { deps, invocation: consoleInvocation }))!;

const table = (rows: [string, number][]): PoolCount[] =>
  rows.map(([name, blockCount]) => ({ name, slug: name.toLowerCase(), blockCount }));

/** One named pool whose share grows 0.1 % a week, the rest Unknown: HHI = (100·s)², so each week's
 * HHI is 1.001² = 1.002001 × the last. */
const GROWING: WeeklyPoolShares[] = [0, 1, 2].map((i) => ({
  asOf: `2026-11-${String(10 + 7 * i).padStart(2, "0")}T00:00:00.000Z`,
  pools: [
    { name: "Foundry USA", share: 0.5 * 1.001 ** i },
    { name: "Unknown", share: 0.1 },
  ],
}));

interface MiningData {
  pools: { period: string; nakamotoCoefficient: number | null; hhi: number }[];
  weekly: { asOf: string; hhi: number; nakamotoCoefficient: number | null }[];
  countries: { asOf: string; hhi: number; lowerBound: boolean }[];
}
interface AiData {
  smallestModel: { quarter: string; level: string; paramsB: number | null; model: string | null }[];
  paramsHalvingMonths: number;
  paramsHalvingRangeMonths: { low: number; high: number };
  records: { level: string; models: { model: string; paramsB: number }[] }[];
  edgeShare: { quarter: string; models: number; phone: number; raspberryPi5: number; laptop16gb: number }[];
}

describe("trend: mining", () => {
  const deps = () =>
    memoryDeps({
      network: memoryNetwork({
        poolWindows: {
          "3y": table([
            ["A", 400],
            ["B", 300],
            ["C", 200],
            ["Unknown", 100],
          ]),
          "1w": table([
            ["A", 500],
            ["B", 300],
            ["C", 100],
            ["Unknown", 100],
          ]),
        },
        weeklyShares: GROWING,
      }),
    });

  it("Nakamoto and HHI per window, oldest first (worked by hand)", async () => {
    const reply = await ask("/trend mining", deps());
    const mining = reply.data.mining as MiningData;
    expect(mining.pools.map((p) => p.period)).toEqual(["3y", "2y", "1y", "6m", "3m", "1m", "1w"]);
    // 3y: 40, 30, 20 % (+10 % Unknown): 40 + 30 = 70 > 50 → 2; HHI 1600 + 900 + 400 = 2,900.
    expect(mining.pools[0]).toMatchObject({ nakamotoCoefficient: 2, hhi: expect.closeTo(2900, 9) });
    // 2y … 1m: the default table, 30/20/20/10/10 % → Nakamoto 3, HHI 1,900.
    expect(mining.pools[1]).toMatchObject({ nakamotoCoefficient: 3, hhi: expect.closeTo(1900, 9) });
    // 1w: 50, 30, 10 %: 50 is not more than half, 80 is → 2; HHI 2500 + 900 + 100 = 3,500.
    expect(mining.pools[6]).toMatchObject({ nakamotoCoefficient: 2, hhi: expect.closeTo(3500, 9) });
  });

  it("the weekly series gives the verdict: a rising HHI centralizes (worked by hand)", async () => {
    const reply = await ask("/trend mining", deps());
    const mining = reply.data.mining as MiningData;
    // Week 1: Foundry 50 % is not more than half → no Nakamoto coefficient; HHI 2,500.
    expect(mining.weekly[0]).toMatchObject({ nakamotoCoefficient: null, hhi: expect.closeTo(2500, 9) });
    expect(mining.weekly[2]).toMatchObject({
      nakamotoCoefficient: 1,
      hhi: expect.closeTo(2500 * 1.001 ** 4, 9),
    });
    // HHI × 1.002001 a week on a perfect fit: per year 1.002001^(365.25 / 7) − 1 = 11.0 %.
    const detail = reply.data.verdictDetail as {
      mining: { ratePerYearPct: number; confidence: string; basis: string };
    };
    expect(detail.mining.ratePerYearPct).toBeCloseTo((1.002001 ** (365.25 / 7) - 1) * 100, 6);
    expect(detail.mining).toMatchObject({ confidence: "medium", basis: "weekly" });
    expect(reply.data.verdict).toEqual({ mining: "centralizing" });
    // Over the two weeks: 1.002001² − 1 = 0.4 %.
    expect(reply.headline).toBe("Pools: HHI up 0.4% over 2 weeks.");
  });

  it("warns when the oldest weeks hold many blocks of pools no longer listed", async () => {
    // Oldest week: A 40 % + B 40 % listed, 20 % unlisted; latest: A 50 % + B 50 %, nothing unlisted.
    const weeks: WeeklyPoolShares[] = ["2026-11-03", "2026-11-10", "2026-11-17"].map((day, i) => ({
      asOf: `${day}T00:00:00.000Z`,
      pools: [
        { name: "A", share: 0.4 + 0.05 * i },
        { name: "B", share: 0.4 + 0.05 * i },
      ],
    }));
    const reply = await ask("/trend mining", memoryDeps({ network: memoryNetwork({ weeklyShares: weeks }) }));
    expect(reply.warnings).toContain(
      "The weekly series lists only pools active this week: 20% of the oldest week's blocks are unattributed " +
        "(vs 0% now), so early HHI is understated and the rise overstated.",
    );
    // The windows (default table everywhere) say flat: 0 % a year, kept beside the weekly rate.
    const detail = reply.data.verdictDetail as { mining: { windowsRatePerYearPct: number } };
    expect(detail.mining.windowsRatePerYearPct).toBeCloseTo(0, 9);
  });

  it("country HHI per date from the bundled shares, as a lower bound", async () => {
    const reply = await ask("/trend mining", deps());
    const { countries } = reply.data.mining as MiningData;
    // April 2020 (CCAF): 65.08² + 7.24² + 6.9² + 6.17² + 4.33² + 3.82²
    //   = 4235.4064 + 52.4176 + 47.61 + 38.0689 + 18.7489 + 14.5924 = 4,406.8442.
    expect(countries[0]).toMatchObject({ asOf: "2020-04", lowerBound: true });
    expect(countries[0]!.hhi).toBeCloseTo(4406.8442, 4);
    // January 2022: 37.84² + 21.11² + 13.22² + 6.48² + 4.66²
    //   = 1431.8656 + 445.6321 + 174.7684 + 41.9904 + 21.7156 = 2,115.9721.
    expect(countries.find((c) => c.asOf === "2022-01")!.hhi).toBeCloseTo(2115.9721, 4);
  });

  it("without the weekly series: the windows at their centres, and says the series is missing", async () => {
    const reply = await ask(
      "/trend mining",
      memoryDeps({ network: memoryNetwork({ weeklyShares: null, poolWindows: { "2y": null } }) }),
    );
    expect((reply.data.verdictDetail as { mining: { basis: string } }).mining.basis).toBe("windows");
    expect(reply.warnings).toContain("No data for weekly pool shares (3y): upstream unavailable.");
    expect(reply.warnings).toContain("No data for pools 2y: upstream unavailable and no bundled figure.");
    expect((reply.data.mining as MiningData).pools.map((p) => p.period)).toEqual([
      "3y",
      "1y",
      "6m",
      "3m",
      "1m",
      "1w",
    ]);
    // All windows hold the same table: HHI flat → stable.
    expect(reply.data.verdict).toEqual({ mining: "stable" });
  });

  it("too little history says so instead of a trend", async () => {
    const only = Object.fromEntries(["3y", "2y", "1y", "6m", "3m"].map((w) => [w, null]));
    const reply = await ask(
      "/trend mining",
      memoryDeps({ network: memoryNetwork({ weeklyShares: [GROWING[0]!], poolWindows: only }) }),
    );
    expect(reply.headline).toBe("Pools: too little history for a trend.");
    expect((reply.data.verdictDetail as { mining: { confidence: string } }).mining.confidence).toBe(
      "insufficient",
    );
  });
});

describe("trend: AI", () => {
  it("smallest open model per quarter for GPT-3.5's MMLU 70.0 and the fitted halving time", async () => {
    const reply = await ask("/trend side=ai");
    expect(reply.data.mining).toBeUndefined();
    const ai = reply.data.ai as AiData;
    const gpt = ai.smallestModel.filter((s) => s.level === "gpt_3_5");
    expect(gpt.map((s) => [s.quarter, s.model, s.paramsB])).toEqual([
      ["2023Q1", null, null],
      ["2023Q2", null, null],
      ["2023Q3", null, null],
      ["2023Q4", "Yi-34B", 34.4],
      ["2024Q1", "Yi-34B", 34.4],
      ["2024Q2", "Phi-3-small", 7],
      ["2024Q3", "Phi-3-small", 7],
      ["2024Q4", "Phi-3-small", 7],
      ["2025Q1", "Phi-3-small", 7],
      ["2025Q2", "Qwen3-4B", 4],
    ]);
    expect(ai.records.find((r) => r.level === "llama_65b")!.models.map((m) => m.model)).toEqual([
      "LLaMA 65B",
      "Yi-34B",
      "Gemma 7B",
      "Llama 3 8B",
      "Phi-3-mini",
      "Qwen2.5-3B",
    ]);
    // Check the pooled fit by hand from the record setters: per level, x = months since the level's
    // first record, y = log2 params; b = Σ (x − x̄)(y − ȳ) / Σ (x − x̄)² over both levels.
    const months = (iso: string) => Date.parse(iso) / 86_400_000 / (365.25 / 12);
    const levels = [
      [
        ["2023-11-02", 34.4],
        ["2024-05-21", 7],
        ["2025-04-29", 4],
      ],
      [
        ["2023-02-24", 65.2],
        ["2023-11-02", 34.4],
        ["2024-02-21", 8.54],
        ["2024-04-18", 8.03],
        ["2024-04-23", 3.8],
        ["2024-09-19", 3.09],
      ],
    ] as const;
    let sxy = 0;
    let sxx = 0;
    for (const points of levels) {
      const xs = points.map(([d]) => months(d));
      const ys = points.map(([, p]) => Math.log2(p));
      const mx = xs.reduce((a, b) => a + b) / xs.length;
      const my = ys.reduce((a, b) => a + b) / ys.length;
      xs.forEach((x, i) => {
        sxy += (x - mx) * (ys[i]! - my);
        sxx += (x - mx) ** 2;
      });
    }
    expect(ai.paramsHalvingMonths).toBeCloseTo(-sxx / sxy, 9);
    // ≈ 4.64 months, slower than the densing law's 3.5, whose value lies outside ±1 SE (3.93–5.66).
    expect(ai.paramsHalvingMonths).toBeCloseTo(4.64, 2);
    expect(ai.paramsHalvingRangeMonths.low).toBeGreaterThan(3.5);
    expect(reply.data.verdict).toEqual({ ai: "decentralizing" });
    expect(reply.headline).toBe(
      "Open models: the size needed for GPT-3.5's MMLU score halves every 4.6 months.",
    );
  });

  it("the share of GPT-3.5-level models that fit a phone, a Pi 5 and a 16 GB laptop", async () => {
    const ai = (await ask("/trend ai")).data.ai as AiData;
    const last = ai.edgeShare.at(-1)!;
    // By 2025Q2, 15 models reach 70.0. q4_k_m weights (0.6 B/param) + 0.5 GB vs usable memory:
    // phone 4.5 GB holds ≤ 6.67 B → Qwen3-4B only: 1/15. Pi 5 6.5 GB holds ≤ 10 B → Phi-3-small 7,
    // Qwen2-7B 7.6, Gemma 2 9B 9.24, Qwen2.5-7B 7.61, Qwen3-4B 4, Qwen3-8B 8.2: 6/15.
    // Laptop 10 GB holds ≤ 15.83 B → those 6 + Phi-3-medium 14, Qwen2.5-14B 14.7, Phi-4 14.7: 9/15.
    expect(last).toEqual({
      quarter: "2025Q2",
      models: 15,
      phone: 1 / 15,
      raspberryPi5: 6 / 15,
      laptop16gb: 9 / 15,
    });
    expect(ai.edgeShare[0]).toMatchObject({ quarter: "2023Q1", models: 0, phone: null });
  });
});

describe("trend: the whole answer", () => {
  it("both sides: headline, figures, two-panel chart, details and sources", async () => {
    const reply = await ask("/trend", memoryDeps({ network: memoryNetwork({ weeklyShares: GROWING }) }));
    expect(reply.error).toBeUndefined();
    expect(reply.data.verdict).toEqual({ mining: "centralizing", ai: "decentralizing" });
    expect(reply.headline).toBe(
      "Pools: HHI up 0.4% over 2 weeks; open models: the size needed for GPT-3.5's MMLU score halves every 4.6 months.",
    );
    expect(reply.headline!.length).toBeLessThanOrEqual(160);
    expect(reply.figures!.length).toBeGreaterThanOrEqual(3);
    expect(reply.figures!.length).toBeLessThanOrEqual(6);
    const [mining, ai] = reply.chart!.panels;
    expect(mining!.series.map((s) => s.name)).toEqual([
      "Pool HHI (weekly)",
      "Pool Nakamoto coefficient",
      "Country HHI (at least)",
    ]);
    expect(mining!.series[1]!.axis).toBe("y2");
    expect(mining!.rules).toEqual([{ y: 1800, label: "highly concentrated (US 2023 guidelines)" }]);
    expect(ai!.y.scale).toBe("log");
    expect(ai!.series[0]!.points[0]).toEqual({ x: "2023Q4", y: 34.4 });
    expect(reply.fields.map((f) => f.name)).toContain("Halving time vs the densing law");
    const names = reply.sources.map((s) => s.name);
    expect(names).toContain("Weekly pool shares (3y)");
    expect(names).toContain("Densing law");
    expect(names.some((n) => n.startsWith("Hashrate shares by country, 2020-04 – 2025-10-31"))).toBe(true);
    expect(reply.warnings).toEqual([]);
  });

  it("says so in the headline when pool data is from the snapshot", async () => {
    const reply = await ask("/trend", memoryDeps({ network: memoryNetwork({}, "snapshot") }));
    // Said once, by finishReply, with the date of the data used.
    expect(reply.headline).toMatch(/ \(on (\w{3} )?\d{4} data — live data unavailable\)\.$/);
    expect(reply.headline!.length).toBeLessThanOrEqual(160);
  });

  it("refuses an unknown side with the allowed ones", async () => {
    const reply = await ask("/trend side=sideways");
    expect(reply.error?.code).toBe("invalid_value");
    expect(reply.summary).toContain("both, mining, ai");
  });

  it("without bundled datasets: the pool side still answers, and says what is missing", async () => {
    const reply = await ask("/trend", memoryDeps({ trend: undefined }));
    expect(reply.data.ai).toBeUndefined();
    expect(reply.data.verdict).toHaveProperty("mining");
    expect(reply.warnings).toContain(
      "This build bundles no history datasets; only the live pool series is shown.",
    );
  });
});
