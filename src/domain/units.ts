/** Unit factors shared by the domain formulas, so a conversion is written once and named. */

export const SATS_PER_BTC = 100_000_000;
export const SECONDS_PER_DAY = 86_400;
export const HOURS_PER_DAY = 24;
/** Bitcoin's target block interval: difficulty is defined against it. */
export const TARGET_BLOCK_SECONDS = 600;

export const TH = 1e12;
export const PH = 1e15;
export const EH = 1e18;

export const W_PER_KW = 1_000;
export const W_PER_MW = 1_000_000;
/** Decimal gigabytes, as device makers and model cards state memory and bandwidth. */
export const BYTES_PER_GB = 1e9;

export function satsToBtc(sats: number): number {
  return sats / SATS_PER_BTC;
}

export function btcToSats(btc: number): number {
  return Math.round(btc * SATS_PER_BTC);
}

/** Energy drawn by a constant load over a day; the basis of every per-day power cost. */
export function kwhPerDayFromWatts(watts: number): number {
  return (watts * HOURS_PER_DAY) / W_PER_KW;
}
