/** A free-text question → the command that answers it and the values it names, in canonical form
 * (catalog ids, numbers in the option's unit). Deterministic and local: the scored vocabulary picks
 * the command, the extractors read the values, the command's own option specs convert them. */
import type { AnyCommand, Catalogs, OptionSpec, Registry } from "../core/index.ts";
import {
  coerceOption,
  decodeTextLine,
  matchChoice,
  parseQuantity,
  splitHead,
  unitKey,
} from "../core/index.ts";
import {
  type EntityMention,
  extractEntities,
  extractQuantities,
  type QuantityMention,
  splitWords,
  type Word,
} from "./extract.ts";
import { INTENTS, type IntentEntry, MIN_SCORE } from "./vocabulary.ts";

export interface Understood {
  command: string;
  /** Canonical option values, only those the question named. */
  args: Record<string, string | number | boolean>;
}

export interface Routed extends Understood {
  /** The command line the question was read as: "/mining_cost texas machine=s21_xp". */
  readAs: string;
  /** Points per command, for tests and tuning. */
  scores: Record<string, number>;
  /** Names the question seems to give that no catalog has ("mining in Iceland"), said back. */
  unread: string[];
}

/** The routed command and values, or undefined when no command has enough evidence. */
export function routeQuestion(question: string, registry: Registry, catalogs: Catalogs): Routed | undefined {
  const text = question.trim().slice(0, 500);
  if (!text) return undefined;
  const typed = asCommandLine(text, registry, catalogs);
  if (typed) return typed;
  const words = splitWords(text);
  const entities = extractEntities(words, catalogs);
  const masked = entities.map((e) => [words[e.first]!.start, words[e.last]!.end] as [number, number]);
  const quantities = extractQuantities(text, masked);
  const scores = scoreIntents(text.toLowerCase(), entities, quantities, registry);
  const best = Object.entries(scores).sort((a, b) => b[1] - a[1])[0];
  if (!best || best[1] < MIN_SCORE) return undefined;
  const command = registry.find(best[0])!;
  const args = canonical(command, assignValues(command, words, entities, quantities), catalogs);
  return {
    command: command.name,
    args,
    readAs: readAs(command, args),
    scores,
    unread: unreadNames(words, entities),
  };
}

function canonical(command: AnyCommand, raw: Record<string, string>, catalogs: Catalogs): Understood["args"] {
  const args: Understood["args"] = {};
  for (const spec of command.options) {
    if (raw[spec.name] === undefined) continue;
    try {
      args[spec.name] = coerceOption(spec, raw[spec.name], catalogs) as string | number | boolean;
    } catch {
      // A value the option refuses is dropped rather than guessed at; the answer says what it read.
    }
  }
  return args;
}

/** "migration us ethiopia 50" typed after /ask is a command line: read it with the grammar. */
function asCommandLine(text: string, registry: Registry, catalogs: Catalogs): Routed | undefined {
  const head = splitHead(text);
  const command = head && !head.addressedTo ? registry.find(head.name) : undefined;
  if (!command || command.name === "ask" || !INTENTS.some((e) => e.command === command.name))
    return undefined;
  try {
    const args = canonical(command, decodeTextLine(command, head!.rest, catalogs), catalogs);
    return {
      command: command.name,
      args,
      readAs: readAs(command, args),
      scores: { [command.name]: Number.MAX_SAFE_INTEGER },
      unread: [],
    };
  } catch {
    return undefined;
  }
}

function scoreIntents(
  lower: string,
  entities: readonly EntityMention[],
  quantities: readonly QuantityMention[],
  registry: Registry,
): Record<string, number> {
  const scores: Record<string, number> = {};
  const catalogsNamed = new Set(entities.map((e) => e.catalog));
  const regions = entities.filter((e) => e.catalog === "region").length;
  const units = new Set(quantities.map((q) => q.unit));
  for (const entry of INTENTS) {
    if (!registry.find(entry.command)) continue;
    let score = 0;
    for (const cue of entry.cues) if (cue.pattern.test(lower)) score += cue.weight;
    for (const catalog of catalogsNamed) score += entry.entities?.[catalog] ?? 0;
    if (regions >= 2) score += entry.twoRegions ?? 0;
    score += unitEvidence(entry, units, quantities);
    scores[entry.command] = score;
  }
  return scores;
}

/** Units say what is asked: a power price is a mining-cost question, GB and tokens an edge-fit one. */
function unitEvidence(
  entry: IntentEntry,
  units: Set<string>,
  quantities: readonly QuantityMention[],
): number {
  const has = (...keys: string[]) => keys.some((k) => units.has(k));
  const power = has(
    "c",
    "¢",
    "cent",
    "cents",
    "c/kwh",
    "¢/kwh",
    "cents/kwh",
    "/kwh",
    "$/kwh",
    "kwh",
    "/mwh",
    "$/mwh",
  );
  switch (entry.command) {
    case "mining_cost":
      return (power ? 3 : 0) + (has("j/th", "w/th") ? 2 : 0);
    case "migration":
      return has("eh/s", "ehs", "eh", "exahash", "exahashes", "ph/s") ? 2 : 0;
    case "edge_fit":
      return has("gb", "gib", "b", "tokens", "token", "context", "ctx", "gb/s") ? 2 : 0;
    case "edge_ai":
      return quantities.some((q) => !q.unit && q.value >= 2015 && q.value <= 2050 && !q.kilo) ? 1 : 0;
    default:
      return 0;
  }
}

