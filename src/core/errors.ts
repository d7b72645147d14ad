/** A mistake the user can fix; its message is shown as is on every platform. */
export type UserErrorCode =
  | "unknown_command"
  | "unknown_option"
  | "missing_value"
  | "invalid_value"
  | "unknown_name"
  | "too_many_values"
  | "parse_error"
  | "forbidden"
  | "rate_limited"
  | "unavailable";

export interface UserErrorDetails {
  option?: string;
  allowed?: string;
  example?: string;
  suggestion?: string;
}

export class UserError extends Error {
  readonly code: UserErrorCode;
  readonly details: UserErrorDetails;

  constructor(code: UserErrorCode, message: string, details: UserErrorDetails = {}) {
    super(message);
    this.name = "UserError";
    this.code = code;
    this.details = details;
  }
}

/** A failed post to a chat. permanent: the bot was removed, the chat deleted or a permission is
 * missing, so retrying cannot help; otherwise (429, 5xx, network) the caller retries with backoff. */
export class DeliveryError extends Error {
  readonly permanent: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: { permanent: boolean; retryAfterMs?: number; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = "DeliveryError";
    this.permanent = options.permanent;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** The store (SQLite file or Redis) did not answer or refused the operation: down, frozen, read-only,
 * full or corrupt. Shown to the user as is (what cannot be done right now), logged for the operator
 * with its cause. Reads of cached data never surface it: the cache falls back to upstream. */
export class StoreUnavailableError extends UserError {
  /** For the operator's log: what the store said (SQLITE_READONLY, a timeout, …). */
  readonly detail: string;

  constructor(message: string, options: { cause?: unknown; detail?: string } = {}) {
    super("unavailable", message);
    this.name = "StoreUnavailableError";
    this.detail = options.detail ?? "";
    if (options.cause !== undefined) this.cause = options.cause;
  }
}

/** A platform could not start. "config": the platform rejected a setting (a wrong token, a webhook
 * URL it will not use): fatal, fix the variable; "unreachable": its API did not answer (retried
 * with back-off). The message never carries a secret. */
export class PlatformStartError extends Error {
  readonly kind: "config" | "unreachable";
  /** The environment variable to look at (DISCORD_TOKEN, TELEGRAM_API_ROOT, …). */
  readonly variable: string;

  constructor(
    kind: "config" | "unreachable",
    variable: string,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "PlatformStartError";
    this.kind = kind;
    this.variable = variable;
  }
}
