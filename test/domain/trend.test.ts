/** The trend arithmetic, each case worked by hand in its comment. */
import { describe, expect, it } from "vitest";
import {
  changeOverPct,
  edgeShareByQuarter,
  isoDays,
  type ModelEntry,
  monthsSinceEpoch,
  paramsHalving,
  pooledSlope,
  quarterOf,
  quartersBetween,
  ratePerYearPct,
  recordSetters,
  type SlopeFit,
  smallestPerQuarter,
  tableConcentration,
  verdictFromFit,
  weeklySeries,
} from "../../src/domain/trend.ts";

const TABLE = [
  { name: "Foundry USA", weight: 300 },
  { name: "AntPool", weight: 200 },
  { name: "F2Pool", weight: 200 },
  { name: "ViaBTC", weight: 100 },
  { name: "Binance Pool", weight: 100 },
  { name: "Unknown", weight: 100 },
];

describe("tableConcentration: Nakamoto and HHI of one pool table", () => {
  it("counts Unknown in the total but not as an entity", () => {
    // 1000 blocks: shares 30, 20, 20, 10, 10 % (+ Unknown 10 %). Top 2 = 50% is not more than half;
    // top 3 = 70% → Nakamoto 3. HHI = 900 + 400 + 400 + 100 + 100 = 1,900.
    const c = tableConcentration(TABLE, 1000);
    expect(c.nakamotoCoefficient).toBe(3);
    expect(c.hhi).toBeCloseTo(1900, 9);
    expect(c.unattributedPct).toBeCloseTo(10, 9);
  });

  it("treats blocks the table leaves out as unattributed, not as a pool", () => {
    // Total 1250: shares 24, 16, 16, 8, 8 %. 24 + 16 = 40, + 16 = 56 > 50 → Nakamoto 3.
    // HHI = 576 + 256 + 256 + 64 + 64 = 1,216; unattributed (100 + 250) / 1250 = 28 %.
    const c = tableConcentration(TABLE, 1250);
    expect(c.nakamotoCoefficient).toBe(3);
    expect(c.hhi).toBeCloseTo(1216, 9);
    expect(c.unattributedPct).toBeCloseTo(28, 9);
  });

  it("joins one pool listed twice and reads 'unknown' in any case", () => {
    // Foundry 300 + 100 = 400 of 1000 → 40 %; AntPool 40 %; unknown 20 %.
    // 40 + 40 = 80 > 50 → Nakamoto 2; HHI = 1600 + 1600 = 3,200.
    const c = tableConcentration([
      { name: "Foundry USA", weight: 300 },
      { name: "foundry usa", weight: 100 },
      { name: "AntPool", weight: 400 },
      { name: "UNKNOWN", weight: 200 },
    ]);
    expect(c.nakamotoCoefficient).toBe(2);
    expect(c.hhi).toBeCloseTo(3200, 9);
    expect(c.unattributedPct).toBeCloseTo(20, 9);
  });

  it("has no Nakamoto coefficient when the named pools hold half or less", () => {
    // A 30 %, B 20 %, Unknown 50 %: named pools together hold exactly 50 %, not more.
    const c = tableConcentration([
      { name: "A", weight: 30 },
      { name: "B", weight: 20 },
      { name: "Unknown", weight: 50 },
    ]);
    expect(c.nakamotoCoefficient).toBeNull();
    expect(c.hhi).toBeCloseTo(900 + 400, 9);
  });
});