/** Raw values (text the option's own coercion understands) for the options the question names. */
function assignValues(
  command: AnyCommand,
  words: readonly Word[],
  entities: readonly EntityMention[],
  quantities: readonly QuantityMention[],
): Record<string, string> {
  const raw: Record<string, string> = {};
  const option = (name: string) => command.options.find((o) => o.name === name);
  const free = (spec: OptionSpec | undefined): spec is OptionSpec =>
    spec !== undefined && raw[spec.name] === undefined;

  // Names: each catalog mention fills a free option of that catalog; between two region options
  // (migration's from and to) "from"/"to" before the name decides, else the order they come in.
  for (const entity of entities) {
    const takers = command.options.filter((o) => o.catalog === entity.catalog && free(o));
    if (takers.length === 0) continue;
    const marked = takers.find((o) => entity.before.some((w) => directionOf(w) === o.name));
    raw[(marked ?? takers[0]!).name] = entity.id;
  }

  // Choices and flags named by a word: "pools", "monthly", "q8", "grouped".
  for (const spec of command.options) {
    if (!free(spec)) continue;
    if (spec.choices) {
      // Two different choices named ("mining and AI") leave the option at its default.
      const named = new Set(words.map((w) => matchChoice(spec, w.lower)).filter((c) => c !== undefined));
      if (named.size === 1) raw[spec.name] = [...named][0]!;
    } else if (spec.type === "boolean" && words.some((w) => w.lower === spec.name)) raw[spec.name] = "true";
  }

  // Numbers: by unit when they carry one, else by the word before them, else by what they look like.
  for (const q of quantities) {
    const spec = numberTaker(command, q, raw);
    if (free(spec)) raw[spec.name] = q.text;
  }
  // Only the named model or device answers for its size or memory: "8B" and "8GB" in
  // "llama 3.1 8b on an 8GB pi" were read as names already, so these fill only when no name did.
  if (raw.model !== undefined) delete raw.params_b;
  if (raw.device !== undefined) {
    delete raw.ram_gb;
    delete raw.bandwidth_gbs;
  }
  return Object.fromEntries(Object.entries(raw).filter(([name]) => option(name)));
}

/** A capitalised word after "in", "from" or "to" that named nothing: probably a place we do not list. */
function unreadNames(words: readonly Word[], entities: readonly EntityMention[]): string[] {
  const read = new Set(
    entities.flatMap((e) => Array.from({ length: e.last - e.first + 1 }, (_, k) => e.first + k)),
  );
  return words
    .filter((w, i) => i > 0 && !read.has(i) && /^[A-Z][a-z]{2,}$/.test(w.text))
    .filter((w) => ["in", "from", "to", "into"].includes(words[words.indexOf(w) - 1]!.lower))
    .map((w) => w.text);
}

function directionOf(word: string): string | undefined {
  if (word === "from" || word === "out" || word === "leaving") return "from";
  if (word === "to" || word === "into" || word === "towards" || word === "toward") return "to";
  return undefined;
}

function numberTaker(command: AnyCommand, q: QuantityMention, taken: Record<string, string>) {
  const numeric = command.options.filter(
    (o) => (o.type === "number" || o.type === "integer") && taken[o.name] === undefined,
  );
  const accepts = (o: OptionSpec) => parseQuantity(q.text, o) !== undefined;
  if (q.unit) {
    const key = unitKey(q.unit);
    const byUnit = numeric.find((o) => o.units && (key in o.units || `$${key}` in o.units) && accepts(o));
    if (byUnit) return byUnit;
  }
  // "pue of 1.2", "fee 2%", "context of 8192", "price 95k": the option's name just before.
  const named = numeric.find((o) => q.before.some((w) => o.name.split("_")[0] === w) && accepts(o));
  if (named) return named;
  if (q.unit) return undefined;
  const year = numeric.find((o) => o.name === "year");
  if (year && Number.isInteger(q.value) && q.value >= (year.min ?? 0) && q.value <= (year.max ?? 0))
    return year;
  // "$0.06" is a power price; "$95k", "150k" and "95,000" a bitcoin price.
  const power = numeric.find((o) => o.name === "usd_per_kwh");
  if (power && q.dollar && q.value < 2) return power;
  const price = numeric.find((o) => o.name === "price");
  if (price && q.value >= 1000 && !(q.value <= 2050 && !q.kilo && !q.dollar && /^\d{4}$/.test(q.text)))
    return price;
  return undefined;
}

/** "/mining_cost texas machine=s21_xp": the first declared option bare, the rest by name. */
export function readAs(command: AnyCommand, args: Understood["args"]): string {
  const parts = command.options
    .filter((o) => args[o.name] !== undefined)
    .map((o, i) => {
      const value = String(args[o.name]);
      const shown = /\s/.test(value) ? `"${value}"` : value;
      return i === 0 && o === command.options[0] ? shown : `${o.name}=${shown}`;
    });
  return [`/${command.name}`, ...parts].join(" ");
}

/** Questions shown when one cannot be placed: the first examples of the vocabulary's commands. */
export function exampleQuestions(registry: Registry, count = 3): string[] {
  return INTENTS.filter((e) => e.examples && registry.find(e.command))
    .flatMap((e) => e.examples!)
    .slice(0, count);
}
