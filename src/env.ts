/** Start-up for every entry point (main, cli, deploy script): .env, the validated config, the
 * logger, and the app, each failing with a message that names what to fix. */
import { type App, createApp } from "./app.ts";
import { type Config, ConfigError, parseConfig, redactedConfig } from "./config.ts";
import type { Logger } from "./core/index.ts";
import { createLogger } from "./logger.ts";

/** Loads .env from the working directory when there is one; real environment variables win. */
export function loadDotEnv(path = ".env"): void {
  try {
    process.loadEnvFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}

/** The configuration, or exit 78 (EX_CONFIG) with a message naming each bad variable. */
export function loadConfigOrExit(): Config {
  loadDotEnv();
  try {
    return parseConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(78);
  }
}

/** The logger for an entry point. In the console, stderr is where a user reads the answers to bad
 * input, so routine warnings (an upstream down) are kept out unless LOG_LEVEL=debug. */
export function createEntryLogger(config: Config, mode: "service" | "console"): Logger {
  const secrets = [
    config.TELEGRAM_BOT_TOKEN,
    config.DISCORD_TOKEN,
    config.COINGECKO_API_KEY,
    config.TELEGRAM_WEBHOOK_SECRET,
  ];
  const quiet = mode === "console" && (config.LOG_LEVEL === "info" || config.LOG_LEVEL === "warn");
  return createLogger({
    level: quiet ? "error" : config.LOG_LEVEL,
    secrets: secrets.filter((s) => s !== undefined),
  });
}

/** The app, or exit 78 naming STORE_URL when the store cannot be opened (Redis down, bad path). */
export async function createAppOrExit(config: Config, logger: Logger): Promise<App> {
  try {
    return await createApp(config, { logger });
  } catch (error) {
    const store = String(redactedConfig(config).STORE_URL);
    const reason = error instanceof Error ? error.message : String(error);
    process.stderr.write(`STORE_URL: cannot open ${store}: ${reason}\n`);
    process.exit(78);
  }
}
