/** Redaction: by key wherever a secret sits in an object, and by value wherever it appears in the
 * finished line (error messages, stacks, causes, request URLs and payloads). */
import { describe, expect, it } from "vitest";
import { createLogger, REDACTED, redactSecrets } from "../src/logger.ts";

const TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijklmno";
const SECRET = "webhookSecretValue_42";

function collect(level: "debug" | "info" | "error" = "debug", secrets: string[] = [SECRET]) {
  const lines: string[] = [];
  return { lines, logger: createLogger({ level, secrets, write: (line) => lines.push(line) }) };
}

describe("logger", () => {
  it("writes one JSON line per event with time, level and message", () => {
    const { lines, logger } = collect("info");
    logger.debug("hidden");
    logger.info("command", { command: "help", durationMs: 3 });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: "info",
      message: "command",
      command: "help",
      durationMs: 3,
    });
    expect(JSON.parse(lines[0]!).time).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it("removes a token from an error's message, stack and cause (a grammY network error)", () => {
    const { lines, logger } = collect();
    const cause = new Error(
      `request to https://api.telegram.org/bot${TOKEN}/setWebhook failed, reason: ECONNRESET`,
    );
    const error = new Error("Network request for 'setWebhook' failed!", { cause });
    logger.error("start failed", { error });
    const line = lines.join("\n");
    expect(line).not.toContain(TOKEN);
    expect(line).not.toContain(TOKEN.split(":")[1]);
    expect(line).toContain(`/bot${REDACTED}/setWebhook`);
    expect(JSON.parse(lines[0]!).error.message).toContain("Network request for 'setWebhook' failed!");
  });

  it("removes the webhook secret from a request payload inside an error, by key and by value", () => {
    const { lines, logger } = collect("debug", []);
    const error = Object.assign(new Error("Call to 'setWebhook' failed! (400: Bad Request)"), {
      payload: { url: "https://bot.example/t", secret_token: SECRET },
    });
    logger.error("start failed", { error, request: { headers: { authorization: `Bot ${TOKEN}` } } });
    expect(lines[0]).not.toContain(SECRET);
    expect(lines[0]).not.toContain(TOKEN);
    expect(JSON.parse(lines[0]!).error.payload).toEqual({
      url: "https://bot.example/t",
      secret_token: REDACTED,
    });
  });

  it("removes configured secrets in any form: plain, URL-encoded, JSON-escaped", () => {
    const odd = 'key"with:odd/chars';
    const text = `a ${odd} b ${encodeURIComponent(odd)} c ${JSON.stringify(odd)}`;
    expect(redactSecrets(text, [odd])).not.toMatch(/odd\/chars|odd%2Fchars|odd\\\/chars/);
  });

  it("removes a Redis password from a URL, and a Discord-shaped token", () => {
    const discord = "MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.GhIjKl.abcdefghijklmnopqrstuvwxyz0123";
    expect(redactSecrets(`redis://bot:hunter2hunter2@redis:6379 ${discord}`)).toBe(
      `redis://bot:${REDACTED}@redis:6379 ${REDACTED}`,
    );
  });

  it("is silent at level silent", () => {
    const { lines, logger } = collect("debug");
    const silent = createLogger({ level: "silent", write: (line) => lines.push(line) });
    silent.error("nothing");
    logger.debug("something");
    expect(lines).toHaveLength(1);
  });
});
