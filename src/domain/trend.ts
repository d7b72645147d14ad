/** Which way each side of the thesis moves: concentration of mining over time, and the size of the
 * smallest open model that reaches a fixed capability over time. Numbers in, numbers out.
 *
 * Both trends are fitted the same way: least squares on log2 of the measure against time in months,
 * so a slope b means the measure doubles (b > 0) or halves (b < 0) every 1/|b| months, and changes by
 * 2^(12·b) − 1 per year. A direction is only called when the slope is clear of its own spread. */

import { concentration } from "./concentration.ts";
import { genericWeightsGb, type Quant, RUNTIME_OVERHEAD_GB } from "./edge-fit.ts";
import { requireFinite } from "./guards.ts";

/** A Julian month (365.25 / 12 days), so fits in months do not depend on which months they span. */
export const DAYS_PER_MONTH = 365.25 / 12;

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil), so the domain
 * reads dates without the clock. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

const ISO_DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?Z?)?)?)?$/;

/** Days since the Unix epoch of an ISO date ("2024", "2024-05", "2024-05-21", "2024-05-21T00:00:00Z").
 * A year or month alone is read as its middle, so a yearly or monthly figure sits where its average
 * belongs. */
export function isoDays(iso: string): number {
  const m = ISO_DATE.exec(iso);
  if (!m) throw new RangeError(`not an ISO date: ${iso}`);
  const year = Number(m[1]);
  if (m[2] === undefined) return daysFromCivil(year, 7, 2);
  const month = Number(m[2]);
  if (month < 1 || month > 12) throw new RangeError(`not an ISO date: ${iso}`);
  if (m[3] === undefined) return daysFromCivil(year, month, 15);
  const day = Number(m[3]);
  if (day < 1 || day > 31) throw new RangeError(`not an ISO date: ${iso}`);
  const seconds = Number(m[4] ?? 0) * 3600 + Number(m[5] ?? 0) * 60 + Number(m[6] ?? 0);
  return daysFromCivil(year, month, day) + seconds / 86_400;
}

function daysInMonth(year: number, month: number): number {
  return month === 12 ? 31 : daysFromCivil(year, month + 1, 1) - daysFromCivil(year, month, 1);
}

// ---------------------------------------------------------------------------------------------
// Concentration of one table

export interface PoolRow {
  name: string;
  /** Blocks found or share of blocks; only ratios matter. */
  weight: number;
}

export interface TableConcentration {
  nakamotoCoefficient: number | null;
  hhi: number;
  /** Share of the total held by no named entity (Unknown blocks, pools the table leaves out). */
  unattributedPct: number;
}

/** Nakamoto coefficient and HHI of one pool table. Rows named "Unknown" are blocks without a
 * recognised coinbase tag: they count in the total but are many miners, not one entity. One pool
 * listed twice (renamed slugs) is one entity. When `total` is given and exceeds the rows, the rest
 * is unattributed too (the weekly endpoint lists only the pools active this week). */
export function tableConcentration(rows: readonly PoolRow[], total?: number): TableConcentration {
  const byName = new Map<string, PoolRow>();
  let unknown = 0;
  for (const row of rows) {
    requireFinite(`weight of ${row.name}`, row.weight);
    if (row.name.trim().toLowerCase() === "unknown") {
      unknown += row.weight;
      continue;
    }
    const key = row.name.trim().toLowerCase();
    const seen = byName.get(key);
    if (seen) seen.weight += row.weight;
    else byName.set(key, { name: row.name, weight: row.weight });
  }
  const listed = rows.reduce((sum, r) => sum + r.weight, 0);
  // Float sums of shares land a hair above or below the total; only a real remainder counts.
  const remainder = total === undefined ? 0 : Math.max(0, total - listed);
  const result = concentration([...byName.values()], {
    unattributedWeight: unknown + (remainder > 1e-9 * (total ?? 0) ? remainder : 0),
  });
  return {
    nakamotoCoefficient: result.nakamotoCoefficient,
    hhi: result.hhi,
    unattributedPct: result.unattributedPct,
  };
}

// ---------------------------------------------------------------------------------------------
// Weekly series

export interface WeekShares {
  /** ISO date the week ends. */
  asOf: string;
  pools: { name: string; share: number }[];
}

export interface WeekPoint extends TableConcentration {
  asOf: string;
}

export interface WeeklySeries {
  points: WeekPoint[];
  /** Holes in the series: consecutive weeks more than 1.5 weeks apart, or weeks with no pools. */
  gaps: { after: string; before: string; missingWeeks: number }[];
  emptyWeeks: string[];
}

