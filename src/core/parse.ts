/** The text grammar shared by Telegram and the console:
 *   /mining_cost paraguay usd_per_kwh=0.045 machine="S21 XP"
 * positional values fill options in declared order, key=value sets one by name, quotes allow spaces. */
import type { AnyCommand, OptionSpec } from "./command.ts";
import { UserError } from "./errors.ts";
import { closest } from "./suggest.ts";

export interface CommandLine {
  /** Lower-case command name without the slash or @bot suffix. */
  name: string;
  /** The bot a group command was addressed to (`/cmd@OtherBot`), lower-case, if any. */
  addressedTo?: string;
  tokens: string[];
}

const OPENING_QUOTES: Record<string, string> = { '"': '"', "'": "'", "“": "”", "‘": "’", "«": "»" };

export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let current = "";
  let inToken = false;
  let closingQuote: string | undefined;
  for (const char of text) {
    if (closingQuote) {
      if (char === closingQuote || (closingQuote === "”" && char === '"')) closingQuote = undefined;
      else current += char;
    } else if (OPENING_QUOTES[char]) {
      closingQuote = OPENING_QUOTES[char];
      inToken = true;
    } else if (/\s/.test(char)) {
      if (inToken) tokens.push(current);
      current = "";
      inToken = false;
    } else {
      current += char;
      inToken = true;
    }
  }
  if (closingQuote)
    throw new UserError("parse_error", `A quote is not closed: add ${closingQuote} at the end.`);
  if (inToken) tokens.push(current);
  return tokens;
}

/** Splits "/cmd@Bot a b=c" into its parts; undefined for an empty line. */
export function parseCommandLine(line: string): CommandLine | undefined {
  const trimmed = line.trim().replace(/^\//, "");
  const match = /^([^\s@]+)(?:@(\S+))?(?:\s+([\s\S]*))?$/.exec(trimmed);
  if (!match) return undefined;
  const [, name, addressedTo, rest] = match;
  return {
    name: name!.toLowerCase(),
    ...(addressedTo ? { addressedTo: addressedTo.toLowerCase() } : {}),
    tokens: tokenize(rest ?? ""),
  };
}

const NAMED = /^([A-Za-z_][A-Za-z0-9_-]*)=([\s\S]*)$/;

/** Turns tokens into raw option values (strings); validation and coercion happen next. */
export function decodeTextArgs(command: AnyCommand, tokens: readonly string[]): Record<string, string> {
  const named = new Map<string, string>();
  const positional: string[] = [];
  for (const token of tokens) {
    const match = NAMED.exec(token);
    if (!match) {
      if (token.startsWith("=")) {
        throw new UserError("parse_error", `"${token}" has no option name before "=" (write name=value).`);
      }
      positional.push(token);
      continue;
    }
    const key = match[1]!.toLowerCase().replace(/-/g, "_");
    if (!command.options.some((o) => o.name === key)) throw unknownOption(command, key);
    if (match[2] === "") {
      throw new UserError(
        "missing_value",
        `${key}= needs a value (for example ${key}=${exampleOf(command, key)}).`,
        {
          option: key,
        },
      );
    }
    if (named.has(key)) throw new UserError("invalid_value", `${key} is given twice.`, { option: key });
    named.set(key, match[2]!);
  }
  const free = command.options.filter((o) => !named.has(o.name));
  if (positional.length > free.length) {
    const extra = positional.slice(free.length).join(" ");
    throw new UserError(
      "too_many_values",
      `Too many values: "${extra}". /${command.name} takes ${command.options.map((o) => o.name).join(", ")}` +
        ` (in that order, or as name=value). Put a name with spaces in quotes.`,
      { allowed: command.options.map((o) => o.name).join(", "), example: command.examples[0] },
    );
  }
  for (const [i, value] of positional.entries()) named.set(free[i]!.name, value);
  return Object.fromEntries(named);
}

function exampleOf(command: AnyCommand, key: string): string {
  return command.options.find((o) => o.name === key)?.example ?? "…";
}

function unknownOption(command: AnyCommand, key: string): UserError {
  const names = command.options.map((o) => o.name);
  const suggestion = closest(key, names);
  const allowed = names.length ? `Options: ${names.join(", ")}.` : `/${command.name} takes no options.`;
  return new UserError(
    "unknown_option",
    `Unknown option "${key}" for /${command.name}.${suggestion ? ` Did you mean ${suggestion}?` : ""} ${allowed}`,
    { option: key, allowed: names.join(", "), ...(suggestion ? { suggestion } : {}) },
  );
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

/** Converts one raw value (a string from text, or a typed value from Discord) to the option's type. */
export function coerceOption(spec: OptionSpec, raw: unknown): unknown {
  if (raw === undefined || raw === null || raw === "") return undefined;
  if (spec.type === "number" || spec.type === "integer") {
    const value = typeof raw === "number" ? raw : parseNumber(String(raw));
    if (value === undefined || !Number.isFinite(value)) {
      throw invalidValue(spec, `must be ${spec.type === "integer" ? "a whole number" : "a number"}`, raw);
    }
    return value;
  }
  if (spec.type === "boolean") {
    if (typeof raw === "boolean") return raw;
    const text = String(raw).toLowerCase();
    if (["true", "yes", "on", "1"].includes(text)) return true;
    if (["false", "no", "off", "0"].includes(text)) return false;
    throw invalidValue(spec, "must be true or false", raw);
  }
  const text = String(raw).trim();
  if (spec.choices) {
    const exact = spec.choices.find((c) => c.toLowerCase() === text.toLowerCase());
    if (exact) return exact;
    const suggestion = closest(text, spec.choices);
    throw new UserError(
      "invalid_value",
      `"${text}" is not a valid ${spec.name}.${suggestion ? ` Did you mean ${suggestion}?` : ""} Allowed: ${spec.choices.join(", ")}.`,
      { option: spec.name, allowed: spec.choices.join(", "), ...(suggestion ? { suggestion } : {}) },
    );
  }
  return text;
}

function parseNumber(text: string): number | undefined {
  const cleaned = text.trim().replace(/_/g, "");
  return NUMBER.test(cleaned) ? Number(cleaned) : undefined;
}

function invalidValue(spec: OptionSpec, rule: string, raw: unknown): UserError {
  const example = spec.example ? ` (for example ${spec.name}=${spec.example})` : "";
  return new UserError(
    "invalid_value",
    `${spec.name} ${rule}${example}; got "${String(raw).slice(0, 40)}".`,
    {
      option: spec.name,
      ...(spec.example ? { example: spec.example } : {}),
    },
  );
}
