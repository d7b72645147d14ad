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
  const cron = compile(normalised, zone);
  const runs = cron.nextRuns(RUNS_CHECKED_FOR_MIN_INTERVAL, now);
  if (runs.length === 0) {
    throw new UserError(
      "invalid_value",
      `The schedule "${normalised}" never fires (no such date). Try ${CRON_EXAMPLE}.`,
      { option: "schedule", example: "0 8 * * *" },
    );
  }
  const gapMs = smallestGapMs(runs);
  if (gapMs !== undefined && gapMs < minIntervalSeconds * 1000) {
    throw new UserError(
      "invalid_value",
      `The schedule "${normalised}" fires as often as every ${duration(gapMs / 1000)}; digests may be posted at most once every ${minIntervalSeconds} s${minIntervalSeconds >= 60 ? ` (${duration(minIntervalSeconds)})` : ""}. Try ${CRON_EXAMPLE}.`,
      { option: "schedule", example: "0 8 * * *", allowed: `at most once every ${minIntervalSeconds} s` },
    );
  }
  return { schedule: normalised, tz: zone };
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

function compile(schedule: string, tz: string): Cron {
  try {
    // No callback: this Cron only answers "when", it never starts a timer.
    return new Cron(schedule, { timezone: tz, mode: "5-or-6-parts" });
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^CronPattern: /, "") : String(error);
    throw new UserError(
      "invalid_value",
      `"${schedule}" is not a valid cron schedule (${reason}). Use 5 fields (minute hour day month weekday), or 6 with seconds first, e.g. ${CRON_EXAMPLE}.`,
      { option: "schedule", example: "0 8 * * *" },
    );
  }
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
