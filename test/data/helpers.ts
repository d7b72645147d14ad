/** Small fakes shared by the data tests. */
import type { Logger } from "../../src/core/ports.ts";
import { type FakeClock, fakeClock } from "../support/clock.ts";

/** The shared clock under the name these tests have always used. */
export type ManualClock = FakeClock;
export const manualClock = (start?: string): ManualClock => fakeClock(start);

export interface LogLine {
  level: "debug" | "info" | "warn" | "error";
  message: string;
  fields?: Record<string, unknown>;
}

/** A Logger that keeps every line for assertions. */
export function recordingLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at =
    (level: LogLine["level"]) =>
    (message: string, fields?: Record<string, unknown>): void => {
      lines.push({ level, message, ...(fields ? { fields } : {}) });
    };
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

export { closedPort } from "../support/net.ts";
