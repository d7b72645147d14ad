import { describe, expect, it } from "vitest";
import { capacityEhs, moveHashrate, rankRegionsByCost } from "../../src/domain/migration.ts";
import type { MiningInputs } from "../../src/domain/mining.ts";

/** Same network as mining.test.ts: energy per BTC = 0.6768 kWh / 4.0769680e-7 BTC = 1,660,057.17 kWh. */
const base: Omit<MiningInputs, "usdPerKwh"> = {
  difficulty: 155.97e12,
  btcPriceUsd: 90_000,
  subsidyBtc: 3.125,
  feesPerBlockBtc: 0.036,
  efficiencyJPerTh: 28.2,
  pue: 1,
  poolFee: 0,
};

describe("rankRegionsByCost", () => {
  it("ranks cheapest first and flags regions whose power alone costs more than a BTC", () => {
    const ranked = rankRegionsByCost(
      [
        { id: "us", name: "United States", usdPerKwh: 0.08, sharePct: 38 },
        { id: "py", name: "Paraguay", usdPerKwh: 0.045, sharePct: 4 },
        { id: "kz", name: "Kazakhstan", usdPerKwh: 0.06, sharePct: 3 },
        { id: "et", name: "Ethiopia", usdPerKwh: 0.032, sharePct: 2 },
        { id: "ru", name: "Russia", usdPerKwh: 0.054, sharePct: 4.7 },
      ],
      base,
    );
    expect(ranked.map((r) => [r.id, r.underwater])).toEqual([
      ["et", false],
      ["py", false],
      ["ru", false],
      ["kz", true],
      ["us", true],
    ]);
    const costs = Object.fromEntries(ranked.map((r) => [r.id, r.costPerBtcUsd]));
    expect(costs.et).toBeCloseTo(53_121.83, 2); // 1,660,057.17 × 0.032
    expect(costs.py).toBeCloseTo(74_702.57, 2); // 1,660,057.17 × 0.045
    expect(costs.ru).toBeCloseTo(89_643.09, 2); // 1,660,057.17 × 0.054 — just under $90,000
    expect(costs.kz).toBeCloseTo(99_603.43, 2); // 1,660,057.17 × 0.06 > $90,000
    expect(costs.us).toBeCloseTo(132_804.57, 2); // 1,660,057.17 × 0.08
    expect(ranked[0]).toMatchObject({ name: "Ethiopia", usdPerKwh: 0.032, sharePct: 2 });
  });

  it.each([
    // break-even 90,000 / 1,660,057.17 = $0.05421500028 per kWh: just at or below it is not under water
    { usdPerKwh: 0.054_215_000_276_7, underwater: false },
    { usdPerKwh: 0.0543, underwater: true }, // 1,660,057.17 × 0.0543 = 90,141.1
  ])("at $usdPerKwh $/kWh underwater = $underwater", ({ usdPerKwh, underwater }) => {
    const [region] = rankRegionsByCost([{ id: "x", name: "X", usdPerKwh, sharePct: 1 }], base);
    expect(region?.underwater).toBe(underwater);
  });

  it("orders equal costs by id", () => {
    const ranked = rankRegionsByCost(
      [
        { id: "b", name: "B", usdPerKwh: 0.05, sharePct: 1 },
        { id: "a", name: "A", usdPerKwh: 0.05, sharePct: 1 },
      ],
      base,
    );
    expect(ranked.map((r) => r.id)).toEqual(["a", "b"]);
  });

  it("returns nothing for no regions", () => {
    expect(rankRegionsByCost([], base)).toEqual([]);
  });

  it("rejects a negative power price", () => {
    expect(() => rankRegionsByCost([{ id: "x", name: "X", usdPerKwh: -0.01, sharePct: 1 }], base)).toThrow(
      RangeError,
    );
  });
});

describe("capacityEhs", () => {
  it.each([
    // 100 MW = 1e8 W = 1e8 J/s; / 20 J/TH = 5e6 TH/s = 5 EH/s
    { megawatts: 100, efficiencyJPerTh: 20, ehs: 5 },
    // 50e6 J/s / 28.2 J/TH = 1,773,049.6 TH/s = 1.7730496 EH/s
    { megawatts: 50, efficiencyJPerTh: 28.2, ehs: 1.773_049_645 },
    // 1000 MW / 13.5 J/TH (Antminer S21 XP) = 74.074 EH/s
    { megawatts: 1000, efficiencyJPerTh: 13.5, ehs: 74.074_074_074 },
    { megawatts: 0, efficiencyJPerTh: 20, ehs: 0 },
  ])("$megawatts MW at $efficiencyJPerTh J/TH → $ehs EH/s", ({ megawatts, efficiencyJPerTh, ehs }) => {
    expect(capacityEhs(megawatts, efficiencyJPerTh)).toBeCloseTo(ehs, 8);
  });

  it.each([
    [-1, 20],
    [100, 0],
    [100, -20],
    [Number.NaN, 20],
    [100, Number.NaN],
  ])("rejects %s MW at %s J/TH", (megawatts, efficiency) => {
    expect(() => capacityEhs(megawatts, efficiency)).toThrow(RangeError);
  });
});

