/** One validation path for every platform: coerce each option, then the command's zod schema. */
import type { z } from "zod";
import type { AnyCommand, OptionSpec } from "./command.ts";
import { UserError } from "./errors.ts";
import type { Catalogs } from "./lookup.ts";
import { coerceOption } from "./parse.ts";

/** With the catalogs, names become catalog ids here, so every platform gives one error for one
 * unknown name (and commands receive ids). */
export function validateArgs(
  command: AnyCommand,
  raw: Record<string, unknown>,
  catalogs?: Catalogs,
): unknown {
  const coerced: Record<string, unknown> = {};
  for (const spec of command.options) {
    const value = coerceOption(spec, raw[spec.name], catalogs);
    if (value !== undefined) coerced[spec.name] = value;
  }
  const result = command.args.safeParse(coerced);
  if (result.success) return result.data;
  throw toUserError(command, result.error);
}

function toUserError(command: AnyCommand, error: z.ZodError): UserError {
  const issue = error.issues[0]!;
  const optionName = typeof issue.path[0] === "string" ? issue.path[0] : undefined;
  const spec = command.options.find((o) => o.name === optionName);
  const example = exampleFor(command, spec);
  if (!spec || issue.code === "custom") {
    return new UserError("invalid_value", `${issue.message}. Example: ${example}`, {
      ...(optionName ? { option: optionName } : {}),
      example,
    });
  }
  const missing = issue.code === "invalid_type" && coercedIsMissing(issue);
  const allowed = describeAllowed(spec);
  const message = missing
    ? `Missing ${spec.name}: ${spec.description}. Example: ${example}`
    : `Invalid ${spec.name}: must be ${allowed}. Example: ${example}`;
  return new UserError(missing ? "missing_value" : "invalid_value", message, {
    option: spec.name,
    allowed,
    example,
  });
}

function coercedIsMissing(issue: z.core.$ZodIssue): boolean {
  return "input" in issue ? issue.input === undefined : issue.message.includes("undefined");
}

export function describeAllowed(spec: OptionSpec): string {
  if (spec.choices) return `one of ${spec.choices.join(", ")}`;
  if (spec.type === "number" || spec.type === "integer") {
    const kind = spec.type === "integer" ? "a whole number" : "a number";
    if (spec.min !== undefined && spec.max !== undefined) return `${kind} from ${spec.min} to ${spec.max}`;
    if (spec.min !== undefined) return `${kind} of at least ${spec.min}`;
    if (spec.max !== undefined) return `${kind} of at most ${spec.max}`;
    return kind;
  }
  if (spec.type === "boolean") return "true or false";
  if (spec.catalog) return `a known ${spec.catalog} name`;
  return "text";
}

function exampleFor(command: AnyCommand, spec: OptionSpec | undefined): string {
  if (spec?.example) return `/${command.name} ${spec.name}=${quote(spec.example)}`;
  return command.examples[0] ?? `/${command.name}`;
}

function quote(value: string): string {
  return /\s/.test(value) ? `"${value}"` : value;
}