describe("weeklySeries", () => {
  it("orders the weeks, finds gaps and skips weeks with no pools", () => {
    const s = weeklySeries([
      {
        asOf: "2025-02-04T00:00:00.000Z",
        pools: [
          { name: "A", share: 0.6 },
          { name: "B", share: 0.4 },
        ],
      },
      {
        asOf: "2025-01-07T00:00:00.000Z",
        pools: [
          { name: "A", share: 0.5 },
          { name: "B", share: 0.3 },
        ],
      },
      {
        asOf: "2025-01-14T00:00:00.000Z",
        pools: [
          { name: "A", share: 0.4 },
          { name: "Unknown", share: 0.2 },
        ],
      },
      { asOf: "2025-01-21T00:00:00.000Z", pools: [] },
    ]);
    expect(s.points.map((p) => p.asOf.slice(0, 10))).toEqual(["2025-01-07", "2025-01-14", "2025-02-04"]);
    // Week 1: A 50 %, B 30 %, 20 % unlisted → HHI 2500 + 900 = 3,400, Nakamoto 2 (50 is not > 50).
    expect(s.points[0]).toMatchObject({ nakamotoCoefficient: 2, unattributedPct: expect.closeTo(20, 9) });
    expect(s.points[0]!.hhi).toBeCloseTo(3400, 9);
    // Week 2: A 40 %, Unknown 20 %, 40 % unlisted → HHI 1,600, no Nakamoto coefficient.
    expect(s.points[1]).toMatchObject({ nakamotoCoefficient: null, unattributedPct: expect.closeTo(60, 9) });
    expect(s.points[1]!.hhi).toBeCloseTo(1600, 9);
    // Week 3: A 60 % → Nakamoto 1; HHI 3600 + 1600 = 5,200.
    expect(s.points[2]!.hhi).toBeCloseTo(5200, 9);
    // 2025-01-14 → 2025-02-04 is 21 days: two weeks missing (the empty 01-21 one and 01-28).
    expect(s.gaps).toEqual([
      { after: "2025-01-14T00:00:00.000Z", before: "2025-02-04T00:00:00.000Z", missingWeeks: 2 },
    ]);
    expect(s.emptyWeeks).toEqual(["2025-01-21T00:00:00.000Z"]);
  });
});

describe("dates without the clock", () => {
  it("isoDays agrees with the calendar", () => {
    expect(isoDays("1970-01-01")).toBe(0);
    // 30 years incl. 7 leap days (72, 76, 80, 84, 88, 92, 96) + Jan (31) + Feb 2000 (29) = 11,017.
    expect(isoDays("2000-03-01")).toBe(30 * 365 + 7 + 31 + 29);
    expect(isoDays("2024-05-21")).toBe(Date.parse("2024-05-21") / 86_400_000);
    expect(isoDays("2025-12-01T12:00:00.000Z")).toBe(Date.parse("2025-12-01T12:00:00Z") / 86_400_000);
    // A month alone is its 15th; a year alone is 2 July (its middle).
    expect(isoDays("2024-09")).toBe(isoDays("2024-09-15"));
    expect(isoDays("2024")).toBe(isoDays("2024-07-02"));
    expect(() => isoDays("last year")).toThrow(RangeError);
    expect(() => isoDays("2024-13")).toThrow(RangeError);
  });

  it("quarters", () => {
    expect(quarterOf("2024-05-21")).toBe("2024Q2");
    expect(quarterOf("2024-12-31")).toBe("2024Q4");
    expect(quartersBetween("2023-11-02", "2024-04-01")).toEqual(["2023Q4", "2024Q1", "2024Q2"]);
  });
});

describe("pooledSlope: least squares", () => {
  it("one series (worked by hand)", () => {
    // x 0..3, y 1, 3, 5, 7.5: x̄ 1.5, ȳ 4.125; Sxy = 4.6875 + 0.5625 + 0.4375 + 5.0625 = 10.75;
    // Sxx = 5 → b = 2.15, a = 4.125 − 3.225 = 0.9. Residuals 0.1, −0.05, −0.2, 0.15 → SSR 0.075;
    // dof 4 − 2 = 2 → SE = √(0.075 / 2 / 5) = √0.0075 = 0.0866025.
    const fit = pooledSlope([
      [
        { x: 0, y: 1 },
        { x: 1, y: 3 },
        { x: 2, y: 5 },
        { x: 3, y: 7.5 },
      ],
    ])!;
    expect(fit.slope).toBeCloseTo(2.15, 12);
    expect(fit.intercepts[0]).toBeCloseTo(0.9, 12);
    expect(fit.slopeSe).toBeCloseTo(0.0866025, 6);
    expect(fit).toMatchObject({ points: 4, groups: 1 });
  });

  it("two series share one slope, each with its own intercept", () => {
    // Both fall by 1 per x unit; intercepts 0 and 6; a perfect fit: SE 0 with 4 − 2 − 1 = 1 dof.
    const fit = pooledSlope([
      [
        { x: 0, y: 0 },
        { x: 2, y: -2 },
      ],
      [
        { x: 1, y: 5 },
        { x: 3, y: 3 },
      ],
    ])!;
    expect(fit.slope).toBeCloseTo(-1, 12);
    expect(fit.intercepts).toEqual([expect.closeTo(0, 12), expect.closeTo(6, 12)]);
    expect(fit.slopeSe).toBe(0);
    expect(fit.groups).toBe(2);
  });

  it("is null without two distinct x values, and has no SE without spare points", () => {
    expect(pooledSlope([[{ x: 1, y: 2 }]])).toBeNull();
    expect(
      pooledSlope([
        [
          { x: 1, y: 2 },
          { x: 1, y: 3 },
        ],
      ]),
    ).toBeNull();
    expect(
      pooledSlope([
        [
          { x: 0, y: 0 },
          { x: 1, y: 1 },
        ],
      ])!.slopeSe,
    ).toBeNull();
  });

  it("rates: 2^(12·b) − 1 per year", () => {
    // b = 1/12 log2 per month doubles once a year: +100 %; b = −1/6 quarters twice: −75 %.
    expect(ratePerYearPct(1 / 12)).toBeCloseTo(100, 12);
    expect(ratePerYearPct(-1 / 6)).toBeCloseTo(-75, 12);
    // Over 36 months at b = 1/36: one doubling.
    expect(changeOverPct(1 / 36, 36)).toBeCloseTo(100, 12);
  });
});

