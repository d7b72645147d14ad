import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig, redactedConfig } from "../src/config.ts";

describe("parseConfig", () => {
  it("has defaults for a fresh machine with no environment", () => {
    expect(parseConfig({})).toMatchObject({
      MEMPOOL_API_URL: "https://mempool.space/api",
      COINGECKO_API_URL: "https://api.coingecko.com/api/v3",
      STORE_URL: "sqlite://data/decentra.sqlite",
      LOG_LEVEL: "info",
      TELEGRAM_API_ROOT: "https://api.telegram.org",
      DISCORD_API_URL: "https://discord.com/api",
      DIGEST_ENABLED: true,
      DIGEST_MIN_INTERVAL_SECONDS: 3600,
      DIGEST_CATCHUP_SECONDS: 21_600,
    });
  });

  it("reads the shards this process runs out of the total", () => {
    expect(parseConfig({ DISCORD_SHARD_COUNT: "4", DISCORD_SHARDS: "2, 3,3" })).toMatchObject({
      DISCORD_SHARD_COUNT: 4,
      DISCORD_SHARDS: [2, 3],
    });
  });

  it("treats empty values as unset", () => {
    expect(parseConfig({ TELEGRAM_BOT_TOKEN: "", MEMPOOL_API_URL: "" }).TELEGRAM_BOT_TOKEN).toBeUndefined();
  });

  it.each([
    [{ MEMPOOL_API_URL: "not a url" }, "MEMPOOL_API_URL"],
    [{ STORE_URL: "postgres://x" }, "STORE_URL: must start with sqlite://, redis:// or memory://"],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL"],
    [{ DIGEST_MIN_INTERVAL_SECONDS: "0" }, "DIGEST_MIN_INTERVAL_SECONDS"],
    [{ DIGEST_ENABLED: "maybe" }, "DIGEST_ENABLED"],
    [{ TELEGRAM_WEBHOOK_URL: "https://bot.example.org/tg" }, "TELEGRAM_WEBHOOK_SECRET: required"],
    [{ DISCORD_TOKEN: "abc" }, "DISCORD_APPLICATION_ID: required"],
    [{ HTTP_PORT: "70000" }, "HTTP_PORT"],
    [{ DISCORD_SHARDS: "0,1" }, "DISCORD_SHARD_COUNT: required with DISCORD_SHARDS"],
    [
      { DISCORD_SHARDS: "0;1", DISCORD_SHARD_COUNT: "2" },
      'DISCORD_SHARDS: must be shard ids separated by commas, such as "0,1"',
    ],
    [
      { DISCORD_SHARDS: "1,2", DISCORD_SHARD_COUNT: "2" },
      "DISCORD_SHARDS: shard 2 does not exist with DISCORD_SHARD_COUNT=2 (ids are 0–1)",
    ],
    [{ DISCORD_SHARD_COUNT: "0" }, "DISCORD_SHARD_COUNT"],
    [{ STORE_TIMEOUT_MS: "10" }, "STORE_TIMEOUT_MS"],
    [
      {
        TELEGRAM_WEBHOOK_URL: "https://bot.example.org/tg",
        TELEGRAM_WEBHOOK_SECRET: "s3cret",
        TELEGRAM_WEBHOOK_PORT: "8080",
        HTTP_PORT: "8080",
      },
      "HTTP_PORT: must differ from TELEGRAM_WEBHOOK_PORT (both 8080)",
    ],
  ])("names the variable in the error: %o", (env, message) => {
    expect(() => parseConfig(env)).toThrowError(ConfigError);
    expect(() => parseConfig(env)).toThrowError(message);
  });

  it("never shows secrets or store credentials when logged", () => {
    const config = parseConfig({
      TELEGRAM_BOT_TOKEN: "123456:secret-token",
      STORE_URL: "redis://user:hunter2@127.0.0.1:6379",
      DISCORD_TOKEN: "discord-secret",
      DISCORD_APPLICATION_ID: "123456789",
    });
    const text = JSON.stringify(redactedConfig(config));
    expect(text).not.toContain("secret-token");
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("discord-secret");
    expect(text).toContain("redis://[credentials]@127.0.0.1:6379");
  });
});
