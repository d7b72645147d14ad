/** Cron mistakes are explained in words naming the field, not in croner's parser terms. */
import { describe, expect, it } from "vitest";
import { UserError } from "../../src/core/errors.ts";
import { cronProblem, validateSchedule } from "../../src/digest/schedule.ts";

const NOW = new Date("2026-11-24T06:00:00Z");

function refusal(schedule: string): UserError {
  try {
    validateSchedule(schedule, "UTC", 3600, NOW);
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error(`"${schedule}" was accepted`);
}

describe("cron problems in words", () => {
  it.each([
    ["-1 0 * * *", 'the minute field "-1" starts with "-": negative numbers are not allowed, use 0–59'],
    ["60 0 * * *", 'the minute field "60" has 60, outside 0–59'],
    ["0 24 * * *", 'the hour field "24" has 24, outside 0–23'],
    ["0 0 32 * *", 'the day of month field "32" has 32, outside 1–31'],
    ["0 0 0 * *", 'the day of month field "0" has 0, outside 1–31'],
    ["0 0 * 13 *", 'the month field "13" has 13, outside 1–12'],
    ["0 0 * * 8", 'the day of week field "8" has 8, outside 0–7'],
    ["*/0 * * * *", 'the minute field "*/0" has a step of 0; a step must be 1 or more'],
    [
      "5-2 8 * * *",
      'the minute field "5-2" has the range 5-2, which runs backwards; write the smaller number first',
    ],
    ["1,,3 8 * * *", 'the minute field "1,,3" has an empty entry (two commas in a row, or one at an end)'],
    ["0 8-20/x * * *", 'the hour field "8-20/x" has a step "/x" that is not a whole number'],
    ["70 0 8 * * *", 'the second field "70" has 70, outside 0–59'],
  ])("%s: %s", (schedule, problem) => {
    expect(cronProblem(schedule)).toBe(problem);
    const error = refusal(schedule);
    expect(error.code).toBe("invalid_value");
    expect(error.details.option).toBe("schedule");
    expect(error.message).toBe(
      `"${schedule}" is not a valid cron schedule: ${problem}. Use 5 fields (minute hour day month weekday), or 6 with seconds first, e.g. "0 8 * * *" (08:00 daily).`,
    );
    expect(error.message).not.toMatch(/NaN|illegal/);
  });

  it.each([
    "0 8 * * *",
    "0 8 * * mon-fri",
    "0 0 L * *",
    "0 0 * * 5#2",
    "0 0 ? * *",
    "*/15 8-18 * jan-mar 1-5",
    "0 0 * * 7",
    "30 0 8 * * *",
  ])("finds nothing wrong with %s", (schedule) => {
    expect(cronProblem(schedule)).toBeUndefined();
  });

  it("leaves the rest to croner, still naming the schedule", () => {
    expect(refusal("a b c d e").message).toContain('"a b c d e" is not a valid cron schedule: ');
  });
});
