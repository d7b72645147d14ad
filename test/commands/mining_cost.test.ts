import { describe, expect, it } from "vitest";
import { createCommandRegistry } from "../../commands/index.ts";
import { runTextLine } from "../../src/core/index.ts";
import { consoleInvocation, memoryDeps, memoryNetwork } from "../support/memory-deps.ts";

const registry = createCommandRegistry();
const ask = (line: string, deps = memoryDeps()) =>
  runTextLine(registry, line, { deps, invocation: consoleInvocation });

describe("mining_cost", () => {
  it("computes cost per BTC from live figures (worked by hand)", async () => {
    // Live: D = 155.97e12, P = $90,000, fees 0.036 BTC/block, tip 925,000 → subsidy 3.125, R = 3.161 BTC.
    // BTC per TH/s per day = 1e12 × 86,400 / (155.97e12 × 2^32) × 3.161
    //                      = 8.64e16 / 6.6988605e23 × 3.161 = 1.2897716e-7 × 3.161 = 4.076968e-7
    // kWh per TH/s per day = 28.2 J/TH × 24 / 1000 × PUE 1 = 0.6768
    // energy per BTC = 0.6768 / 4.076968e-7 = 1,660,057 kWh; × $0.05 = $83,002.9 per BTC
    const reply = (await ask("/mining_cost usd_per_kwh=0.05 efficiency=28.2 pool_fee=0"))!;
    expect(reply.error).toBeUndefined();
    expect(reply.data.btcPerThDay).toBeCloseTo(4.076968e-7, 12);
    expect(reply.data.energyPerBtcKwh).toBeCloseTo(1_660_057, -1);
    expect(reply.data.costPerBtcUsd).toBeCloseTo(83_002.9, 0);
    // hashprice = 1000 × 1.2897716e-7 × 3.161 × 90,000 = $36.69 per PH/s per day
    expect(reply.data.hashpriceUsdPerPhDay).toBeCloseTo(36.69, 2);
    // break-even = 4.076968e-7 × 90,000 / 0.6768 = $0.054215/kWh
    expect(reply.data.breakEvenUsdPerKwh).toBeCloseTo(0.054215, 5);
    // margin = (90,000 − 83,002.9) / 90,000 = 7.775%; sensitivity = 1,660,057 × 0.01 = $16,600.6
    expect(reply.data.marginPct).toBeCloseTo(7.775, 2);
    expect(reply.data.sensitivityUsdPerCent).toBeCloseTo(16_600.6, 0);
    expect(reply.data.networkHashrateEhs).toBeCloseTo(1116.48, 1);
    expect(reply.summary).toContain("$83,003");
    expect(reply.sources.map((s) => s.name)).toEqual([
      "BTC price",
      "Network difficulty",
      "Fees per block",
      "Block height",
    ]);
  });

  it("applies the default 2% pool fee and the fleet-average efficiency, and says so", async () => {
    // Same as above with 2% fee: energy per BTC = 1,660,057 / 0.98 = 1,693,936 kWh; × $0.05 = $84,696.8
    const reply = (await ask("/mining_cost usd_per_kwh=0.05"))!;
    expect(reply.data.poolFee).toBe(2);
    expect(reply.data.efficiencyJPerTh).toBe(28.2);
    expect(reply.data.costPerBtcUsd).toBeCloseTo(84_696.8, 0);
    const assumptions = reply.fields.find((f) => f.name === "Assumptions")!.value;
    expect(assumptions).toContain("fleet-average efficiency 28.2 J/TH");
  });

  it("takes the region's power price and a machine's efficiency and daily profit", async () => {
    const deps = memoryDeps();
    const region = deps.snapshot.regions.find((r) => r.id === "paraguay")!;
    const machine = deps.snapshot.machines.find((m) => m.id === "s21_xp")!;
    const reply = (await ask('/mining_cost paraguay machine="S21 XP" pool_fee=0', deps))!;
    expect(reply.data.usdPerKwh).toBe(region.usdPerKwh);
    expect(reply.data.efficiencyJPerTh).toBe(machine.efficiencyJPerTh);
    const m = reply.data.machine as {
      revenueUsdPerDay: number;
      powerCostUsdPerDay: number;
      profitUsdPerDay: number;
    };
    // revenue = TH/s × BTC per TH/s per day × price; power = W × 24 h / 1000 × $/kWh
    expect(m.revenueUsdPerDay).toBeCloseTo(machine.hashrateThs * 4.076968e-7 * 90_000, 2);
    expect(m.powerCostUsdPerDay).toBeCloseTo(((machine.powerW * 24) / 1000) * region.usdPerKwh, 6);
    expect(m.profitUsdPerDay).toBeCloseTo(m.revenueUsdPerDay - m.powerCostUsdPerDay, 9);
    expect(reply.sources.map((s) => s.name)).toContain("Power price, Paraguay");
  });

  it("lets overrides win over live data and fetches nothing it does not need", async () => {
    const network = memoryNetwork();
    // hashrate_ehs=1000 → D = 1000e18 × 600 / 2^32 = 1.396984e14
    const reply = (await ask(
      "/mining_cost usd_per_kwh=0.05 price=100000 hashrate_ehs=1000 fees_btc=0 height=1050000",
      memoryDeps({ network }),
    ))!;
    expect(reply.data.difficulty).toBeCloseTo(1.396984e14, -9);
    expect(reply.data.subsidyBtc).toBe(1.5625);
    expect(reply.data.btcPriceUsd).toBe(100_000);
    expect(network.calls).toEqual([]);
    expect(reply.fields.find((f) => f.name === "Inputs")!.value).toContain(
      "set by you: price, hashrate_ehs, fees_btc, height",
    );
  });

  it.each([
    ["/mining_cost atlantis", "unknown_name", 'Unknown region "atlantis"'],
    ["/mining_cost paragay", "unknown_name", "Did you mean paraguay?"],
    ["/mining_cost usd_per_kwh=-1", "invalid_value", "Invalid usd_per_kwh: must be a number from 0 to 2"],
    ["/mining_cost usd_per_kwh=abc", "invalid_value", "usd_per_kwh must be a number"],
    ["/mining_cost machine=S99", "unknown_name", 'Unknown machine "S99"'],
    [
      "/mining_cost difficulty=1e14 hashrate_ehs=900",
      "invalid_value",
      "Give difficulty or hashrate_ehs, not both",
    ],
    ["/mining_cost pue=0.5", "invalid_value", "Invalid pue: must be a number from 1 to 3"],
  ])("%s → %s", async (line, code, message) => {
    const reply = (await ask(line))!;
    expect(reply.error?.code).toBe(code);
    expect(reply.summary).toContain(message);
  });

  it("warns when live figures came from the snapshot", async () => {
    const reply = (await ask("/mining_cost texas", memoryDeps({ network: memoryNetwork({}, "snapshot") })))!;
    expect(reply.warnings.join(" ")).toContain(
      "Live data unavailable, answered from the bundled snapshot: BTC price",
    );
  });
});

