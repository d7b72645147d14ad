/** Schedule validation and run times, daylight saving included (Europe/Berlin and America/New_York
 * change on different dates: 2026-03-08 / 03-29 forward, 2026-10-25 / 11-01 back). */
import { describe, expect, it } from "vitest";
import { UserError } from "../../src/core/errors.ts";
import { duration, nextRuns, runsBetween, validateSchedule } from "../../src/digest/schedule.ts";

const NOW = new Date("2026-11-24T12:00:00Z");
const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

function refusal(run: () => unknown): UserError {
  try {
    run();
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error("expected a UserError");
}

describe("validateSchedule", () => {
  it("accepts a daily schedule and normalises spacing and the zone's spelling", () => {
    expect(validateSchedule("  0  8 * * * ", "europe/berlin", 3600, NOW)).toEqual({
      schedule: "0 8 * * *",
      tz: "Europe/Berlin",
    });
  });

  it("refuses an invalid cron with the field count and an example", () => {
    const bad = refusal(() => validateSchedule("61 * * * *", "UTC", 3600, NOW));
    expect(bad.code).toBe("invalid_value");
    expect(bad.details.option).toBe("schedule");
    expect(bad.message).toContain("5 fields");
    expect(bad.message).toContain("6 with seconds");
    expect(bad.message).toContain('"0 8 * * *" (08:00 daily)');

    const words = refusal(() => validateSchedule("every day", "UTC", 3600, NOW));
    expect(words.message).toContain("it has 2 fields");
    // croner would take an ISO date as a one-off job; a digest needs a repeating schedule.
    expect(refusal(() => validateSchedule("2026-12-01T08:00:00", "UTC", 3600, NOW)).details.option).toBe(
      "schedule",
    );
    expect(refusal(() => validateSchedule("* * * * * * *", "UTC", 1, NOW)).message).toContain("7 fields");
  });

  it("accepts the @daily and @weekly nicknames, in any case, and runs them in the zone", () => {
    expect(validateSchedule(" @DAILY ", "Europe/Berlin", 3600, NOW)).toEqual({
      schedule: "@daily",
      tz: "Europe/Berlin",
    });
    expect(validateSchedule("@Weekly", "UTC", 3600, NOW).schedule).toBe("@weekly");
    // Midnight in Berlin (UTC+1 in winter), and Sunday midnight for @weekly.
    expect(iso(nextRuns("@daily", "Europe/Berlin", NOW, 2))).toEqual([
      "2026-11-24T23:00:00.000Z",
      "2026-11-25T23:00:00.000Z",
    ]);
    expect(iso(nextRuns("@weekly", "UTC", NOW, 2))).toEqual([
      "2026-11-29T00:00:00.000Z",
      "2026-12-06T00:00:00.000Z",
    ]);
    // The minimum interval applies to nicknames as to any schedule.
    expect(refusal(() => validateSchedule("@hourly", "UTC", 7200, NOW)).message).toContain(
      "as often as every 1 h",
    );
    expect(refusal(() => validateSchedule("@reboot", "UTC", 3600, NOW)).details.option).toBe("schedule");
  });

  it("refuses a schedule that never fires", () => {
    expect(refusal(() => validateSchedule("0 0 30 2 *", "UTC", 3600, NOW)).message).toContain("never fires");
  });

  it("refuses an unknown time zone with an example", () => {
    const bad = refusal(() => validateSchedule("0 8 * * *", "Mars/Olympus_Mons", 3600, NOW));
    expect(bad.code).toBe("invalid_value");
    expect(bad.details.option).toBe("tz");
    expect(bad.message).toContain('Unknown time zone "Mars/Olympus_Mons"');
    expect(bad.message).toContain("Europe/Berlin");
  });

  it("refuses schedules firing more often than the minimum, stating the limit", () => {
    const bad = refusal(() => validateSchedule("*/30 * * * *", "UTC", 3600, NOW));
    expect(bad.details.option).toBe("schedule");
    expect(bad.message).toContain("as often as every 30 min");
    expect(bad.message).toContain("at most once every 3600 s (1 h)");
    // A burst inside an otherwise daily schedule counts too.
    expect(() => validateSchedule("0,30 8 * * *", "UTC", 3600, NOW)).toThrow(/every 30 min/);
    expect(() => validateSchedule("0 8,9 * * *", "UTC", 3600, NOW)).not.toThrow();
  });

  it("allows 6 fields (seconds first) when above the minimum", () => {
    expect(validateSchedule("15 0 8 * * *", "UTC", 3600, NOW).schedule).toBe("15 0 8 * * *");
    expect(() => validateSchedule("*/2 * * * * *", "UTC", 2, NOW)).not.toThrow();
    expect(() => validateSchedule("*/2 * * * * *", "UTC", 3, NOW)).toThrow(/at most once every 3 s\. /);
  });

  it("measures the interval in real time, so a daylight-saving jump can make it too short", () => {
    // 01:00 and 03:00 Berlin time are 2 h apart, except on 2027-03-28 when 02:00 does not exist.
    expect(() => validateSchedule("0 1,3 * * *", "UTC", 7200, NOW)).not.toThrow();
    expect(() => validateSchedule("0 1,3 * * *", "Europe/Berlin", 7200, NOW)).toThrow(
      /as often as every 1 h/,
    );
  });
});

describe("run times across daylight saving", () => {
  it("Europe/Berlin spring forward: 02:30 does not exist, the run moves to 03:00 CEST", () => {
    expect(iso(nextRuns("30 2 * * *", "Europe/Berlin", new Date("2026-03-27T12:00:00Z"), 3))).toEqual([
      "2026-03-28T01:30:00.000Z", // 02:30 CET
      "2026-03-29T01:00:00.000Z", // 03:00 CEST, first valid time after the gap
      "2026-03-30T00:30:00.000Z", // 02:30 CEST
    ]);
  });

  it("Europe/Berlin fall back: 02:30 happens twice, the digest fires once", () => {
    const runs = runsBetween(
      "30 2 * * *",
      "Europe/Berlin",
      new Date("2026-10-24T12:00:00Z"),
      new Date("2026-10-26T12:00:00Z"),
    );
    expect(iso(runs)).toEqual(["2026-10-25T00:30:00.000Z", "2026-10-26T01:30:00.000Z"]);
  });

  it("Europe/Berlin 08:00 stays 08:00 local as the offset changes", () => {
    expect(iso(nextRuns("0 8 * * *", "Europe/Berlin", new Date("2026-03-28T12:00:00Z"), 2))).toEqual([
      "2026-03-29T06:00:00.000Z",
      "2026-03-30T06:00:00.000Z",
    ]);
    expect(iso(nextRuns("0 8 * * *", "Europe/Berlin", new Date("2026-03-27T12:00:00Z"), 1))).toEqual([
      "2026-03-28T07:00:00.000Z",
    ]);
  });

  it("America/New_York spring forward and fall back", () => {
    expect(iso(nextRuns("30 2 * * *", "America/New_York", new Date("2026-03-07T12:00:00Z"), 2))).toEqual([
      "2026-03-08T07:00:00.000Z", // 03:00 EDT
      "2026-03-09T06:30:00.000Z", // 02:30 EDT
    ]);
    const fallBack = runsBetween(
      "30 1 * * *",
      "America/New_York",
      new Date("2026-10-31T12:00:00Z"),
      new Date("2026-11-02T12:00:00Z"),
    );
    expect(iso(fallBack)).toEqual(["2026-11-01T05:30:00.000Z", "2026-11-02T06:30:00.000Z"]);
  });
});

describe("runsBetween", () => {
  it("covers (from, to]: a run exactly at `to` is due, one exactly at `from` was handled", () => {
    const at8 = new Date("2026-11-25T08:00:00Z");
    expect(iso(runsBetween("0 8 * * *", "UTC", new Date("2026-11-24T12:00:00Z"), at8))).toEqual([
      at8.toISOString(),
    ]);
    expect(runsBetween("0 8 * * *", "UTC", at8, new Date("2026-11-26T07:59:59Z"))).toEqual([]);
    expect(runsBetween("0 8 * * *", "UTC", new Date("2026-11-25T07:59:59.500Z"), at8)).toHaveLength(1);
  });

  it("lists every missed run in order, with seconds", () => {
    const runs = runsBetween(
      "*/2 * * * * *",
      "UTC",
      new Date("2026-11-24T12:00:00Z"),
      new Date("2026-11-24T12:00:07Z"),
    );
    expect(iso(runs)).toEqual([
      "2026-11-24T12:00:02.000Z",
      "2026-11-24T12:00:04.000Z",
      "2026-11-24T12:00:06.000Z",
    ]);
  });
});

it("duration says intervals the way people do", () => {
  expect([duration(2), duration(60), duration(3600), duration(5400), duration(172_800)]).toEqual([
    "2 s",
    "1 min",
    "1 h",
    "1.5 h",
    "2 days",
  ]);
});
