import { describe, expect, it } from "vitest";
import {
  concentration,
  HHI_HIGHLY_CONCENTRATED,
  HHI_MODERATELY_CONCENTRATED,
  hhiBand,
  mergeEntities,
  type WeightedEntity,
} from "../../src/domain/concentration.ts";

/** A week of blocks (1000 for round numbers), 120 of them from unidentified miners. */
const pools: WeightedEntity[] = [
  { name: "Foundry USA", weight: 300 },
  { name: "AntPool", weight: 180 },
  { name: "ViaBTC", weight: 120 },
  { name: "F2Pool", weight: 100 },
  { name: "SpiderPool", weight: 80 },
  { name: "MARA Pool", weight: 40 },
  { name: "Binance Pool", weight: 40 },
  { name: "SECPOOL", weight: 20 },
];
const unknownBlocks = 120;

describe("concentration", () => {
  it.each([
    {
      name: "four entities",
      entities: [
        { name: "A", weight: 3 },
        { name: "B", weight: 2 },
        { name: "C", weight: 1 },
        { name: "D", weight: 4 },
      ],
      unattributedWeight: 0,
      // total 10 → D 40 %, A 30 %, B 20 %, C 10 %; 40 ≤ 50, 40 + 30 = 70 > 50 → 2
      nakamoto: 2,
      hhi: 3000, // 40² + 30² + 20² + 10² = 1600 + 900 + 400 + 100
      order: ["D", "A", "B", "C"],
      unattributedPct: 0,
    },
    {
      name: "exactly half is not a majority",
      entities: [
        { name: "A", weight: 1 },
        { name: "B", weight: 1 },
      ],
      unattributedWeight: 0,
      // A 50 % is not more than 50 %; A + B = 100 % → 2
      nakamoto: 2,
      hhi: 5000, // 50² + 50²
      order: ["A", "B"],
      unattributedPct: 0,
    },
    {
      name: "a single entity",
      entities: [{ name: "Solo", weight: 7 }],
      unattributedWeight: 0,
      nakamoto: 1, // 100 % > 50 %
      hhi: 10_000, // 100²
      order: ["Solo"],
      unattributedPct: 0,
    },
    {
      name: "pools with Unknown blocks in the total but not as an entity",
      entities: pools,
      unattributedWeight: unknownBlocks,
      // total 880 named + 120 unknown = 1000 → 30, 18, 12, 10, 8, 4, 4, 2 %
      // 30 → 48 → 60 > 50 → 3
      nakamoto: 3,
      // 30² + 18² + 12² + 10² + 8² + 4² + 4² + 2² = 900 + 324 + 144 + 100 + 64 + 16 + 16 + 4 = 1568
      hhi: 1568,
      // Binance Pool and MARA Pool tie at 40 blocks: by name
      order: [
        "Foundry USA",
        "AntPool",
        "ViaBTC",
        "F2Pool",
        "SpiderPool",
        "Binance Pool",
        "MARA Pool",
        "SECPOOL",
      ],
      unattributedPct: 12, // 120 / 1000
    },
    {
      name: "no majority among named entities → null",
      entities: [
        { name: "A", weight: 30 },
        { name: "B", weight: 15 },
      ],
      unattributedWeight: 55,
      // total 100: 30 + 15 = 45 ≤ 50 even with every named entity
      nakamoto: null,
      hhi: 1125, // 30² + 15² = 900 + 225; the 55 % unknown is not squared
      order: ["A", "B"],
      unattributedPct: 55,
      // 55% unknown ≥ A's 30%: the unknown could hide an entity bigger than A, so HHI ≥ 1125 only.
      lowerBound: true,
    },
    {
      name: "float sum of exactly half is not a majority",
      entities: [
        { name: "A", weight: 16.8 },
        { name: "B", weight: 16.6 },
        { name: "C", weight: 16.6 },
        { name: "D", weight: 10 },
        { name: "E", weight: 10 },
        { name: "F", weight: 10 },
        { name: "G", weight: 10 },
        { name: "H", weight: 10 },
      ],
      unattributedWeight: 0,
      // 16.8 + 16.6 + 16.6 = 50 exactly (50.00000000000001 in floating point) → not > 50;
      // + 10 = 60 > 50 → 4
      nakamoto: 4,
      // 16.8² + 2 × 16.6² + 5 × 10² = 282.24 + 551.12 + 500 = 1333.36
      hhi: 1333.36,
      order: ["A", "B", "C", "D", "E", "F", "G", "H"],
      unattributedPct: 0,
    },
    {
      name: "zero-weight entities are dropped",
      entities: [
        { name: "Gone", weight: 0 },
        { name: "B", weight: 1 },
        { name: "A", weight: 3 },
      ],
      unattributedWeight: 0,
      // total 4: A 75 %, B 25 % → A alone > 50 → 1
      nakamoto: 1,
      hhi: 6250, // 75² + 25² = 5625 + 625
      order: ["A", "B"],
      unattributedPct: 0,
    },
    {
      name: "only unattributed weight",
      entities: [],
      unattributedWeight: 10,
      nakamoto: null,
      hhi: 0,
      order: [],
      unattributedPct: 100,
      lowerBound: true,
    },
  ] as Array<{
    name: string;
    entities: { name: string; weight: number }[];
    unattributedWeight: number;
    nakamoto: number | null;
    hhi: number;
    order: string[];
    unattributedPct: number;
    lowerBound?: boolean;
  }>)("$name", ({ entities, unattributedWeight, nakamoto, hhi, order, unattributedPct, lowerBound }) => {
    const result = concentration(entities, { unattributedWeight });
    expect(result.nakamotoCoefficient).toBe(nakamoto);
    expect(result.hhi).toBeCloseTo(hhi, 9);
    expect(result.entities.map((e) => e.name)).toEqual(order);
    expect(result.unattributedPct).toBeCloseTo(unattributedPct, 12);
    expect(result.lowerBound).toBe(lowerBound ?? false);
  });

  it("reports shares in percent of the whole, Unknown included", () => {
    const result = concentration(pools, { unattributedWeight: unknownBlocks });
    // 300 / 1000 = 30 %, 180 / 1000 = 18 %, …
    expect(result.entities.map((e) => e.sharePct)).toEqual([30, 18, 12, 10, 8, 4, 4, 2]);
  });

  it.each([
    {
      name: "ASIC makers: Bitmain 82 %, rest unsplit",
      entities: [{ name: "Bitmain", weight: 82 }],
      opts: { unattributedWeight: 18, remainderIsUnsplit: true },
      lowerBound: true,
      nakamoto: 1, // 82 > 50
      hhi: 6724, // 82²; the 18 % could only add to it
      unattributedPct: 18,
    },
    {
      name: "same weights, remainder is many unknown pools",
      entities: [{ name: "Bitmain", weight: 82 }],
      opts: { unattributedWeight: 18 },
      lowerBound: false,
      nakamoto: 1,
      hhi: 6724,
      unattributedPct: 18,
    },
    {
      name: "unsplit flag with nothing left over is exact",
      entities: [
        { name: "Bitmain", weight: 82 },
        { name: "MicroBT", weight: 18 },
      ],
      opts: { remainderIsUnsplit: true },
      lowerBound: false,
      nakamoto: 1,
      hhi: 7048, // 82² + 18² = 6724 + 324
      unattributedPct: 0,
    },
    {
      name: "pool table where Unknown outweighs the top pool is a lower bound",
      // 1w snapshot shape: Foundry 310, AntPool 213, ViaBTC 137, Unknown 338 of 998 blocks.
      entities: [
        { name: "Foundry USA", weight: 310 },
        { name: "AntPool", weight: 213 },
        { name: "ViaBTC", weight: 137 },
      ],
      opts: { unattributedWeight: 338 },
      lowerBound: true,
      nakamoto: 2, // 31.06 + 21.34 = 52.40 > 50
      // (31000/998)² + (21300/998)² + (13700/998)² = 964.86 + 455.51 + 188.44 = 1608.81
      hhi: (31000 / 998) ** 2 + (21300 / 998) ** 2 + (13700 / 998) ** 2,
      unattributedPct: 33800 / 998, // 33.87%
    },
  ])("$name", ({ entities, opts, lowerBound, nakamoto, hhi, unattributedPct }) => {
    const result = concentration(entities, opts);
    expect(result.lowerBound).toBe(lowerBound);
    expect(result.nakamotoCoefficient).toBe(nakamoto);
    expect(result.hhi).toBeCloseTo(hhi, 9);
    expect(result.unattributedPct).toBeCloseTo(unattributedPct, 12);
  });

  it("does not reorder the caller's array", () => {
    const input = [
      { name: "small", weight: 1 },
      { name: "big", weight: 2 },
    ];
    concentration(input);
    expect(input.map((e) => e.name)).toEqual(["small", "big"]);
  });

  it.each<[string, WeightedEntity[], { unattributedWeight?: number }]>([
    ["a negative weight", [{ name: "A", weight: -1 }], {}],
    ["a NaN weight", [{ name: "A", weight: Number.NaN }], {}],
    ["an infinite weight", [{ name: "A", weight: Number.POSITIVE_INFINITY }], {}],
    ["a negative unattributed weight", [{ name: "A", weight: 1 }], { unattributedWeight: -1 }],
    ["no weight at all", [], {}],
    ["only zero weights", [{ name: "A", weight: 0 }], { unattributedWeight: 0 }],
    [
      "duplicate names (case-insensitive)",
      [
        { name: "AntPool", weight: 1 },
        { name: "antpool", weight: 2 },
      ],
      {},
    ],
  ])("rejects %s", (_label, entities, opts) => {
    expect(() => concentration(entities, opts)).toThrow(RangeError);
  });
});

