import { describe, expect, it } from "vitest";
import { cagr, type ForecastSeries, projectForecast, projectionRange } from "../../src/domain/edge-ai.ts";

/** Edge AI market, 2025 → 2033. */
const grandView: ForecastSeries = { startYear: 2025, startUsdB: 24.91, endYear: 2033, endUsdB: 118.69 };
/** A second, made-up forecast of the same scope with a round doubling. */
const doubling: ForecastSeries = { startYear: 2025, startUsdB: 20, endYear: 2030, endUsdB: 40 };

describe("cagr", () => {
  it.each([
    // 118.69 / 24.91 = 4.7647531; ln = 1.5612457; / 8 = 0.1951557; e^0.1951557 = 1.2155002 → 0.2155002
    { start: 24.91, end: 118.69, years: 8, rate: 0.215_500_243_8 },
    { start: 100, end: 200, years: 1, rate: 1 }, // 2^1 − 1
    { start: 100, end: 121, years: 2, rate: 0.1 }, // √1.21 − 1 = 1.1 − 1
    { start: 100, end: 100, years: 5, rate: 0 }, // 1^(1/5) − 1
    { start: 100, end: 50, years: 1, rate: -0.5 }, // 0.5 − 1
    { start: 20, end: 40, years: 5, rate: 0.148_698_355 }, // 2^(1/5) − 1 = 1.1486984 − 1
    { start: 10, end: 0, years: 3, rate: -1 }, // the market vanished
  ])("$start → $end over $years years = $rate", ({ start, end, years, rate }) => {
    expect(cagr(start, end, years)).toBeCloseTo(rate, 9);
  });

  it.each([
    [0, 10, 1],
    [-1, 10, 1],
    [10, -1, 1],
    [10, 20, 0],
    [10, 20, -1],
    [Number.NaN, 20, 1],
    [10, Number.POSITIVE_INFINITY, 1],
  ])("rejects (%s, %s, %s)", (start, end, years) => {
    expect(() => cagr(start, end, years)).toThrow(RangeError);
  });
});

describe("projectForecast", () => {
  // growth factor g = 1.2155002438 per year
  it.each([
    { year: 2025, value: 24.91, extrapolated: false }, // g^0
    { year: 2029, value: 54.374_331_26, extrapolated: false }, // 24.91 × g^4 = 24.91 × 2.1828314
    { year: 2033, value: 118.69, extrapolated: false }, // 24.91 × g^8 = the end value
    { year: 2024, value: 20.493_619_91, extrapolated: true }, // 24.91 / g
    { year: 2035, value: 175.357_453_62, extrapolated: true }, // 24.91 × g^10 = 24.91 × 7.0396409
  ])("$year → $value B USD (extrapolated: $extrapolated)", ({ year, value, extrapolated }) => {
    const projection = projectForecast(grandView, year);
    expect(projection.valueUsdB).toBeCloseTo(value, 6);
    expect(projection.cagr).toBeCloseTo(0.215_500_243_8, 9);
    expect(projection.extrapolated).toBe(extrapolated);
  });

  it.each([
    ["an end year before the start", { ...grandView, endYear: 2020 }, 2030],
    ["a zero-length span", { ...grandView, endYear: 2025 }, 2030],
    ["a zero start value", { ...grandView, startUsdB: 0 }, 2030],
    ["a NaN year", grandView, Number.NaN],
    ["a NaN start year", { ...grandView, startYear: Number.NaN }, 2030],
  ])("rejects %s", (_label, series, year) => {
    expect(() => projectForecast(series, year)).toThrow(RangeError);
  });
});

describe("projectionRange", () => {
  it.each([
    {
      year: 2030,
      // grandView: 24.91 × g^5 = 24.91 × 2.6532322 = 66.0920; doubling: 40 (its end value)
      low: 40,
      high: 66.092_012_9,
      series: [grandView, doubling],
    },
    {
      year: 2033,
      // doubling extrapolated: 40 × 2^(3/5) = 40 × 1.5157166 = 60.6287; grandView: 118.69
      low: 60.628_662_66,
      high: 118.69,
      series: [doubling, grandView],
    },
    { year: 2029, low: 54.374_331_26, high: 54.374_331_26, series: [grandView] }, // one forecast: no spread
  ])("$year: $low–$high B USD", ({ year, low, high, series }) => {
    const range = projectionRange(series, year);
    expect(range.lowUsdB).toBeCloseTo(low, 6);
    expect(range.highUsdB).toBeCloseTo(high, 6);
    expect(range.count).toBe(series.length);
  });

  it("rejects an empty list", () => {
    expect(() => projectionRange([], 2030)).toThrow(RangeError);
  });
});

describe("forecasts published as floors", () => {
  // "~$15B (2022) → over $107B (2030)": CAGR = (107 / 15)^(1/8) − 1 = 7.1333^(0.125) − 1 = 27.84%, a floor too.
  const floor: ForecastSeries = {
    startYear: 2022,
    startUsdB: 15,
    endYear: 2030,
    endUsdB: 107,
    endIsLowerBound: true,
  };

  it("marks every projection after the base year as a lower bound", () => {
    expect(projectForecast(floor, 2030).valueUsdB).toBeCloseTo(107, 9);
    expect(projectForecast(floor, 2030).lowerBound).toBe(true);
    expect(projectForecast(floor, 2026).lowerBound).toBe(true);
    expect(projectForecast(floor, 2022).lowerBound).toBe(false); // the base year itself is published
    expect(projectForecast(floor, 2030).cagr).toBeCloseTo(0.278_38, 4);
  });

  it("leaves ordinary forecasts unmarked", () => {
    expect(projectForecast(grandView, 2030).lowerBound).toBe(false);
  });
});
