/** Start-up for every entry point (main, cli, deploy script): .env, then the validated config. */
import { type Config, ConfigError, parseConfig } from "./config.ts";

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
