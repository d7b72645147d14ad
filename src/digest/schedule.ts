/** Digest schedules: cron expressions (5 fields, or 6 with seconds) read in an IANA time zone.
 * croner does the parsing and the calendar arithmetic, daylight saving included: a fixed time that
 * falls in a spring-forward gap ("30 2 * * *") runs at the first valid time after the gap, and a
 * fixed time that occurs twice on a fall-back day runs once. Everything here is pure apart from
 * reading the time zone database; "now" is always passed in. */
import { Cron } from "croner";
import { UserError } from "../core/errors.ts";

export interface ValidSchedule {
  /** The cron expression with its whitespace normalised. */
  schedule: string;
  /** The canonical spelling of the zone ("europe/berlin" → "Europe/Berlin"). */
  tz: string;
}

/** How many upcoming runs the minimum-interval check looks at. Cron fields combine as a product, so
 * the densest burst of a schedule shows up within its first few days of runs; 500 runs covers
 * well over a year for anything that passes a one-hour minimum. */
const RUNS_CHECKED_FOR_MIN_INTERVAL = 500;
/** A bound on catch-up enumeration, so a watermark far in the past cannot make a tick loop long. */
const MAX_RUNS_BETWEEN = 10_000;
const CRON_EXAMPLE = '"0 8 * * *" (08:00 daily)';
const NICKNAMES = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"];

/** Checks a schedule a user asked for and returns it normalised; throws UserError("invalid_value")
 * naming the option ("schedule" or "tz") and saying what would work. */
export function validateSchedule(
  schedule: string,
  tz: string,
  minIntervalSeconds: number,
  now: Date,
): ValidSchedule {
  const zone = canonicalZone(tz);
  const normalised = normaliseCron(schedule);
  const { fires, gapMs } = densestGap(normalised, zone, now);
  if (!fires) {
    throw new UserError(
      "invalid_value",
      `The schedule "${normalised}" never fires (no such date). Try ${CRON_EXAMPLE}.`,
      { option: "schedule", example: "0 8 * * *" },
    );
  }
  if (gapMs !== undefined && gapMs < minIntervalSeconds * 1000) {
    throw new UserError(
      "invalid_value",
      `The schedule "${normalised}" fires as often as every ${duration(gapMs / 1000)}; digests may be posted at most once every ${minIntervalSeconds} s${minIntervalSeconds >= 60 ? ` (${duration(minIntervalSeconds)})` : ""}. Try ${CRON_EXAMPLE}.`,
      { option: "schedule", example: "0 8 * * *", allowed: `at most once every ${minIntervalSeconds} s` },
    );
  }
  return { schedule: normalised, tz: zone };
}

/** Gaps measured lately, per zone and schedule: walking 500 runs through a time zone takes ~20 ms,
 * and a thousand chats subscribing to one schedule need it once, not a thousand times. */
const gaps = new Map<string, { atMs: number; fires: boolean; gapMs: number | undefined }>();
/** How long a measured gap is reused (the runs ahead shift by as much, which moves no burst). */
const GAP_REUSE_MS = 3_600_000;

function densestGap(
  schedule: string,
  zone: string,
  now: Date,
): { fires: boolean; gapMs: number | undefined } {
  const key = `${zone}\u0000${schedule}`;
  const known = gaps.get(key);
  if (known && Math.abs(now.getTime() - known.atMs) < GAP_REUSE_MS) return known;
  const runs = compile(schedule, zone).nextRuns(RUNS_CHECKED_FOR_MIN_INTERVAL, now);
  const measured = { atMs: now.getTime(), fires: runs.length > 0, gapMs: smallestGapMs(runs) };
  if (gaps.size >= MAX_COMPILED) gaps.clear();
  gaps.set(key, measured);
  return measured;
}

/** The next n run times strictly after `after`. */
export function nextRuns(schedule: string, tz: string, after: Date, n: number): Date[] {
  return compile(schedule, tz).nextRuns(n, after);
}

/** Run times in (from, to], oldest first: what fell due since the last check. */
export function runsBetween(schedule: string, tz: string, from: Date, to: Date): Date[] {
  const cron = compile(schedule, tz);
  const runs: Date[] = [];
  let run = cron.nextRun(from);
  while (run && run.getTime() <= to.getTime() && runs.length < MAX_RUNS_BETWEEN) {
    runs.push(run);
    run = cron.nextRun(run);
  }
  return runs;
}

/** "45 s", "30 min", "1 h", "2 days"; whole units when exact, else one decimal. */
export function duration(seconds: number): string {
  const units: Array<[number, string]> = [
    [86_400, "day"],
    [3600, "h"],
    [60, "min"],
  ];
  for (const [size, name] of units) {
    if (seconds >= size) {
      const value = Number((seconds / size).toFixed(seconds % size === 0 ? 0 : 1));
      return name === "day" ? `${value} day${value === 1 ? "" : "s"}` : `${value} ${name}`;
    }
  }
  return `${Number(seconds.toFixed(1))} s`;
}

/** Compiled schedules, shared: thousands of chats on "0 8 * * *" in one zone compile it once, and a
 * tick never recompiles. A Cron without a callback holds no timer and answers nextRun(from) from its
 * arguments alone, so one object serves every caller. Bounded so that a stream of distinct schedules
 * (each user can make one) cannot grow it without end. */