describe("moveHashrate", () => {
  // 1000 EH/s in all: 620 listed + 380 elsewhere
  const regions = [
    { id: "us", hashrateEhs: 400, costPerBtcUsd: 100_000 },
    { id: "ru", hashrateEhs: 150, costPerBtcUsd: 90_000 },
    { id: "py", hashrateEhs: 50, costPerBtcUsd: 75_000 },
    { id: "et", hashrateEhs: 20, costPerBtcUsd: 50_000 },
  ];
  const otherEhs = 380;

  it.each([
    {
      name: "100 EH/s from the US to Paraguay",
      move: { from: "us", to: "py", movedEhs: 100 },
      // shares 40, 15, 5, 2 %: HHI 1600 + 225 + 25 + 4 = 1854; 40 → 55 > 50 → 2
      before: { hhi: 1854, nakamotoCoefficient: 2 },
      // (400×100,000 + 150×90,000 + 50×75,000 + 20×50,000) / 620 = 58,250,000 / 620 = 93,951.6129
      beforeAvg: 93_951.612_903,
      // us 300, py 150 → 30, 15, 15, 2 %: HHI 900 + 225 + 225 + 4 = 1354; 30 → 45 → 60 > 50 → 3
      after: { hhi: 1354, nakamotoCoefficient: 3 },
      // (300×100,000 + 150×90,000 + 150×75,000 + 20×50,000) / 620 = 55,750,000 / 620 = 89,919.3548
      afterAvg: 89_919.354_839,
      sharesBefore: { us: 40, ru: 15, py: 5, et: 2 },
      sharesAfter: { us: 30, ru: 15, py: 15, et: 2 },
    },
    {
      name: "all of Ethiopia to the US",
      move: { from: "et", to: "us", movedEhs: 20 },
      before: { hhi: 1854, nakamotoCoefficient: 2 },
      beforeAvg: 93_951.612_903,
      // us 420 → 42, 15, 5, 0 %: HHI 1764 + 225 + 25 = 2014; 42 → 57 > 50 → 2
      after: { hhi: 2014, nakamotoCoefficient: 2 },
      // (420×100,000 + 150×90,000 + 50×75,000) / 620 = 59,250,000 / 620 = 95,564.5161
      afterAvg: 95_564.516_129,
      sharesBefore: { us: 40, ru: 15, py: 5, et: 2 },
      sharesAfter: { us: 42, ru: 15, py: 5, et: 0 },
    },
  ])("$name", ({ move, before, beforeAvg, after, afterAvg, sharesBefore, sharesAfter }) => {
    const scenario = moveHashrate(regions, move, otherEhs);
    expect(scenario).toMatchObject({ ...move });
    expect(scenario.before.nakamotoCoefficient).toBe(before.nakamotoCoefficient);
    expect(scenario.before.hhi).toBeCloseTo(before.hhi, 9);
    expect(scenario.before.avgCostPerBtcUsd).toBeCloseTo(beforeAvg, 5);
    expect(scenario.after.nakamotoCoefficient).toBe(after.nakamotoCoefficient);
    expect(scenario.after.hhi).toBeCloseTo(after.hhi, 9);
    expect(scenario.after.avgCostPerBtcUsd).toBeCloseTo(afterAvg, 5);
    expect(scenario.sharesBefore).toEqual(sharesBefore);
    expect(scenario.sharesAfter).toEqual(sharesAfter);
  });

  it("without other hashrate the listed regions make the whole", () => {
    const scenario = moveHashrate(
      [
        { id: "a", hashrateEhs: 60, costPerBtcUsd: 80_000 },
        { id: "b", hashrateEhs: 40, costPerBtcUsd: 40_000 },
      ],
      { from: "a", to: "b", movedEhs: 20 },
    );
    // 60/40 → 40/60: HHI 3600 + 1600 = 5200 both times; one region > 50 % both times
    expect(scenario.before).toEqual({ hhi: 5200, nakamotoCoefficient: 1, avgCostPerBtcUsd: 64_000 }); // (60×80k + 40×40k) / 100
    expect(scenario.after).toEqual({ hhi: 5200, nakamotoCoefficient: 1, avgCostPerBtcUsd: 56_000 }); // (40×80k + 60×40k) / 100
    expect(scenario.sharesAfter).toEqual({ a: 40, b: 60 });
  });

  it("does not mutate its input", () => {
    const input = regions.map((r) => ({ ...r }));
    moveHashrate(input, { from: "us", to: "py", movedEhs: 100 }, otherEhs);
    expect(input).toEqual(regions);
  });

  it.each([
    ["from = to", { from: "us", to: "us", movedEhs: 1 }, otherEhs],
    ["unknown from", { from: "cn", to: "us", movedEhs: 1 }, otherEhs],
    ["unknown to", { from: "us", to: "cn", movedEhs: 1 }, otherEhs],
    ["zero moved", { from: "us", to: "py", movedEhs: 0 }, otherEhs],
    ["negative moved", { from: "us", to: "py", movedEhs: -5 }, otherEhs],
    ["NaN moved", { from: "us", to: "py", movedEhs: Number.NaN }, otherEhs],
    ["more than from has", { from: "et", to: "us", movedEhs: 20.1 }, otherEhs],
    ["negative other hashrate", { from: "us", to: "py", movedEhs: 1 }, -1],
  ])("rejects %s", (_label, move, other) => {
    expect(() => moveHashrate(regions, move, other)).toThrow(RangeError);
  });

  it("rejects duplicate region ids", () => {
    expect(() =>
      moveHashrate(
        [
          { id: "a", hashrateEhs: 1, costPerBtcUsd: 1 },
          { id: "a", hashrateEhs: 1, costPerBtcUsd: 1 },
          { id: "b", hashrateEhs: 1, costPerBtcUsd: 1 },
        ],
        { from: "a", to: "b", movedEhs: 1 },
      ),
    ).toThrow(RangeError);
  });
});
