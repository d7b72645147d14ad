/** Start-up for every entry point (main, cli, deploy script): .env, the validated config, the
 * logger, the app, and the process-level handlers, each failing with one line that names what to
 * fix: exit 78 (EX_CONFIG) for anything the operator must change, never a stack trace. */
import { type App, type AppOptions, createApp } from "./app.ts";
import { type Config, ConfigError, parseConfig, redactedConfig } from "./config.ts";
import type { Logger } from "./core/index.ts";
import { createLogger, redactSecrets } from "./logger.ts";

/** EX_CONFIG from sysexits.h: the configuration is wrong; restarting will not help. */
export const EXIT_CONFIG = 78;

/** Loads .env from the working directory when there is one; real environment variables win. */
export function loadDotEnv(path = ".env"): void {
  try {
    process.loadEnvFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    fatalLine(`.env: cannot read it: ${error instanceof Error ? error.message : String(error)}`, EXIT_CONFIG);
  }
}

/** Secrets known before the logger exists, so every fatal line is redacted too. */
let knownSecrets: string[] = [];

/** Every value that must never reach a log, an error or a reply. */
export function secretsOf(config: Config): string[] {
  const redisPassword = /^rediss?:\/\/[^/@]*:([^/@]+)@/.exec(config.STORE_URL)?.[1];
  return [
    config.TELEGRAM_BOT_TOKEN,
    config.DISCORD_TOKEN,
    config.COINGECKO_API_KEY,
    config.TELEGRAM_WEBHOOK_SECRET,
    redisPassword,
    redisPassword === undefined ? undefined : decodeURIComponent(redisPassword),
  ].filter((s): s is string => s !== undefined && s !== "");
}

/** One line on stderr, redacted, then exit. */
export function fatalLine(line: string, exitCode: number): never {
  process.stderr.write(`${redactSecrets(line, knownSecrets)}\n`);
  process.exit(exitCode);
}

/** The configuration, or exit 78 with a message naming each bad variable. */
export function loadConfigOrExit(): Config {
  loadDotEnv();
  try {
    const config = parseConfig(process.env);
    knownSecrets = secretsOf(config);
    return config;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    fatalLine(error.message, EXIT_CONFIG);
  }
}

/** The logger for an entry point. In the console, stderr is where a user reads the answers to bad
 * input, so routine warnings (an upstream down) are kept out unless LOG_LEVEL=debug. */
export function createEntryLogger(config: Config, mode: "service" | "console"): Logger {
  const quiet = mode === "console" && (config.LOG_LEVEL === "info" || config.LOG_LEVEL === "warn");
  return createLogger({ level: quiet ? "error" : config.LOG_LEVEL, secrets: secretsOf(config) });
}

/** An uncaught error or unhandled rejection is a bug: log it through the (redacting) logger and
 * exit 1 so the supervisor restarts a clean process. Without this, Node prints the raw error (a
 * request URL with the bot token in it) on stderr. */
export function installProcessHandlers(logger: Logger, beforeExit?: () => Promise<void>): void {
  let exiting = false;
  const die = (kind: string) => (error: unknown) => {
    logger.error(kind, { error });
    if (exiting) return;
    exiting = true;
    // Give shutdown a moment, never forever.
    const timer = setTimeout(() => process.exit(1), 3000);
    timer.unref();
    void (beforeExit?.() ?? Promise.resolve()).catch(() => {}).finally(() => process.exit(1));
  };
  process.on("uncaughtException", die("uncaught exception"));
  process.on("unhandledRejection", die("unhandled rejection"));
}

/** The app, or exit 78 naming STORE_URL when the store cannot be opened (Redis down, bad path). */
export async function createAppOrExit(config: Config, options: AppOptions): Promise<App> {
  try {
    return await createApp(config, options);
  } catch (error) {
    const store = String(redactedConfig(config).STORE_URL);
    const reason = error instanceof Error ? error.message : String(error);
    fatalLine(`STORE_URL: cannot open ${store}: ${reason}`, EXIT_CONFIG);
  }
}
