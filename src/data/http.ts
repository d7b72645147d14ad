/** The one HTTP client every upstream goes through. It keeps requests short (a Discord interaction
 * must be acknowledged within 3 s), caps response sizes, honours 429 Retry-After per origin, and turns
 * every failure into an UpstreamError so callers handle one error type. */
import { request } from "undici";
import type { Clock } from "../core/ports.ts";

export type UpstreamErrorKind = "timeout" | "http" | "rate_limited" | "malformed" | "unreachable";

/** Any failure talking to an upstream. `url` never carries secrets (credentials and key-like query
 * parameters are redacted; headers such as API keys are never included). */
export class UpstreamError extends Error {
  override name = "UpstreamError";
  readonly kind: UpstreamErrorKind;
  readonly url: string;
  readonly status: number | undefined;

  constructor(kind: UpstreamErrorKind, url: string, detail: string, status?: number) {
    const safeUrl = redactUrl(url);
    super(`${kind}: GET ${safeUrl}${status === undefined ? "" : ` -> ${status}`}: ${detail}`);
    this.kind = kind;
    this.url = safeUrl;
    this.status = status;
  }
}

export interface HttpClient {
  getJson(url: string, headers?: Record<string, string>): Promise<unknown>;
  getText(url: string, headers?: Record<string, string>): Promise<string>;
}

export interface HttpClientOptions {
  /** Whole request budget: connect + headers + body. */
  timeoutMs?: number;
  userAgent?: string;
  /** Responses larger than this are rejected as malformed (our payloads are a few KB). */
  maxResponseBytes?: number;
  /** Drives the Retry-After bookkeeping, so tests can move time forward. */
  clock: Clock;
}

const DEFAULT_TIMEOUT_MS = 2500;
const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;
/** A 429 without a usable Retry-After still backs off this long. */
const DEFAULT_RETRY_AFTER_MS = 60_000;
/** A hostile or mistaken Retry-After must not keep a dataset on stale or snapshot values for long:
 * after 5 minutes one request tries again (a second 429 sets a new wait). mempool.space's own
 * 429s ask for seconds to a minute, so honest answers are honoured in full. */
export const MAX_RETRY_AFTER_MS = 5 * 60_000;

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const userAgent = options.userAgent ?? "decentra";
  const { clock } = options;
  /** origin -> Unix ms before which we send nothing to that origin (after a 429). */
  const blockedUntilMs = new Map<string, number>();

  async function getBody(url: string, accept: string, extraHeaders: Record<string, string>): Promise<string> {
    const origin = originOf(url);
    const blockedUntil = blockedUntilMs.get(origin);
    if (blockedUntil !== undefined) {
      const waitMs = blockedUntil - clock.now().getTime();
      if (waitMs > 0) {
        throw new UpstreamError(
          "rate_limited",
          url,
          `Retry-After not passed yet (${Math.ceil(waitMs / 1000)} s left)`,
          429,
        );
      }
      blockedUntilMs.delete(origin);
    }

    // One signal bounds the whole exchange; headersTimeout/bodyTimeout only bound idle gaps.
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const response = await request(url, {
        method: "GET",
        headers: { accept, "user-agent": userAgent, ...extraHeaders },
        signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const { statusCode, headers, body } = response;

      if (statusCode === 429) {
        body.dump().catch(() => {});
        const retryAfterMs = parseRetryAfterMs(headerValue(headers["retry-after"]), clock.now().getTime());
        blockedUntilMs.set(origin, clock.now().getTime() + retryAfterMs);
        throw new UpstreamError("rate_limited", url, `retry after ${Math.ceil(retryAfterMs / 1000)} s`, 429);
      }
      if (statusCode < 200 || statusCode >= 300) {
        body.dump().catch(() => {});
        throw new UpstreamError("http", url, "unexpected status", statusCode);
      }

      const declaredBytes = Number(headerValue(headers["content-length"]));
      if (Number.isFinite(declaredBytes) && declaredBytes > maxResponseBytes) {
        body.destroy();
        throw new UpstreamError("malformed", url, `response of ${declaredBytes} bytes exceeds the cap`);
      }
      const chunks: Buffer[] = [];
      let receivedBytes = 0;
      for await (const chunk of body) {
        receivedBytes += chunk.length;
        if (receivedBytes > maxResponseBytes) {
          body.destroy();
          throw new UpstreamError("malformed", url, `response exceeds ${maxResponseBytes} bytes`);
        }
        chunks.push(chunk);
      }
      return Buffer.concat(chunks).toString("utf8");
    } catch (error) {
      if (error instanceof UpstreamError) throw error;
      if (signal.aborted)
        throw new UpstreamError("timeout", url, `no complete answer within ${timeoutMs} ms`);
      throw classifyTransportError(url, error);
    }
  }

  return {
    async getJson(url, headers = {}) {
      const text = await getBody(url, "application/json", headers);
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new UpstreamError("malformed", url, "body is not JSON");
      }
    },
    getText(url, headers = {}) {
      return getBody(url, "text/plain", headers);
    },
  };
}

/** Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). Returns a wait in ms,
 * clamped to [0, 5 min]; a missing or unparsable header gives the default back-off. */
export function parseRetryAfterMs(header: string | undefined, nowMs: number): number {
  if (header === undefined) return DEFAULT_RETRY_AFTER_MS;
  const trimmed = header.trim();
  let waitMs: number;
  if (/^\d{1,10}$/.test(trimmed)) {
    waitMs = Number(trimmed) * 1000;
  } else {
    const dateMs = Date.parse(trimmed);
    if (Number.isNaN(dateMs)) return DEFAULT_RETRY_AFTER_MS;
    waitMs = dateMs - nowMs;
  }
  return Math.min(Math.max(waitMs, 0), MAX_RETRY_AFTER_MS);
}

const SECRET_PARAM = /key|token|secret|sig|auth|pass/i;

/** The URL with credentials removed and key-like query values replaced, safe for logs and errors. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "<invalid url>";
  }
  parsed.username = "";
  parsed.password = "";
  for (const name of [...parsed.searchParams.keys()]) {
    if (SECRET_PARAM.test(name)) parsed.searchParams.set(name, "REDACTED");
  }
  return parsed.toString();
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    throw new UpstreamError("unreachable", url, "invalid URL");
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

const TIMEOUT_CODES = new Set(["UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);

/** undici and the OS report transport failures with codes; only the code goes into the message so
 * nothing from the request (headers, keys) can leak through a nested cause. */
function classifyTransportError(url: string, error: unknown): UpstreamError {
  const code = errorCode(error);
  if (code !== undefined && TIMEOUT_CODES.has(code)) return new UpstreamError("timeout", url, code);
  return new UpstreamError("unreachable", url, code ?? "transport error");
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const own = (error as { code?: unknown }).code;
  if (typeof own === "string") return own;
  return errorCode((error as { cause?: unknown }).cause);
}