describe("network-wide default (no region) agrees with migration", () => {
  // Shares (Hashrate Index, start of Q3 2025) × prices ($/kWh):
  //   US 35.81 × 0.086 = 3.07966; Russia 16.61 × 0.033 = 0.54813; China 13.84 × 0.065 = 0.89960;
  //   Paraguay 3.87 × 0.048 = 0.18576; UAE 3.54 × 0.063 = 0.22302; Oman 2.99 × 0.037 = 0.11063;
  //   Canada 2.935 × 0.0444 = 0.130314.  Σ = 5.177114 over Σ shares 79.595 → $0.0650432/kWh.
  // Energy per BTC at 28.2 J/TH, 2% pool fee (live figures): 1,660,057 ÷ 0.98 = 1,693,936 kWh.
  // Cost per BTC = 1,693,936 × 0.0650432 = $110,179.
  const NETWORK_USD_PER_KWH = 5.177114 / 79.595;
  const COST_PER_BTC = 110_179.02;

  it("mining_cost without a region answers at the hashrate-weighted price, and says so", async () => {
    const reply = (await ask("/mining_cost"))!;
    expect(reply.error).toBeUndefined();
    expect(reply.data.region).toBe("network");
    expect(reply.data.usdPerKwh).toBeCloseTo(NETWORK_USD_PER_KWH, 12);
    expect(reply.data.poolFee).toBe(2);
    expect(reply.data.costPerBtcUsd).toBeCloseTo(COST_PER_BTC, 0);
    expect(reply.title).toContain("network-wide average");
    const assumptions = reply.fields.find((f) => f.name === "Assumptions")!.value;
    expect(assumptions).toContain(
      "weighted by its hashrate share, over 7 countries holding 79.6% of hashrate",
    );
  });

  it("migration's network-wide average and its what-if 'before' equal mining_cost's default", async () => {
    const plain = (await ask("/migration"))!;
    expect(plain.data.avgCostPerBtcUsd).toBeCloseTo(COST_PER_BTC, 0);
    expect(plain.data.networkUsdPerKwh).toBeCloseTo(NETWORK_USD_PER_KWH, 12);
    const whatIf = (await ask("/migration from=us_average to=paraguay ehs=10"))!;
    const scenario = whatIf.data.scenario as { before: { avgCostPerBtcUsd: number } };
    expect(scenario.before.avgCostPerBtcUsd).toBeCloseTo(COST_PER_BTC, 0);
    const cost = (await ask("/mining_cost"))!;
    expect(cost.data.costPerBtcUsd).toBeCloseTo(plain.data.avgCostPerBtcUsd as number, 6);
  });

  it("a named region still answers for that region, labelled with its tariff", async () => {
    // Québec Rate L: 0.0444 $/kWh × 1,693,936 kWh = $75,210.75
    const reply = (await ask("/mining_cost canada"))!;
    expect(reply.data.region).toBe("canada");
    expect(reply.data.costPerBtcUsd).toBeCloseTo(75_210.75, 0);
    expect(reply.title).toBe("Cost to mine 1 BTC — Canada");
    const assumptions = reply.fields.find((f) => f.name === "Assumptions")!.value;
    expect(assumptions).toContain("Canada power at $0.0444/kWh, Québec Rate L, existing large power");
  });
});
