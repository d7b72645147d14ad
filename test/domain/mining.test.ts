import { describe, expect, it } from "vitest";
import {
  BLOCKS_PER_DAY,
  difficultyFromHashrateEhs,
  hashrateEhsFromDifficulty,
  hashrateHsFromDifficulty,
  type MiningInputs,
  machineEconomics,
  miningEconomics,
  subsidyBtc,
  TWO_POW_32,
} from "../../src/domain/mining.ts";

/** Late-2025 network: D = 155.97 T, $90,000, 3.125 BTC subsidy + 0.036 BTC fees, fleet-average
 * 28.2 J/TH, $0.05/kWh, no cooling overhead, no pool fee. */
const realistic: MiningInputs = {
  difficulty: 155.97e12,
  btcPriceUsd: 90_000,
  subsidyBtc: 3.125,
  feesPerBlockBtc: 0.036,
  efficiencyJPerTh: 28.2,
  usdPerKwh: 0.05,
  pue: 1,
  poolFee: 0,
};

describe("constants", () => {
  it("match the protocol", () => {
    expect(BLOCKS_PER_DAY).toBe(144); // 86,400 s / 600 s
    expect(TWO_POW_32).toBe(4_294_967_296);
  });
});

describe("subsidyBtc", () => {
  it.each([
    { height: 0, btc: 50 }, // 0 halvings
    { height: 209_999, btc: 50 }, // last block of epoch 0
    { height: 210_000, btc: 25 }, // 50 / 2
    { height: 839_999, btc: 6.25 }, // floor(839,999 / 210,000) = 3 → 50 / 8
    { height: 840_000, btc: 3.125 }, // 4 halvings → 50 / 16
    { height: 1_049_999, btc: 3.125 }, // still 4
    { height: 1_050_000, btc: 1.5625 }, // 5 halvings → 50 / 32
    // 10 halvings: 5e9 sats / 1024 = 4,882,812.5 → consensus shifts integers → 4,882,812 sats
    { height: 2_100_000, btc: 0.04882812 },
    // 32 halvings: 5e9 / 2^32 = 1.164 → 1 sat
    { height: 32 * 210_000, btc: 1e-8 },
    // 33 halvings: 5e9 / 2^33 = 0.58 → 0 sats, long before the 64-halving cut-off
    { height: 33 * 210_000, btc: 0 },
    { height: 64 * 210_000 - 1, btc: 0 }, // 63 halvings
    { height: 64 * 210_000, btc: 0 }, // 64 halvings: consensus returns 0 explicitly
    { height: 100 * 210_000, btc: 0 },
  ])("height $height → $btc BTC", ({ height, btc }) => {
    expect(subsidyBtc(height)).toBe(btc);
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])("rejects height %s", (height) => {
    expect(() => subsidyBtc(height)).toThrow(RangeError);
  });
});

describe("hashrate ↔ difficulty", () => {
  it.each([
    // 1 × 2^32 / 600 = 4,294,967,296 / 600 = 7,158,278.8267 H/s
    { difficulty: 1, hs: 7_158_278.826_666_667 },
    // 155.97e12 × 4,294,967,296 = 6.6988604915712e23; / 600 = 1.1164767485952e21 H/s
    { difficulty: 155.97e12, hs: 1.116_476_748_595_2e21 },
  ])("D = $difficulty → $hs H/s", ({ difficulty, hs }) => {
    expect(hashrateHsFromDifficulty(difficulty) / hs).toBeCloseTo(1, 12);
    expect(hashrateEhsFromDifficulty(difficulty) / (hs / 1e18)).toBeCloseTo(1, 12);
  });

  it.each([
    // 1000 EH/s = 1e21 H/s; × 600 / 2^32 = 6e23 / 4,294,967,296 = 1.3969838619e14
    { ehs: 1000, difficulty: 1.396_983_861_923_217_8e14 },
    // 1116.4767485952 EH/s × 1e18 × 600 / 2^32 = 155.97e12 (the inverse of the row above)
    { ehs: 1116.476_748_595_2, difficulty: 155.97e12 },
  ])("$ehs EH/s → D = $difficulty", ({ ehs, difficulty }) => {
    expect(difficultyFromHashrateEhs(ehs) / difficulty).toBeCloseTo(1, 12);
  });

  it("round-trips", () => {
    expect(hashrateEhsFromDifficulty(difficultyFromHashrateEhs(850))).toBeCloseTo(850, 9);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])("rejects %s", (value) => {
    expect(() => hashrateHsFromDifficulty(value)).toThrow(RangeError);
    expect(() => hashrateEhsFromDifficulty(value)).toThrow(RangeError);
    expect(() => difficultyFromHashrateEhs(value)).toThrow(RangeError);
  });
});

