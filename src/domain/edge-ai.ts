/** Edge-AI market projections from published forecasts: implied growth rate and value in a given year. */

import { requireFinite, requireNonNegative, requirePositive } from "./guards.ts";

/** Compound annual growth rate as a fraction (0.217 = 21.7 %/year). */
export function cagr(startValue: number, endValue: number, years: number): number {
  requirePositive("startValue", startValue);
  requireNonNegative("endValue", endValue);
  requirePositive("years", years);
  return (endValue / startValue) ** (1 / years) - 1;
}

/** One published forecast: a market size at two years, in billions of US dollars. */
export interface ForecastSeries {
  startYear: number;
  startUsdB: number;
  endYear: number;
  endUsdB: number;
  /** The end value is published as a floor ("over $107B"), so the growth rate and every later value are too. */
  endIsLowerBound?: boolean;
}

export interface ForecastProjection {
  valueUsdB: number;
  cagr: number;
  /** Outside the forecast's own span: the publisher did not claim this year, we extend their rate. */
  extrapolated: boolean;
  /** The value is a floor: the forecast's end value is, and the year is after its start. */
  lowerBound: boolean;
}

export function projectForecast(f: ForecastSeries, year: number): ForecastProjection {
  requireFinite("startYear", f.startYear);
  requireFinite("endYear", f.endYear);
  requireFinite("year", year);
  if (!(f.endYear > f.startYear)) {
    throw new RangeError(`forecast endYear ${f.endYear} must be after startYear ${f.startYear}`);
  }
  const rate = cagr(f.startUsdB, f.endUsdB, f.endYear - f.startYear);
  return {
    valueUsdB: f.startUsdB * (1 + rate) ** (year - f.startYear),
    cagr: rate,
    extrapolated: year < f.startYear || year > f.endYear,
    lowerBound: f.endIsLowerBound === true && year > f.startYear,
  };
}

/** Spread of several forecasts for one year. Forecasts of different scope (edge AI total vs chips)
 * must not be mixed here: the caller groups them, this function cannot tell them apart. */
export function projectionRange(
  series: ForecastSeries[],
  year: number,
): { lowUsdB: number; highUsdB: number; count: number } {
  if (series.length === 0) throw new RangeError("projectionRange needs at least one forecast");
  const values = series.map((f) => projectForecast(f, year).valueUsdB);
  return { lowUsdB: Math.min(...values), highUsdB: Math.max(...values), count: values.length };
}
