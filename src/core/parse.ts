/** The text grammar shared by Telegram and the console:
 *   /mining_cost paraguay usd_per_kwh=0.045 machine="S21 XP"
 * positional values fill options in declared order, key=value sets one by name, quotes allow spaces;
 * given the catalogs, it also reads unquoted names, positional names and numbers with units
 * (see decodeTextArgs). */
import type { AnyCommand, OptionSpec } from "./command.ts";
import { UserError } from "./errors.ts";
import { type Catalogs, matchNamedWords, suggestNamed, unknownName } from "./lookup.ts";
import { looksNumeric, parseQuantity } from "./quantity.ts";
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
  const head = splitHead(line);
  if (!head) return undefined;
  const { rest, ...named } = head;
  return { ...named, tokens: tokenize(rest) };
}

/** The command name, its @bot and the rest of the line untouched (not yet tokenized). */
export function splitHead(line: string): { name: string; addressedTo?: string; rest: string } | undefined {
  const trimmed = line.trim().replace(/^\//, "");
  const match = /^([^\s@]+)(?:@(\S+))?(?:\s+([\s\S]*))?$/.exec(trimmed);
  if (!match) return undefined;
  const [, name, addressedTo, rest] = match;
  return {
    name: name!.toLowerCase(),
    ...(addressedTo ? { addressedTo: addressedTo.toLowerCase() } : {}),
    rest: rest ?? "",
  };
}

/** The raw args of a line: a command with a rest-of-line option (ask) takes the text as typed,
 * apostrophes and all ("what's …"); any other is tokenized and decoded by the grammar. */
export function decodeTextLine(
  command: AnyCommand,
  rest: string,
  catalogs?: Catalogs,
): Record<string, string> {
  const whole = command.options.find((o) => o.rest);
  if (!whole) return decodeTextArgs(command, tokenize(rest), catalogs);
  const text = rest
    .trim()
    .replace(new RegExp(`^${whole.name}=`, "i"), "")
    .trim();
  return text ? { [whole.name]: text } : {};
}

const NAMED = /^([A-Za-z_][A-Za-z0-9_-]*)=([\s\S]*)$/;

/** Longest run of words one catalog value may span without quotes ("raspberry pi 5 8gb"). */
const MAX_SPAN_WORDS = 6;

/** Turns tokens into raw option values (strings); validation and coercion happen next.
 *
 * With the catalogs given, the grammar forgives the way people type in chat:
 *  - a value runs over several words when together they name a catalog entry or a choice
 *    (`machine=S21 XP`, `llama 3.1 8b raspberry pi 5`);
 *  - a positional value goes to the option whose catalog or choices it names, wherever that option
 *    is declared (`migration us ethiopia 50` = from, to, then ehs);
 *  - a number goes to the next numeric option after the last one filled, with a unit word after it
 *    taken along (`50 EH/s`);
 *  - anything else fills the next free option, as a name where one is expected. */
export function decodeTextArgs(
  command: AnyCommand,
  tokens: readonly string[],
  catalogs?: Catalogs,
): Record<string, string> {
  const named = new Map<string, string>();
  const positional: string[] = [];
  for (let t = 0; t < tokens.length; t++) {
    const token = tokens[t]!;
    const match = NAMED.exec(token);
    if (!match) {
      if (token.startsWith("=")) {
        throw new UserError("parse_error", `"${token}" has no option name before "=" (write name=value).`);
      }
      positional.push(token);
      continue;
    }
    const key = match[1]!.toLowerCase().replace(/-/g, "_");
    const spec = command.options.find((o) => o.name === key);
    if (!spec) throw unknownOption(command, key);
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
    const taken = catalogs ? continuation(command, spec, match[2]!, tokens, t + 1, catalogs) : 0;
    named.set(key, [match[2]!, ...tokens.slice(t + 1, t + 1 + taken)].join(" "));
    t += taken;
  }
  if (!catalogs) return fillInOrder(command, named, positional);
  return fillByMeaning(command, named, positional, catalogs);
}

/** How many of the following words belong to a named value: the most that, with the value,
 * name one catalog entry or choice; or a unit word after a number. 0 when none do. */
function continuation(
  command: AnyCommand,
  spec: OptionSpec,
  value: string,
  tokens: readonly string[],
  next: number,
  catalogs: Catalogs,
): number {
  const following: string[] = [];
  for (let i = next; i < tokens.length && following.length < MAX_SPAN_WORDS - 1; i++) {
    if (NAMED.test(tokens[i]!)) break;
    following.push(tokens[i]!);
  }
  if (isNumeric(spec)) return following[0] !== undefined && isUnitOf(spec, value, following[0]) ? 1 : 0;
  for (let extra = following.length; extra > 0; extra--) {
    if (namesValue(spec, [value, ...following.slice(0, extra)], catalogs)) return extra;
  }
  if (!spec.catalog) return 0;
  // No entry has that name: words no other option could take still belong to it (machine=S99 ZZ),
  // so the error names the machine rather than blaming the next option for "ZZ".
  const others = command.options.filter((o) => o !== spec);
  let extra = 0;
  while (
    extra < following.length &&
    !looksNumeric(following[extra]!) &&
    !others.some((o) => namesValue(o, [following[extra]!], catalogs))
  )
    extra++;
  return extra;
}

function fillInOrder(
  command: AnyCommand,
  named: Map<string, string>,
  positional: readonly string[],
): Record<string, string> {
  const free = command.options.filter((o) => !named.has(o.name));
  if (positional.length > free.length) throw tooManyValues(command, positional.slice(free.length).join(" "));
  for (const [i, value] of positional.entries()) named.set(free[i]!.name, value);
  return Object.fromEntries(named);
}

function fillByMeaning(
  command: AnyCommand,
  named: Map<string, string>,
  words: readonly string[],
  catalogs: Catalogs,
): Record<string, string> {
  const options = command.options;
  const isFree = (o: OptionSpec) => !named.has(o.name);
  /** Index of the option filled last: numbers and plain words continue after it. */
  let cursor = -1;
  const fill = (spec: OptionSpec, value: string) => {
    named.set(spec.name, value);
    cursor = options.indexOf(spec);
  };
  const after = (candidates: readonly OptionSpec[]) =>
    candidates.find((o) => options.indexOf(o) > cursor) ?? candidates[0];

  for (let i = 0; i < words.length; ) {
    // 1. The longest run of words that names a catalog entry or a choice of a free option.
    let spanned = false;
    for (let length = Math.min(MAX_SPAN_WORDS, words.length - i); length >= 1 && !spanned; length--) {
      const span = words.slice(i, i + length);
      const takers = options.filter((o) => isFree(o) && !isNumeric(o) && namesValue(o, span, catalogs));
      const spec = after(takers);
      if (!spec) continue;
      fill(spec, span.join(" "));
      i += length;
      spanned = true;
    }
    if (spanned) continue;
    const word = words[i]!;
    // 2. A number: the next numeric option after the last filled, with its unit word if one follows.
    if (looksNumeric(word)) {
      const numeric = options.filter((o) => isFree(o) && isNumeric(o));
      const unit = words[i + 1];
      const withUnit = unit === undefined ? undefined : after(numeric.filter((o) => isUnitOf(o, word, unit)));
      if (withUnit) {
        fill(withUnit, `${word} ${unit}`);
        i += 2;
        continue;
      }
      const taker = after(numeric.filter((o) => parseQuantity(word, o) !== undefined)) ?? after(numeric);
      if (taker) {
        fill(taker, word);
        i += 1;
        continue;
      }
    }
    // 3. A near miss of a catalog name ("texsa"): the option whose catalog it resembles, so the error
    //    names that option and the entry it most likely meant.
    const resembled = options.filter(
      (o) => isFree(o) && o.catalog && suggestNamed(catalogs[o.catalog], word),
    );
    // 4. Otherwise the next free option, preferring one that takes a name over one that takes a number.
    const rest = options.filter(isFree);
    const taker =
      after(resembled) ?? after(rest.filter((o) => !isNumeric(o) && o.type !== "boolean")) ?? after(rest);
    if (!taker) throw tooManyValues(command, words.slice(i).join(" "));
    fill(taker, word);
    i += 1;
  }
  return Object.fromEntries(named);
}

function isNumeric(spec: OptionSpec): boolean {
  return spec.type === "number" || spec.type === "integer";
}

/** Whether the words together name an entry of the option's catalog or one of its choices. */
function namesValue(spec: OptionSpec, words: readonly string[], catalogs: Catalogs): boolean {
  if (spec.catalog) return matchNamedWords(catalogs[spec.catalog], words) !== undefined;
  if (spec.choices) return matchChoice(spec, words.join(" ")) !== undefined;
  return false;
}

/** "50" followed by "EH/s": the word is a unit this numeric option accepts. */
function isUnitOf(spec: OptionSpec, value: string, word: string): boolean {
  return (
    looksNumeric(value) &&
    !looksNumeric(word) &&
    parseQuantity(value, spec) !== undefined &&
    parseQuantity(`${value}${word}`, spec) !== undefined
  );
}

function tooManyValues(command: AnyCommand, extra: string): UserError {
  return new UserError(
    "too_many_values",
    `Too many values: "${extra}". /${command.name} takes ${command.options.map((o) => o.name).join(", ")}` +
      ` (in that order, or as name=value). Put a name with spaces in quotes.`,
    { allowed: command.options.map((o) => o.name).join(", "), example: command.examples[0] },
  );
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

/** The choice a text names: itself in any case, or one of the option's aliases ("q8" → q8_0). */
export function matchChoice(spec: OptionSpec, text: string): string | undefined {
  const wanted = text.trim().toLowerCase();
  const exact = spec.choices?.find((c) => c.toLowerCase() === wanted);
  if (exact) return exact;
  return spec.choiceAliases?.[wanted] ?? spec.choiceAliases?.[wanted.replace(/[\s-]+/g, "")];
}

/** Converts one raw value (a string from text, or a typed value from Discord) to the option's type;
 * with the catalogs, a catalog value becomes its entry's id ("S21 XP" → s21_xp). */
export function coerceOption(spec: OptionSpec, raw: unknown, catalogs?: Catalogs): unknown {
  if (raw === undefined || raw === null || raw === "") return undefined;
  if (spec.type === "number" || spec.type === "integer") {
    const value = typeof raw === "number" ? raw : parseQuantity(String(raw), spec);
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
    const exact = matchChoice(spec, text);
    if (exact) return exact;
    const suggestion = closest(text, [...spec.choices, ...Object.keys(spec.choiceAliases ?? {})]);
    const meant = suggestion ? (spec.choiceAliases?.[suggestion] ?? suggestion) : undefined;
    throw new UserError(
      "invalid_value",
      `"${text}" is not a valid ${spec.name}.${meant ? ` Did you mean ${meant}?` : ""} Allowed: ${spec.choices.join(", ")}.`,
      { option: spec.name, allowed: spec.choices.join(", "), ...(meant ? { suggestion: meant } : {}) },
    );
  }
  if (spec.catalog && catalogs && text) {
    const items = catalogs[spec.catalog];
    const found = matchNamedWords(items, text.split(/\s+/));
    if (!found) throw unknownName(spec.catalog, spec.name, items, text);
    return found.id;
  }
  return text;
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
