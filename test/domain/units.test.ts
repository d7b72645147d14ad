import { describe, expect, it } from "vitest";
import { btcToSats, kwhPerDayFromWatts, satsToBtc } from "../../src/domain/units.ts";

describe("satsToBtc / btcToSats", () => {
  it.each([
    // 1e8 sats per BTC
    { sats: 100_000_000, btc: 1 },
    { sats: 312_500_000, btc: 3.125 }, // 3.125 × 1e8
    { sats: 1, btc: 1e-8 },
    { sats: 0, btc: 0 },
  ])("$sats sats = $btc BTC", ({ sats, btc }) => {
    expect(satsToBtc(sats)).toBeCloseTo(btc, 12);
    expect(btcToSats(btc)).toBe(sats);
  });

  it("rounds BTC to whole sats", () => {
    // 0.1 + 0.2 = 0.30000000000000004 BTC → 30,000,000.000000004 sats → 30,000,000
    expect(btcToSats(0.1 + 0.2)).toBe(30_000_000);
  });
});

describe("kwhPerDayFromWatts", () => {
  it.each([
    { watts: 1000, kwh: 24 }, // 1000 W × 24 h / 1000 = 24 kWh
    { watts: 3645, kwh: 87.48 }, // 3645 × 24 / 1000 = 87.48 kWh (Antminer S21 XP)
    { watts: 28.2, kwh: 0.6768 }, // 28.2 × 24 / 1000 = 0.6768 kWh (1 TH/s at 28.2 J/TH)
  ])("$watts W for a day = $kwh kWh", ({ watts, kwh }) => {
    expect(kwhPerDayFromWatts(watts)).toBeCloseTo(kwh, 10);
  });
});