const compiled = new Map<string, Cron>();
const MAX_COMPILED = 10_000;

function compile(schedule: string, tz: string): Cron {
  const key = `${tz}\u0000${schedule}`;
  const cached = compiled.get(key);
  if (cached) return cached;
  const problem = cronProblem(schedule);
  if (problem) throw invalidCron(schedule, problem);
  let cron: Cron;
  try {
    // No callback: this Cron only answers "when", it never starts a timer.
    cron = new Cron(schedule, { timezone: tz, mode: "5-or-6-parts" });
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^CronPattern: /, "") : String(error);
    throw invalidCron(schedule, reason);
  }
  if (compiled.size >= MAX_COMPILED) compiled.clear();
  compiled.set(key, cron);
  return cron;
}

function invalidCron(schedule: string, problem: string): UserError {
  return new UserError(
    "invalid_value",
    `"${schedule}" is not a valid cron schedule: ${problem}. Use 5 fields (minute hour day month weekday), or 6 with seconds first, e.g. ${CRON_EXAMPLE}.`,
    { option: "schedule", example: "0 8 * * *" },
  );
}

interface CronField {
  name: string;
  min: number;
  max: number;
}

const SECOND: CronField = { name: "second", min: 0, max: 59 };
const FIVE_FIELDS: readonly CronField[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12 },
  // 0 and 7 are both Sunday.
  { name: "day of week", min: 0, max: 7 },
];

/** What is wrong with a cron expression, in words, for the mistakes people make: a negative or
 * out-of-range number, an empty list entry, a step of 0, a range that runs backwards. croner's own
 * messages ("illegal lower range (NaN)", "Invalid value for day: 31" for a 32) are left as a
 * fallback for the rarer ones. Names (mon, jan) and croner's L, W and # are left to croner. */
export function cronProblem(schedule: string): string | undefined {
  if (schedule.startsWith("@")) return undefined;
  const parts = schedule.split(" ");
  const fields = parts.length === 6 ? [SECOND, ...FIVE_FIELDS] : FIVE_FIELDS;
  if (parts.length !== fields.length) return undefined;
  for (const [index, text] of parts.entries()) {
    const field = fields[index]!;
    const problem = fieldProblem(text, field);
    if (problem) return `the ${field.name} field "${text}" ${problem}`;
  }
  return undefined;
}

function fieldProblem(text: string, field: CronField): string | undefined {
  const allowed = `${field.min}–${field.max}`;
  for (const item of text.split(",")) {
    if (item === "") return "has an empty entry (two commas in a row, or one at an end)";
    const [range, step, ...extra] = item.split("/");
    if (extra.length) return `has more than one "/" in "${item}"`;
    if (step !== undefined && !/^\d+$/.test(step)) return `has a step "/${step}" that is not a whole number`;
    if (step !== undefined && Number(step) === 0) return "has a step of 0; a step must be 1 or more";
    if (range === "*" || range === "?") continue;
    if (range!.startsWith("-")) return `starts with "-": negative numbers are not allowed, use ${allowed}`;
    const bounds = range!.split("-");
    const numbers = bounds.filter((b) => /^\d+$/.test(b)).map(Number);
    for (const n of numbers) {
      if (n < field.min || n > field.max) return `has ${n}, outside ${allowed}`;
    }
    if (bounds.length === 2 && numbers.length === 2 && numbers[0]! > numbers[1]!) {
      return `has the range ${range}, which runs backwards; write the smaller number first`;
    }
    if (bounds.some((b) => b === "")) return `has an incomplete range "${range}"`;
  }
  return undefined;
}

/** croner also accepts an ISO date as a one-off job; a digest schedule must be a cron expression
 * (or one of the nicknames croner knows, such as @daily and @weekly). */
function normaliseCron(schedule: string): string {
  const text = schedule.trim().replace(/\s+/g, " ");
  // Nicknames are stored in one spelling, so "@Daily" and "@daily" read (and compare) the same.
  if (NICKNAMES.includes(text.toLowerCase())) return text.toLowerCase();
  const fields = text.split(" ").length;
  if (fields !== 5 && fields !== 6) {
    throw new UserError(
      "invalid_value",
      `"${text}" is not a valid cron schedule: it has ${fields} field${fields === 1 ? "" : "s"}. Use 5 fields (minute hour day month weekday), or 6 with seconds first, e.g. ${CRON_EXAMPLE}.`,
      { option: "schedule", example: "0 8 * * *" },
    );
  }
  return text;
}

function canonicalZone(tz: string): string {
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: tz.trim() }).resolvedOptions().timeZone;
  } catch {
    throw new UserError(
      "invalid_value",
      `Unknown time zone "${tz}". Use an IANA zone name such as "Europe/Berlin", "America/New_York" or "UTC".`,
      { option: "tz", example: "Europe/Berlin" },
    );
  }
}

function smallestGapMs(runs: readonly Date[]): number | undefined {
  let smallest: number | undefined;
  for (let i = 1; i < runs.length; i++) {
    const gap = runs[i]!.getTime() - runs[i - 1]!.getTime();
    if (smallest === undefined || gap < smallest) smallest = gap;
  }
  return smallest;
}
