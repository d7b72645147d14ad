import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createHttpClient, parseRetryAfterMs, redactUrl, UpstreamError } from "../../src/data/http.ts";
import { type FakeUpstream, replies, startFakeUpstream } from "../support/fake-upstream.ts";
import { closedPort, manualClock } from "./helpers.ts";

let upstream: FakeUpstream;
beforeAll(async () => {
  upstream = await startFakeUpstream();
});
afterAll(() => upstream.close());
beforeEach(() => upstream.reset());

async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(UpstreamError);
  return error as UpstreamError;
}

describe("createHttpClient", () => {
  it("returns parsed JSON and plain text", async () => {
    const http = createHttpClient({ clock: manualClock() });
    expect(await http.getJson(`${upstream.mempoolUrl}/v1/prices`)).toMatchObject({ USD: 91_250 });
    expect(await http.getText(`${upstream.mempoolUrl}/blocks/tip/height`)).toBe("925800");
  });

  it("sends the user agent and extra headers", async () => {
    const http = createHttpClient({ clock: manualClock(), userAgent: "decentra-test/1" });
    await http.getJson(`${upstream.coingeckoUrl}/simple/price?ids=bitcoin`, { "x-cg-demo-api-key": "k" });
    expect(upstream.lastRequest("coingeckoPrice")?.headers["user-agent"]).toBe("decentra-test/1");
    expect(upstream.lastRequest("coingeckoPrice")?.headers["x-cg-demo-api-key"]).toBe("k");
  });

  it("reports a non-2xx status as kind http", async () => {
    upstream.respond("prices", replies.status(503));
    const error = await failure(
      createHttpClient({ clock: manualClock() }).getJson(`${upstream.mempoolUrl}/v1/prices`),
    );
    expect(error).toMatchObject({ kind: "http", status: 503 });
  });

  it("reports broken JSON and oversized bodies as kind malformed", async () => {
    const http = createHttpClient({ clock: manualClock(), maxResponseBytes: 1000 });
    upstream.respond("prices", replies.malformedJson());
    expect((await failure(http.getJson(`${upstream.mempoolUrl}/v1/prices`))).kind).toBe("malformed");
    upstream.respond("prices", replies.text("x".repeat(5000)));
    expect((await failure(http.getText(`${upstream.mempoolUrl}/v1/prices`))).kind).toBe("malformed");
  });

  it("gives up after timeoutMs when the server is slow", async () => {
    upstream.respond("prices", replies.delayed(2000, replies.json({})));
    const http = createHttpClient({ clock: manualClock(), timeoutMs: 200 });
    const startedMs = performance.now();
    const error = await failure(http.getJson(`${upstream.mempoolUrl}/v1/prices`));
    expect(error.kind).toBe("timeout");
    expect(performance.now() - startedMs).toBeLessThan(1000);
  });

  it("reports a closed port as unreachable, quickly", async () => {
    const http = createHttpClient({ clock: manualClock() });
    const startedMs = performance.now();
    const error = await failure(http.getJson(`http://127.0.0.1:${await closedPort()}/api/v1/prices`));
    expect(error.kind).toBe("unreachable");
    expect(performance.now() - startedMs).toBeLessThan(500);
  });

  it("honours a 429 Retry-After: no request is sent to that origin until it has passed", async () => {
    const clock = manualClock();
    const http = createHttpClient({ clock });
    upstream.respond("prices", replies.rateLimited(120));
    expect(await failure(http.getJson(`${upstream.mempoolUrl}/v1/prices`))).toMatchObject({
      kind: "rate_limited",
      status: 429,
    });
    upstream.reset();

    clock.advance(119_000);
    // Another route on the same origin is blocked too: the limit is per host.
    expect((await failure(http.getText(`${upstream.mempoolUrl}/blocks/tip/height`))).kind).toBe(
      "rate_limited",
    );
    expect(upstream.totalRequests()).toBe(0);

    clock.advance(1_000);
    expect(await http.getJson(`${upstream.mempoolUrl}/v1/prices`)).toMatchObject({ USD: 91_250 });
    expect(upstream.requests("prices")).toBe(1);
  });

  it("accepts Retry-After as an HTTP date", async () => {
    const clock = manualClock();
    const http = createHttpClient({ clock });
    upstream.respond("prices", replies.rateLimited(new Date(clock.now().getTime() + 30_000)));
    await failure(http.getJson(`${upstream.mempoolUrl}/v1/prices`));
    upstream.reset();
    clock.advance(29_000);
    await failure(http.getJson(`${upstream.mempoolUrl}/v1/prices`));
    clock.advance(1_000);
    await http.getJson(`${upstream.mempoolUrl}/v1/prices`);
    expect(upstream.requests("prices")).toBe(1);
  });

  it("never puts an API key into an error", async () => {
    upstream.respond("coingeckoPrice", replies.status(401));
    const http = createHttpClient({ clock: manualClock() });
    const error = await failure(
      http.getJson(`${upstream.coingeckoUrl}/simple/price?ids=bitcoin&x_cg_demo_api_key=SECRET123`, {
        "x-cg-demo-api-key": "SECRET456",
      }),
    );
    expect(`${error.message} ${error.url} ${error.stack}`).not.toMatch(/SECRET/);
    expect(error.url).toContain("ids=bitcoin");
  });
});

describe("parseRetryAfterMs", () => {
  const nowMs = Date.parse("2025-12-01T00:00:00Z");
  it.each([
    ["120", 120_000],
    ["0", 0],
    ["Mon, 01 Dec 2025 00:00:30 GMT", 30_000],
    ["Sun, 30 Nov 2025 23:00:00 GMT", 0],
    ["soon", 60_000],
    // Capped at 5 min (issue 11: a huge Retry-After kept a dataset on fallback for the old 1 h cap).
    ["99999999", 300_000],
    ["3600", 300_000],
    ["300", 300_000],
  ])("%s -> %d ms", (header, expectedMs) => {
    expect(parseRetryAfterMs(header, nowMs)).toBe(expectedMs);
  });
  it("backs off by default without the header", () => {
    expect(parseRetryAfterMs(undefined, nowMs)).toBe(60_000);
  });
});

describe("redactUrl", () => {
  it("removes credentials and key-like query values", () => {
    expect(redactUrl("https://user:pw@example.com/a?ids=bitcoin&api_key=abc&token=t")).toBe(
      "https://example.com/a?ids=bitcoin&api_key=REDACTED&token=REDACTED",
    );
  });
});
