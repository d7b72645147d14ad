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