/** Nakamoto and HHI for every week of the pool hashrate series, oldest first. Shares are fractions
 * of that week's blocks; what the listed pools do not cover is unattributed. */
export function weeklySeries(weeks: readonly WeekShares[]): WeeklySeries {
  const sorted = [...weeks].sort((a, b) => isoDays(a.asOf) - isoDays(b.asOf));
  const points: WeekPoint[] = [];
  const emptyWeeks: string[] = [];
  for (const week of sorted) {
    const rows = week.pools.filter((p) => p.share > 0).map((p) => ({ name: p.name, weight: p.share }));
    if (rows.length === 0) {
      emptyWeeks.push(week.asOf);
      continue;
    }
    points.push({ asOf: week.asOf, ...tableConcentration(rows, 1) });
  }
  const gaps: WeeklySeries["gaps"] = [];
  for (let i = 1; i < points.length; i++) {
    const spanDays = isoDays(points[i]!.asOf) - isoDays(points[i - 1]!.asOf);
    if (spanDays > 1.5 * 7)
      gaps.push({
        after: points[i - 1]!.asOf,
        before: points[i]!.asOf,
        missingWeeks: Math.round(spanDays / 7) - 1,
      });
  }
  return { points, gaps, emptyWeeks };
}

// ---------------------------------------------------------------------------------------------
// Least squares

export interface XY {
  x: number;
  y: number;
}

export interface SlopeFit {
  /** Common slope, y units per x unit. */
  slope: number;
  /** Standard error of the slope; null when there are no residual degrees of freedom. */
  slopeSe: number | null;
  points: number;
  /** Number of series that share the slope (each with its own intercept). */
  groups: number;
  /** Intercept of each group, in the order given. */
  intercepts: number[];
}

/** Ordinary least squares with one slope shared by several series and an intercept per series
 * (the within-group estimator): b = Σ_g Σ (x − x̄_g)(y − ȳ_g) / Σ_g Σ (x − x̄_g)².
 * SE(b) = √(SSR / (n − groups − 1) / Sxx). With one group this is the textbook line fit.
 * Null when no group has two distinct x values. */
export function pooledSlope(groups: readonly (readonly XY[])[]): SlopeFit | null {
  let sxx = 0;
  let sxy = 0;
  const means = groups.map((points) => {
    for (const p of points) {
      requireFinite("x", p.x);
      requireFinite("y", p.y);
    }
    const n = points.length;
    const mx = n ? points.reduce((s, p) => s + p.x, 0) / n : 0;
    const my = n ? points.reduce((s, p) => s + p.y, 0) / n : 0;
    for (const p of points) {
      sxx += (p.x - mx) ** 2;
      sxy += (p.x - mx) * (p.y - my);
    }
    return { mx, my };
  });
  const used = groups.filter((g) => g.length > 0);
  const n = used.reduce((s, g) => s + g.length, 0);
  if (sxx <= 0) return null;
  const slope = sxy / sxx;
  let ssr = 0;
  groups.forEach((points, i) => {
    const { mx, my } = means[i]!;
    for (const p of points) ssr += (p.y - my - slope * (p.x - mx)) ** 2;
  });
  const dof = n - used.length - 1;
  return {
    slope,
    slopeSe: dof > 0 ? Math.sqrt(ssr / dof / sxx) : null,
    points: n,
    groups: used.length,
    intercepts: means.map(({ mx, my }) => my - slope * mx),
  };
}

/** Months since the Unix epoch for an ISO date (see isoDays for partial dates). */
export function monthsSinceEpoch(iso: string): number {
  return isoDays(iso) / DAYS_PER_MONTH;
}

/** log2 of a measure against time: the points a trend fit takes. Non-positive values are skipped
 * (log2 of 0 is no trend information). */
export function log2Series(points: readonly { asOf: string; value: number }[]): XY[] {
  return points
    .filter((p) => p.value > 0)
    .map((p) => ({ x: monthsSinceEpoch(p.asOf), y: Math.log2(p.value) }));
}

/** Percent change per year implied by a log2-per-month slope: 2^(12·b) − 1. */
export function ratePerYearPct(log2SlopePerMonth: number): number {
  return (2 ** (12 * log2SlopePerMonth) - 1) * 100;
}

/** Percent change over a span of months implied by a log2-per-month slope. */
export function changeOverPct(log2SlopePerMonth: number, months: number): number {
  return (2 ** (log2SlopePerMonth * months) - 1) * 100;
}

// ---------------------------------------------------------------------------------------------
// Verdict