describe("miningEconomics", () => {
  it.each([
    {
      name: "realistic late-2025 network, no fee, pue 1",
      inputs: realistic,
      // H = 155.97e12 × 2^32 / 600 = 1.1164767e21 H/s = 1116.4767 EH/s
      networkHashrateEhs: 1116.476_748_595_2,
      rewardPerBlockBtc: 3.161, // 3.125 + 0.036
      // 1e12 × 86,400 / (155.97e12 × 2^32) = 8.64e16 / 6.6988604916e23 = 1.2897716e-7 blocks/day;
      // × 3.161 BTC = 4.0769680e-7 BTC per TH/s per day
      btcPerThDay: 4.076_968_020_809_5e-7,
      kwhPerThDay: 0.6768, // 28.2 J/TH × 24 / 1000 × 1
      energyPerBtcKwh: 1_660_057.171_274, // 0.6768 / 4.0769680e-7
      costPerBtcUsd: 83_002.858_563_705, // 1,660,057.17 kWh × $0.05
      hashpriceUsdPerPhDay: 36.692_712_187_285, // 1000 × 4.0769680e-7 × 90,000
      breakEvenUsdPerKwh: 0.054_215_000_276_7, // 4.0769680e-7 × 90,000 / 0.6768 = 0.036692712 / 0.6768
      marginPct: 7.774_601_595_883, // (90,000 − 83,002.86) / 90,000 × 100
      sensitivityUsdPerCent: 16_600.571_712_741, // 1,660,057.17 × 0.01
    },
    {
      name: "2% pool fee and pue 1.1 push the same network under water",
      inputs: { ...realistic, poolFee: 0.02, pue: 1.1 },
      networkHashrateEhs: 1116.476_748_595_2,
      rewardPerBlockBtc: 3.161,
      btcPerThDay: 3.995_428_660_393_3e-7, // 4.0769680e-7 × 0.98
      kwhPerThDay: 0.744_48, // 0.6768 × 1.1
      energyPerBtcKwh: 1_863_329.477_960_7, // 0.74448 / 3.9954287e-7 (= 1,660,057.17 × 1.1 / 0.98)
      costPerBtcUsd: 93_166.473_898_04, // 1,863,329.48 × 0.05
      hashpriceUsdPerPhDay: 36.692_712_187_285, // gross of pool fee: unchanged
      breakEvenUsdPerKwh: 0.048_300_636_610_17, // 3.9954287e-7 × 90,000 / 0.74448
      marginPct: -3.518_304_331_152, // (90,000 − 93,166.47) / 90,000 × 100
      sensitivityUsdPerCent: 18_633.294_779_607, // 1,863,329.48 × 0.01
    },
    {
      name: "toy network where 1 TH/s finds exactly one block a day",
      // D = 1e12 × 86,400 / 2^32 makes 1e12 × 86,400 / (D × 2^32) = 1 block/day
      inputs: {
        ...realistic,
        difficulty: 86_400e12 / 2 ** 32,
        btcPriceUsd: 100,
        subsidyBtc: 0.5,
        feesPerBlockBtc: 0.5,
        efficiencyJPerTh: 50,
        usdPerKwh: 0.1,
      },
      // D × 2^32 / 600 = 86,400e12 / 600 = 1.44e14 H/s = 1.44e-4 EH/s
      networkHashrateEhs: 1.44e-4,
      rewardPerBlockBtc: 1, // 0.5 + 0.5
      btcPerThDay: 1, // 1 block × 1 BTC
      kwhPerThDay: 1.2, // 50 × 24 / 1000
      energyPerBtcKwh: 1.2, // 1.2 / 1
      costPerBtcUsd: 0.12, // 1.2 × 0.1
      hashpriceUsdPerPhDay: 100_000, // 1000 × 1 × 100
      breakEvenUsdPerKwh: 83.333_333_333, // 1 × 100 / 1.2
      marginPct: 99.88, // (100 − 0.12) / 100 × 100
      sensitivityUsdPerCent: 0.012, // 1.2 × 0.01
    },
  ])("$name", ({ inputs, name: _name, ...expected }) => {
    const result = miningEconomics(inputs);
    for (const [key, value] of Object.entries(expected)) {
      // Relative comparison: the figures span 1e-7 to 1e6.
      expect(result[key as keyof typeof result] / value, key).toBeCloseTo(1, 9);
    }
  });

  it("free power costs nothing per BTC", () => {
    const result = miningEconomics({ ...realistic, usdPerKwh: 0 });
    expect(result.costPerBtcUsd).toBe(0);
    expect(result.marginPct).toBe(100); // (90,000 − 0) / 90,000 × 100
  });

  it.each<[string, Partial<MiningInputs>]>([
    ["negative difficulty", { difficulty: -1 }],
    ["zero difficulty", { difficulty: 0 }],
    ["NaN difficulty", { difficulty: Number.NaN }],
    ["zero price", { btcPriceUsd: 0 }],
    ["negative subsidy", { subsidyBtc: -1 }],
    ["negative fees", { feesPerBlockBtc: -0.1 }],
    ["zero reward", { subsidyBtc: 0, feesPerBlockBtc: 0 }],
    ["zero efficiency", { efficiencyJPerTh: 0 }],
    ["negative power price", { usdPerKwh: -0.01 }],
    ["pue below 1", { pue: 0.9 }],
    ["pool fee of 100%", { poolFee: 1 }],
    ["negative pool fee", { poolFee: -0.01 }],
    ["pool fee given in percent", { poolFee: 2 }],
  ])("rejects %s", (_label, override) => {
    expect(() => miningEconomics({ ...realistic, ...override })).toThrow(RangeError);
  });
});

