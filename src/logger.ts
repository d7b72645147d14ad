/** JSON-lines logger on stderr (stdout stays clean for the console's --json output). */
import type { Logger } from "./core/index.ts";

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 } as const;
export type LogLevel = keyof typeof LEVELS;

/** Bot tokens look like 123456:ABC-… (Telegram) or three dot-separated base64 parts (Discord). */
const SECRET_PATTERNS = [
  /\b\d{6,}:[A-Za-z0-9_-]{30,}\b/g,
  /\b[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{20,}\b/g,
];

export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 6) out = out.split(secret).join("[redacted]");
  for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, "[redacted]");
  return out;
}

export function createLogger(options: {
  level: LogLevel;
  secrets?: readonly string[];
  write?: (line: string) => void;
  now?: () => Date;
}): Logger {
  const threshold = LEVELS[options.level];
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  const log = (level: Exclude<LogLevel, "silent">) => (message: string, fields?: Record<string, unknown>) => {
    if (LEVELS[level] < threshold) return;
    const line = JSON.stringify({ time: now().toISOString(), level, message, ...fields });
    write(redactSecrets(line, options.secrets));
  };
  return { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}