export type Direction = "centralizing" | "stable" | "decentralizing";
export type Confidence = "insufficient" | "low" | "medium" | "high";

export interface Verdict {
  direction: Direction;
  /** Percent change of the measure per year; null without a fit. */
  ratePerYearPct: number | null;
  /** The slope ± one standard error, as percent per year. */
  rateRangePctPerYear: { low: number; high: number } | null;
  points: number;
  confidence: Confidence;
  /** Why this direction, in words. */
  reason: string;
}

/** Below this change per year a measure counts as flat: HHI from block counts moves a few percent
 * from luck alone, and a few percent a year does not change who controls the network. */
export const STABLE_BAND_PCT_PER_YEAR = 5;
/** A direction needs at least this many points; two points always fit a line exactly. */
export const MIN_POINTS_FOR_VERDICT = 3;

/** Direction from a log2 slope. `rising` says what an increase means for this measure (a rising HHI
 * centralizes; a rising model size needed for a capability centralizes too, since fewer devices can
 * hold it). Rules, in order:
 *   fewer than 3 points or no spread          → stable, confidence insufficient
 *   |slope| < 2 × SE (not clear of its spread) → stable, confidence low
 *   |rate| < 5 % per year                      → stable, confidence medium
 *   otherwise the sign decides; confidence high when n ≥ 8 and |slope| ≥ 3 × SE, else medium. */
export function verdictFromFit(fit: SlopeFit | null, rising: "centralizing" | "decentralizing"): Verdict {
  const falling: Direction = rising === "centralizing" ? "decentralizing" : "centralizing";
  if (fit === null || fit.points < MIN_POINTS_FOR_VERDICT || fit.slopeSe === null)
    return {
      direction: "stable",
      ratePerYearPct: fit ? ratePerYearPct(fit.slope) : null,
      rateRangePctPerYear: null,
      points: fit?.points ?? 0,
      confidence: "insufficient",
      reason: `too little data for a direction (${fit?.points ?? 0} points; at least ${MIN_POINTS_FOR_VERDICT} with spread needed)`,
    };
  const rate = ratePerYearPct(fit.slope);
  const range = {
    low: ratePerYearPct(fit.slope - fit.slopeSe),
    high: ratePerYearPct(fit.slope + fit.slopeSe),
  };
  const base = { ratePerYearPct: rate, rateRangePctPerYear: range, points: fit.points };
  if (Math.abs(fit.slope) < 2 * fit.slopeSe)
    return {
      ...base,
      direction: "stable",
      confidence: "low",
      reason: "the slope is within two standard errors of zero",
    };
  if (Math.abs(rate) < STABLE_BAND_PCT_PER_YEAR)
    return {
      ...base,
      direction: "stable",
      confidence: "medium",
      reason: `changes less than ${STABLE_BAND_PCT_PER_YEAR}% a year`,
    };
  const strong = fit.points >= 8 && Math.abs(fit.slope) >= 3 * fit.slopeSe;
  return {
    ...base,
    direction: fit.slope > 0 ? rising : falling,
    confidence: strong ? "high" : "medium",
    reason: `${fit.slope > 0 ? "rising" : "falling"} ${Math.abs(rate).toFixed(0)}% a year, clear of its spread`,
  };
}

// ---------------------------------------------------------------------------------------------
// Open models

export interface ModelEntry {
  id: string;
  name: string;
  /** ISO date of the release. */
  released: string;
  paramsB: number;
  activeParamsB?: number;
  /** Score on the benchmark the level is defined on; absent when not published. */
  score?: number;
}

/** "2024Q2" for any ISO date. */
export function quarterOf(iso: string): string {
  const [year, month] = iso.split("-");
  if (!year || !month) throw new RangeError(`not an ISO date: ${iso}`);
  return `${year}Q${Math.ceil(Number(month) / 3)}`;
}

/** Every quarter from the one holding `from` to the one holding `to`, inclusive. */
export function quartersBetween(from: string, to: string): string[] {
  const parse = (q: string) => {
    const [y, n] = q.split("Q").map(Number);
    return y! * 4 + (n! - 1);
  };
  const start = parse(quarterOf(from));
  const end = parse(quarterOf(to));
  const quarters: string[] = [];
  for (let i = start; i <= end; i++) quarters.push(`${Math.floor(i / 4)}Q${(i % 4) + 1}`);
  return quarters;
}

/** The last day of a quarter, ISO. */
function quarterEnd(quarter: string): string {
  const [y, n] = quarter.split("Q").map(Number);
  const month = n! * 3;
  const lastDay = daysInMonth(y!, month);
  return `${y}-${String(month).padStart(2, "0")}-${String(lastDay).padStart(2, "0")}`;
}

