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

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}
