/** Every setting comes from the environment through this one schema; parseConfig is pure. */
import { z } from "zod";

const url = z.url({ protocol: /^https?$/ });
const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();
const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");
const seconds = z.coerce
  .number()
  .int()
  .min(1)
  .max(31 * 24 * 3600);

const schema = z.object({
  MEMPOOL_API_URL: url.default("https://mempool.space/api"),
  COINGECKO_API_URL: url.default("https://api.coingecko.com/api/v3"),
  COINGECKO_API_KEY: optionalText,
  UPSTREAM_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(2500),
  STORE_URL: z
    .string()
    .regex(
      /^(sqlite:\/\/.+|redis(s)?:\/\/.+|memory:\/\/.*)$/,
      "must start with sqlite://, redis:// or memory://",
    )
    .default("sqlite://data/decentra.sqlite"),
  STORE_NAMESPACE: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1–64 characters of A-Z, a-z, 0-9, _ and -")
    .default("decentra"),
  /** How long one store operation may take before the store counts as down for it (Redis frozen). */
  STORE_TIMEOUT_MS: z.coerce.number().int().min(50).max(30_000).default(1000),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),

  /** /healthz, /readyz and /metrics; off unless set (0 picks a free port, logged at start). */
  HTTP_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  HTTP_HOST: z.string().trim().min(1).default("0.0.0.0"),

  TELEGRAM_BOT_TOKEN: optionalText,
  TELEGRAM_API_ROOT: url.default("https://api.telegram.org"),
  TELEGRAM_WEBHOOK_URL: url.optional(),
  TELEGRAM_WEBHOOK_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,256}$/, "must be 1–256 characters of A-Z, a-z, 0-9, _ and -")
    .optional(),
  TELEGRAM_WEBHOOK_PORT: z.coerce.number().int().min(1).max(65_535).default(8443),
  COMMANDS_PER_USER_PER_MINUTE: z.coerce.number().int().min(1).max(1000).default(20),

  DISCORD_TOKEN: optionalText,
  DISCORD_APPLICATION_ID: z
    .string()
    .regex(/^\d{5,25}$/, "must be the numeric application id")
    .optional(),
  DISCORD_API_URL: url.default("https://discord.com/api"),
  DISCORD_GUILD_ID: z
    .string()
    .regex(/^\d{5,25}$/, "must be a numeric server id")
    .optional(),
  // Sharding over processes: every process has the same count and its own shard ids.
  DISCORD_SHARD_COUNT: z.coerce.number().int().min(1).max(10_000).optional(),
  DISCORD_SHARDS: z
    .string()
    .regex(/^\d+(?:\s*,\s*\d+)*$/, 'must be shard ids separated by commas, such as "0,1"')
    .transform((text) => [...new Set(text.split(",").map((id) => Number(id.trim())))])
    .optional(),

  DIGEST_ENABLED: bool.default(true),
  DIGEST_MIN_INTERVAL_SECONDS: seconds.default(3600),
  DIGEST_CATCHUP_SECONDS: seconds.default(6 * 3600),
});

export type Config = z.output<typeof schema>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Empty strings count as unset, as in most .env files. Throws ConfigError naming each bad variable. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const result = schema.safeParse(present);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join("\n  ")}`);
  }
  const config = result.data;
  if (config.TELEGRAM_WEBHOOK_URL && !config.TELEGRAM_WEBHOOK_SECRET) {
    throw new ConfigError(
      "Invalid configuration:\n  TELEGRAM_WEBHOOK_SECRET: required when TELEGRAM_WEBHOOK_URL is set",
    );
  }
  if (
    config.TELEGRAM_WEBHOOK_URL &&
    config.HTTP_PORT !== undefined &&
    config.HTTP_PORT !== 0 &&
    config.HTTP_PORT === config.TELEGRAM_WEBHOOK_PORT
  ) {
    throw new ConfigError(
      `Invalid configuration:\n  HTTP_PORT: must differ from TELEGRAM_WEBHOOK_PORT (both ${config.HTTP_PORT})`,
    );
  }
  if (config.DISCORD_SHARDS && config.DISCORD_SHARD_COUNT === undefined) {
    throw new ConfigError(
      "Invalid configuration:\n  DISCORD_SHARD_COUNT: required with DISCORD_SHARDS (the total over all processes)",
    );
  }
  const outOfRange = config.DISCORD_SHARDS?.find((id) => id >= config.DISCORD_SHARD_COUNT!);
  if (outOfRange !== undefined) {
    throw new ConfigError(
      `Invalid configuration:\n  DISCORD_SHARDS: shard ${outOfRange} does not exist with DISCORD_SHARD_COUNT=${config.DISCORD_SHARD_COUNT} (ids are 0–${config.DISCORD_SHARD_COUNT! - 1})`,
    );
  }
  if (config.DISCORD_TOKEN && !config.DISCORD_APPLICATION_ID) {
    throw new ConfigError(
      "Invalid configuration:\n  DISCORD_APPLICATION_ID: required when DISCORD_TOKEN is set",
    );
  }
  return config;
}

/** What a log line may show of the configuration: never a token, key or secret. */
export function redactedConfig(config: Config): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(config).map(([k, v]) => {
      if (/TOKEN|SECRET|KEY/.test(k) && v) return [k, "[set]"];
      // A Redis URL may carry a password: redis://user:password@host
      if (typeof v === "string") return [k, v.replace(/\/\/[^/@]*@/, "//[credentials]@")];
      return [k, v];
    }),
  );
}