describe("verdict thresholds", () => {
  const slopeFit = (slope: number, slopeSe: number | null, points: number): SlopeFit => ({
    slope,
    slopeSe,
    points,
    groups: 1,
    intercepts: [0],
  });

  it("too few points or no spread: stable, insufficient", () => {
    expect(verdictFromFit(null, "centralizing")).toMatchObject({
      direction: "stable",
      confidence: "insufficient",
      points: 0,
    });
    expect(verdictFromFit(slopeFit(0.1, 0.01, 2), "centralizing")).toMatchObject({
      direction: "stable",
      confidence: "insufficient",
    });
    expect(verdictFromFit(slopeFit(0.1, null, 3), "centralizing").confidence).toBe("insufficient");
  });

  it("a slope inside two standard errors is stable with low confidence", () => {
    // |0.01| < 2 × 0.006 = 0.012.
    expect(verdictFromFit(slopeFit(0.01, 0.006, 10), "centralizing")).toMatchObject({
      direction: "stable",
      confidence: "low",
    });
  });

  it("a clear slope under 5 % a year is stable", () => {
    // 2^(12 × 0.003) − 1 = 2^0.036 − 1 = 2.527 % < 5 %.
    const v = verdictFromFit(slopeFit(0.003, 0.0001, 10), "centralizing");
    expect(v).toMatchObject({ direction: "stable", confidence: "medium" });
    expect(v.ratePerYearPct).toBeCloseTo(2.5267, 3);
  });

  it("a rising HHI centralizes; many points far from zero give high confidence", () => {
    // 2^(0.24) − 1 = 18.10 % a year; ±1 SE: 2^(0.228) − 1 = 17.12 %, 2^(0.252) − 1 = 19.09 %.
    const v = verdictFromFit(slopeFit(0.02, 0.001, 10), "centralizing");
    expect(v).toMatchObject({ direction: "centralizing", confidence: "high", points: 10 });
    expect(v.ratePerYearPct).toBeCloseTo(18.102, 2);
    expect(v.rateRangePctPerYear!.low).toBeCloseTo(17.12, 2);
    expect(v.rateRangePctPerYear!.high).toBeCloseTo(19.09, 2);
  });

  it("falling: the opposite direction; fewer than 8 points at most medium", () => {
    // |−0.02| ≥ 2 × 0.008; 2^(−0.24) − 1 = −15.33 %.
    const pools = verdictFromFit(slopeFit(-0.02, 0.008, 5), "centralizing");
    expect(pools).toMatchObject({ direction: "decentralizing", confidence: "medium" });
    expect(pools.ratePerYearPct).toBeCloseTo(-15.33, 2);
    // A measure whose rise decentralizes (e.g. a share of models that fit a phone) reads the other way.
    expect(verdictFromFit(slopeFit(-0.02, 0.008, 5), "decentralizing").direction).toBe("centralizing");
    expect(verdictFromFit(slopeFit(0.02, 0.001, 10), "decentralizing").direction).toBe("decentralizing");
  });
});

