/** The one test clock: it only moves when told to (advance by ms, or set to an instant). */
import type { Clock } from "../../src/core/ports.ts";

export interface FakeClock extends Clock {
  advance(ms: number): void;
  set(at: string | Date): void;
}

export function fakeClock(start: string | Date = "2025-12-01T00:00:00Z"): FakeClock {
  let nowMs = typeof start === "string" ? Date.parse(start) : start.getTime();
  return {
    now: () => new Date(nowMs),
    advance(ms) {
      nowMs += ms;
    },
    set(at) {
      nowMs = typeof at === "string" ? Date.parse(at) : at.getTime();
    },
  };
}