describe("mergeEntities", () => {
  it.each([
    {
      name: "pools on AntPool's template, matched case-insensitively, in the first member's place",
      entities: pools,
      members: ["antpool", "BINANCE POOL", "secpool"],
      expected: [
        { name: "Foundry USA", weight: 300 },
        { name: "G", weight: 240 }, // AntPool 180 + Binance Pool 40 + SECPOOL 20
        { name: "ViaBTC", weight: 120 },
        { name: "F2Pool", weight: 100 },
        { name: "SpiderPool", weight: 80 },
        { name: "MARA Pool", weight: 40 },
      ],
    },
    {
      name: "members listed in any order",
      entities: [
        { name: "x", weight: 1 },
        { name: "b", weight: 2 },
        { name: "y", weight: 4 },
        { name: "a", weight: 8 },
      ],
      members: ["A", "B"],
      expected: [
        { name: "x", weight: 1 },
        { name: "G", weight: 10 }, // b 2 + a 8, where b stood
        { name: "y", weight: 4 },
      ],
    },
    {
      name: "a single matching member is renamed",
      entities: [
        { name: "x", weight: 1 },
        { name: "a", weight: 8 },
      ],
      members: ["a", "missing"],
      expected: [
        { name: "x", weight: 1 },
        { name: "G", weight: 8 },
      ],
    },
  ])("$name", ({ entities, members, expected }) => {
    expect(mergeEntities(entities, "G", members)).toEqual(expected);
  });

  it("changes the Nakamoto coefficient and HHI once template sharers count as one", () => {
    const merged = mergeEntities(pools, "AntPool group", ["AntPool", "Binance Pool", "SECPOOL"]);
    const result = concentration(merged, { unattributedWeight: unknownBlocks });
    // shares 30, 24, 12, 10, 8, 4 %: 30 + 24 = 54 > 50 → 2 (was 3)
    expect(result.nakamotoCoefficient).toBe(2);
    // 30² + 24² + 12² + 10² + 8² + 4² = 900 + 576 + 144 + 100 + 64 + 16 = 1800
    expect(result.hhi).toBeCloseTo(1800, 9);
  });

  it("leaves entities untouched when no member matches", () => {
    expect(mergeEntities(pools, "Group", ["Nobody"])).toEqual(pools);
  });

  it("is idempotent: the group name counts as a member", () => {
    const once = mergeEntities(pools, "AntPool group", ["AntPool", "SECPOOL"]);
    const twice = mergeEntities(once, "AntPool group", ["AntPool", "SECPOOL"]);
    expect(twice).toEqual(once);
    // 180 + 20 = 200
    expect(twice.find((e) => e.name === "AntPool group")?.weight).toBe(200);
  });

  it("does not mutate its input", () => {
    const input = [
      { name: "A", weight: 1 },
      { name: "B", weight: 2 },
    ];
    mergeEntities(input, "AB", ["A", "B"]);
    expect(input).toEqual([
      { name: "A", weight: 1 },
      { name: "B", weight: 2 },
    ]);
  });
});

