/** Small fakes shared by the data tests. */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Clock, Logger } from "../../src/core/ports.ts";

/** A clock that only moves when told to. */
export interface ManualClock extends Clock {
  advance(ms: number): void;
}

export function manualClock(start = "2025-12-01T00:00:00Z"): ManualClock {
  let nowMs = Date.parse(start);
  return {
    now: () => new Date(nowMs),
    advance(ms) {
      nowMs += ms;
    },
  };
}

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

/** A port nothing listens on: bind one, then close it. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