const reaches = (m: ModelEntry, level: number) => m.score !== undefined && m.score >= level;
/** Fewest parameters first; on a tie the earlier release, then the name, so the answer is stable. */
const smaller = (a: ModelEntry, b: ModelEntry) =>
  a.paramsB - b.paramsB || a.released.localeCompare(b.released) || a.name.localeCompare(b.name);

export interface QuarterSmallest {
  quarter: string;
  /** The smallest model released by the end of the quarter that reaches the level; null before any does. */
  model: ModelEntry | null;
}

/** For each quarter, the smallest (total parameters: what memory must hold) model released by the
 * quarter's end whose score reaches the level. */
export function smallestPerQuarter(
  models: readonly ModelEntry[],
  level: number,
  quarters: readonly string[],
): QuarterSmallest[] {
  const capable = models.filter((m) => reaches(m, level));
  return quarters.map((quarter) => {
    const end = quarterEnd(quarter);
    const available = capable.filter((m) => m.released <= end).sort(smaller);
    return { quarter, model: available[0] ?? null };
  });
}

/** The models that set a new record: each is smaller than every model reaching the level before it.
 * These are the frontier the halving time is fitted on (as the densing-law paper fits the densest
 * model over time), oldest first. */
export function recordSetters(models: readonly ModelEntry[], level: number): ModelEntry[] {
  const chronological = models
    .filter((m) => reaches(m, level))
    .sort((a, b) => a.released.localeCompare(b.released) || smaller(a, b));
  const records: ModelEntry[] = [];
  for (const m of chronological) {
    const best = records.at(-1);
    if (best === undefined || m.paramsB < best.paramsB) records.push(m);
  }
  return records;
}

export interface HalvingFit {
  /** Months for the parameters needed to halve; null when they do not fall. */
  halvingMonths: number | null;
  /** Halving time at slope ± one standard error; high is null when that end does not fall. */
  rangeMonths: { low: number; high: number | null } | null;
  fit: SlopeFit | null;
}

/** Halving time of the parameters needed for each level, one slope shared by all levels: each level
 * contributes its record setters as (months, log2 params) with its own intercept. */
export function paramsHalving(models: readonly ModelEntry[], levels: readonly number[]): HalvingFit {
  const groups = levels.map((level) =>
    recordSetters(models, level).map((m) => ({ x: monthsSinceEpoch(m.released), y: Math.log2(m.paramsB) })),
  );
  const fit = pooledSlope(groups);
  if (fit === null || fit.slope >= 0) return { halvingMonths: null, rangeMonths: null, fit };
  const halving = (slope: number) => (slope < 0 ? -1 / slope : null);
  const se = fit.slopeSe;
  return {
    halvingMonths: -1 / fit.slope,
    // A steeper slope (b − SE) halves sooner; the shallower end may not fall at all.
    rangeMonths: se === null ? null : { low: -1 / (fit.slope - se), high: halving(fit.slope + se) },
    fit,
  };
}

export interface EdgeDevice {
  id: string;
  usableMemoryGb: number;
}

export interface QuarterEdgeShare {
  quarter: string;
  /** Models reaching the level released by the end of the quarter. */
  models: number;
  /** Device id → share (0–1) of those models whose weights plus runtime fit its usable memory. */
  shares: Record<string, number | null>;
}

/** Memory a model needs before its KV cache: weights at the quantization plus the runtime overhead
 * of edge_fit. The KV cache is left out (it depends on each model's attention layout and the
 * context), so the shares are an upper bound for long contexts. */
export function memoryBeforeKvGb(paramsB: number, quant: Quant): number {
  return genericWeightsGb(paramsB, quant).totalGb + RUNTIME_OVERHEAD_GB;
}

/** For each quarter, the share of the models reaching the level (released by then) that fit each
 * device at the quantization. */
export function edgeShareByQuarter(
  models: readonly ModelEntry[],
  level: number,
  devices: readonly EdgeDevice[],
  quarters: readonly string[],
  quant: Quant,
): QuarterEdgeShare[] {
  const capable = models.filter((m) => reaches(m, level));
  return quarters.map((quarter) => {
    const end = quarterEnd(quarter);
    const available = capable.filter((m) => m.released <= end);
    const shares = Object.fromEntries(
      devices.map((d) => [
        d.id,
        available.length === 0
          ? null
          : available.filter((m) => memoryBeforeKvGb(m.paramsB, quant) <= d.usableMemoryGb).length /
            available.length,
      ]),
    );
    return { quarter, models: available.length, shares };
  });
}