describe("hhiBand", () => {
  it("uses the 2023 US merger-guideline thresholds", () => {
    expect(HHI_HIGHLY_CONCENTRATED).toBe(1800);
    expect(HHI_MODERATELY_CONCENTRATED).toBe(1000);
  });

  it.each([
    { hhi: 0, band: "unconcentrated" },
    { hhi: 999.99, band: "unconcentrated" },
    { hhi: 1000, band: "moderately concentrated" }, // 1000–1800 inclusive
    { hhi: 1568, band: "moderately concentrated" }, // the pools example above
    { hhi: 1800, band: "moderately concentrated" }, // "above 1,800" is highly
    { hhi: 1800.01, band: "highly concentrated" },
    { hhi: 6724, band: "highly concentrated" }, // Bitmain 82 % alone
    { hhi: 10_000, band: "highly concentrated" }, // monopoly
    { hhi: 10_000.000_000_01, band: "highly concentrated" }, // float noise above a monopoly
  ])("$hhi → $band", ({ hhi, band }) => {
    expect(hhiBand(hhi)).toBe(band);
  });

  it.each([-1, Number.NaN, 10_001, Number.POSITIVE_INFINITY])("rejects %s", (hhi) => {
    expect(() => hhiBand(hhi)).toThrow(RangeError);
  });
});
