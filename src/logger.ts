/** The process logger: pino, one JSON line per event on stderr (stdout stays clean for the console's
 * --json output). Secrets are removed twice over: by key (pino's redact paths: tokens, secrets,
 * passwords, API keys, authorization headers, wherever they sit in an object, an error or a request
 * payload) and by value (every configured secret, and anything shaped like a bot token, is cut out of
 * the finished line, so a token inside an error message, a stack or a URL goes too). */
import pino from "pino";
import type { Logger } from "./core/index.ts";

export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

export const REDACTED = "[redacted]";

/** Bot tokens look like 123456:ABC-… (Telegram) or three dot-separated base64 parts (Discord). */
const SECRET_PATTERNS = [
  /\d{6,}:[A-Za-z0-9_-]{30,}/g,
  /\b[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{20,}\b/g,
  // A password in a URL (redis://user:password@host).
  /(?<=\/\/[^/:@\s"]*:)[^/@\s"]+(?=@)/g,
];

/** Keys whose values never reach a log line, at any depth up to four (pino's redact needs explicit
 * wildcards per level). */
const SECRET_KEYS = [
  "token",
  "secret",
  "secret_token",
  "password",
  "apiKey",
  "api_key",
  "authorization",
  "Authorization",
  '"x-telegram-bot-api-secret-token"',
  '"x-cg-demo-api-key"',
  '"x-cg-pro-api-key"',
  "TELEGRAM_BOT_TOKEN",
  "DISCORD_TOKEN",
  "TELEGRAM_WEBHOOK_SECRET",
  "COINGECKO_API_KEY",
];
const REDACT_PATHS = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`]);

export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < 6) continue;
    // The secret as it is, as JSON escapes it, and as a URL encodes it (a token's ":" becomes %3A).
    for (const form of new Set([secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)])) {
      out = out.split(form).join(REDACTED);
    }
  }
  for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, REDACTED);
  return out;
}

export interface LoggerOptions {
  level: LogLevel;
  /** Values cut out of every line wherever they appear (tokens, webhook secret, Redis password, keys). */
  secrets?: readonly string[];
  /** Where lines go (default stderr); tests collect them. */
  write?: (line: string) => void;
}

export function createLogger(options: LoggerOptions): Logger {
  const secrets = (options.secrets ?? []).filter((s) => s.length >= 6);
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const base = pino(
    {
      level: options.level,
      base: undefined,
      messageKey: "message",
      errorKey: "error",
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // Errors under these keys keep their message, stack, cause chain and own properties (a grammY
      // error's request payload among them) for the operator; redaction runs over all of it.
      serializers: {
        error: pino.stdSerializers.err,
        err: pino.stdSerializers.err,
        cause: pino.stdSerializers.err,
      },
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      hooks: { streamWrite: (line) => redactSecrets(line, secrets) },
    },
    { write: (line: string) => write(line.endsWith("\n") ? line.slice(0, -1) : line) },
  );
  const at =
    (level: "debug" | "info" | "warn" | "error") => (message: string, fields?: Record<string, unknown>) =>
      fields === undefined ? base[level](message) : base[level](fields, message);
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}