describe("machineEconomics", () => {
  // Antminer S21 XP: 270 TH/s, 3645 W
  const s21xp = { hashrateThs: 270, powerW: 3645 };

  it.each([
    {
      name: "profitable, with a price",
      machine: { ...s21xp, priceUsd: 6000 },
      inputs: realistic,
      revenueUsdPerDay: 9.907_032_290_567, // 270 × 4.0769680e-7 BTC × 90,000
      powerCostUsdPerDay: 4.374, // 3645 W × 24 / 1000 = 87.48 kWh × 1 × $0.05
      profitUsdPerDay: 5.533_032_290_567, // 9.9070323 − 4.374
      paybackDays: 1084.396_346_327, // 6000 / 5.5330323
    },
    {
      name: "profitable, no price → no payback",
      machine: s21xp,
      inputs: realistic,
      revenueUsdPerDay: 9.907_032_290_567,
      powerCostUsdPerDay: 4.374,
      profitUsdPerDay: 5.533_032_290_567,
      paybackDays: null,
    },
    {
      name: "losing money at $0.15/kWh → no payback",
      machine: { ...s21xp, priceUsd: 6000 },
      inputs: { ...realistic, usdPerKwh: 0.15 },
      revenueUsdPerDay: 9.907_032_290_567, // revenue does not depend on the power price
      powerCostUsdPerDay: 13.122, // 87.48 kWh × $0.15
      profitUsdPerDay: -3.214_967_709_433, // 9.9070323 − 13.122
      paybackDays: null,
    },
    {
      name: "pool fee and pue",
      machine: { ...s21xp, priceUsd: 6000 },
      inputs: { ...realistic, poolFee: 0.02, pue: 1.1 },
      revenueUsdPerDay: 9.708_891_644_756, // 9.9070323 × 0.98
      powerCostUsdPerDay: 4.8114, // 87.48 kWh × 1.1 × $0.05
      profitUsdPerDay: 4.897_491_644_756, // 9.7088916 − 4.8114
      paybackDays: 1225.116_944_594, // 6000 / 4.8974916
    },
  ])("$name", ({ machine, inputs, revenueUsdPerDay, powerCostUsdPerDay, profitUsdPerDay, paybackDays }) => {
    const result = machineEconomics(machine, inputs);
    expect(result.revenueUsdPerDay).toBeCloseTo(revenueUsdPerDay, 9);
    expect(result.powerCostUsdPerDay).toBeCloseTo(powerCostUsdPerDay, 9);
    expect(result.profitUsdPerDay).toBeCloseTo(profitUsdPerDay, 9);
    if (paybackDays === null) expect(result.paybackDays).toBeNull();
    else expect(result.paybackDays).toBeCloseTo(paybackDays, 6);
  });

  it.each([
    { hashrateThs: 0, powerW: 3645 },
    { hashrateThs: 270, powerW: -1 },
    { hashrateThs: Number.NaN, powerW: 3645 },
    { hashrateThs: 270, powerW: 3645, priceUsd: -1 },
  ])("rejects %o", (machine) => {
    expect(() => machineEconomics(machine, realistic)).toThrow(RangeError);
  });

  it("rejects invalid network inputs", () => {
    expect(() => machineEconomics(s21xp, { ...realistic, difficulty: -1 })).toThrow(RangeError);
  });
});