describe("open models over time", () => {
  const MODELS: ModelEntry[] = [
    { id: "a", name: "A", released: "2021-01-01", paramsB: 64, score: 71 },
    // Later but bigger: not a record.
    { id: "b", name: "B", released: "2021-06-01", paramsB: 100, score: 90 },
    // Smaller but below the level: ignored.
    { id: "c", name: "C", released: "2021-09-01", paramsB: 1, score: 50 },
    { id: "d", name: "D", released: "2022-01-01", paramsB: 16, score: 70 },
    // No published score: ignored.
    { id: "e", name: "E", released: "2022-06-01", paramsB: 2 },
    { id: "f", name: "F", released: "2023-01-01", paramsB: 4, score: 75 },
  ];

  it("record setters: each smaller than every earlier model at the level", () => {
    expect(recordSetters(MODELS, 70).map((m) => m.id)).toEqual(["a", "d", "f"]);
  });

  it("halving time by least squares on log2 params (worked by hand)", () => {
    // log2: 64 → 6, 16 → 4, 4 → 2, one year (365 days = 11.99179 months) apart each: the slope is
    // −2 / 11.99179 = −0.166781 log2 per month → halving every 1 / 0.166781 = 5.99589 months.
    const h = paramsHalving(MODELS, [70]);
    expect(h.fit!.slope).toBeCloseTo(-2 / (365 / (365.25 / 12)), 9);
    expect(h.halvingMonths).toBeCloseTo(5.99589, 4);
    // A perfect fit: SE 0, so the range collapses onto the estimate.
    expect(h.rangeMonths!.low).toBeCloseTo(5.99589, 4);
    expect(h.rangeMonths!.high).toBeCloseTo(5.99589, 4);
    expect(monthsSinceEpoch("2022-01-01") - monthsSinceEpoch("2021-01-01")).toBeCloseTo(11.99179, 5);
  });

  it("no halving when the size needed does not fall", () => {
    const growing: ModelEntry[] = [
      { id: "a", name: "A", released: "2021-01-01", paramsB: 4, score: 80 },
      { id: "b", name: "B", released: "2022-01-01", paramsB: 8, score: 80 },
    ];
    // Only A sets a record (B is bigger): one point, no fit.
    expect(paramsHalving(growing, [70])).toMatchObject({ halvingMonths: null, rangeMonths: null, fit: null });
  });

  it("smallest model per quarter, null before any reaches the level", () => {
    const q = smallestPerQuarter(MODELS, 70, quartersBetween("2020-12-01", "2022-03-31"));
    expect(q.map((x) => [x.quarter, x.model?.id ?? null])).toEqual([
      ["2020Q4", null],
      ["2021Q1", "a"],
      ["2021Q2", "a"],
      ["2021Q3", "a"],
      ["2021Q4", "a"],
      ["2022Q1", "d"],
    ]);
  });

  it("edge share: weights at q4_k_m (0.6 B/param) + 0.5 GB runtime vs usable memory", () => {
    // By 2023Q1 A 64B, B 100B, D 16B, F 4B reach 70. Phone 4.5 GB: F needs 4 × 0.6 + 0.5 = 2.9 GB → 1/4.
    // Laptop 10 GB: D needs 16 × 0.6 + 0.5 = 10.1 GB → no; still 1/4. 12 GB: D fits → 2/4.
    const [q] = edgeShareByQuarter(
      MODELS,
      70,
      [
        { id: "phone", usableMemoryGb: 4.5 },
        { id: "laptop", usableMemoryGb: 10 },
        { id: "big", usableMemoryGb: 12 },
      ],
      ["2023Q1"],
      "q4_k_m",
    );
    expect(q).toEqual({ quarter: "2023Q1", models: 4, shares: { phone: 0.25, laptop: 0.25, big: 0.5 } });
    const [before] = edgeShareByQuarter(
      MODELS,
      70,
      [{ id: "phone", usableMemoryGb: 4.5 }],
      ["2020Q4"],
      "q4_k_m",
    );
    expect(before).toEqual({ quarter: "2020Q4", models: 0, shares: { phone: null } });
  });
});
