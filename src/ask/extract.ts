/** What a free-text question names: catalog entries (with aliases, loose word order and typos)
 * and numbers with their units. Pure: the question and the catalogs in, mentions out. */
import type { Catalog, Catalogs, Named } from "../core/index.ts";
import { matchNamedWords, suggestNamed } from "../core/index.ts";
import { normalizeName } from "../core/suggest.ts";
import { DEMONYMS, STOP_WORDS } from "./vocabulary.ts";

export interface Word {
  /** As typed, without surrounding punctuation. */
  text: string;
  lower: string;
  start: number;
  end: number;
}

export interface EntityMention {
  catalog: Catalog;
  id: string;
  /** Word indices [first, last]. */
  first: number;
  last: number;
  /** The two words before the mention, lower-case ("from the"). */
  before: string[];
}

export interface QuantityMention {
  /** The number and its unit as written ("5 cents per kwh", "$0.06/kwh", "150k"). */
  text: string;
  /** The unit, lower-case without spaces ("cents/kwh", "eh/s", "") — multiplier excluded. */
  unit: string;
  /** The number with its k/m multiplier applied (k as 1000). */
  value: number;
  /** Written with a leading "$". */
  dollar: boolean;
  /** Written with a k multiplier (so "32k" can be re-read with k = 1024 for tokens). */
  kilo: boolean;
  /** Up to three lower-case words before it. */
  before: string[];
}

const WORD = /[^\s,;!?()"“”]+/g;

export function splitWords(question: string): Word[] {
  const words: Word[] = [];
  for (const match of question.matchAll(WORD)) {
    // "5." and "pi 5?" end a sentence; "3.1" and "s21+" keep their dots and pluses.
    const text = match[0].replace(/^['‘’]+|['‘’.:]+$/g, "").replace(/['’]s$/i, "");
    if (!text) continue;
    words.push({ text, lower: text.toLowerCase(), start: match.index, end: match.index + match[0].length });
  }
  return words;
}

const CATALOG_ORDER: readonly Catalog[] = ["model", "device", "machine", "region", "forecast"];
const MAX_SPAN = 6;
const PLACE_WORDS = new Set(["in", "the", "from", "to", "into", "of"]);

/** Every catalog entry the question names, longest spans first, left to right, never overlapping. */
export function extractEntities(words: readonly Word[], catalogs: Catalogs): EntityMention[] {
  const found: EntityMention[] = [];
  for (let i = 0; i < words.length; ) {
    const hit = entityAt(words, i, catalogs);
    if (!hit) {
      i++;
      continue;
    }
    found.push({ ...hit, before: words.slice(Math.max(0, hit.first - 2), hit.first).map((w) => w.lower) });
    i = hit.last + 1;
  }
  return found;
}

function entityAt(words: readonly Word[], i: number, catalogs: Catalogs) {
  for (let length = Math.min(MAX_SPAN, words.length - i); length >= 1; length--) {
    const span = words.slice(i, i + length);
    if (!spanMayName(span, words[i - 1])) continue;
    for (const catalog of CATALOG_ORDER) {
      const items = catalogs[catalog];
      const item = length === 1 && !looseAllowed(span[0]!) ? exactOnly(items, span[0]!) : undefined;
      const match =
        item ??
        (length > 1 || looseAllowed(span[0]!)
          ? matchNamedWords(
              items,
              span.map((w) => w.text),
              { typos: true },
            )
          : undefined);
      if (match) return { catalog, id: match.id, first: i, last: i + length - 1 };
    }
  }
  const word = words[i]!;
  const demonym = DEMONYMS[word.lower];
  if (demonym) return { catalog: "region" as const, id: demonym, first: i, last: i };
  // A typo of a name ("texsa", "paragauy"): one word of five or more letters, same first letter.
  if (word.lower.length >= 5 && /^[a-z]+$/.test(word.lower) && !STOP_WORDS.has(word.lower)) {
    for (const catalog of CATALOG_ORDER) {
      const near = suggestNamed(catalogs[catalog], word.text);
      if (near && normalizeName(near.id)[0] === word.lower[0])
        return { catalog, id: near.id, first: i, last: i };
    }
  }
  return undefined;
}

/** A span may name something unless it starts or ends with a filler word; a short alias ("US",
 * "TX", "UAE") counts only in capitals or after a place word ("in the us"), since "can", "no" and
 * "are" are also Canada, Norway and the UAE. */
function spanMayName(span: readonly Word[], previous: Word | undefined): boolean {
  const first = span[0]!;
  const last = span[span.length - 1]!;
  if (span.length > 1) return !STOP_WORDS.has(first.lower) && !STOP_WORDS.has(last.lower);
  if (first.lower.length <= 3 && /^[a-z.]+$/.test(first.lower)) {
    return (
      first.text === first.text.toUpperCase() || (previous !== undefined && PLACE_WORDS.has(previous.lower))
    );
  }
  return !STOP_WORDS.has(first.lower);
}

/** A single word may match loosely (as part of a longer name) only with three letters in a row:
 * "raspberry" or "iphone" yes, "8b" or "pro" no. */
function looseAllowed(word: Word): boolean {
  return /[a-z]{4,}/.test(word.lower) || (/[a-z]{3}/.test(word.lower) && /\d/.test(word.lower));
}

function exactOnly(items: readonly Named[], word: Word): Named | undefined {
  const wanted = normalizeName(word.text);
  return items.find((item) => [item.id, item.name, ...item.aliases].some((k) => normalizeName(k) === wanted));
}

const QUANTITY = new RegExp(
  [
    "(?<![a-z0-9_.$])(\\$\\s?)?",
    "(\\d{1,3}(?:,\\d{3})+(?:\\.\\d+)?|\\d+(?:\\.\\d+)?|\\.\\d+)",
    "\\s?(?:(k|m|bn)(?![a-z]))?",
    "\\s?(",
    [
      "(?:¢|c|cents?)\\s?(?:/|per|a)\\s?kwh",
      "¢",
      "cents?",
      "c(?![a-z])",
      "\\$?\\s?/\\s?kwh",
      "(?:per|a)\\s?kwh",
      "usd/kwh",
      "kwh",
      "\\$?/\\s?mwh",
      "per\\s?mwh",
      "eh/s",
      "ehs",
      "eh(?![a-z])",
      "exahash(?:es)?",
      "ph/s",
      "j/th",
      "w/th",
      "gb/s",
      "tb/s",
      "gb",
      "gib",
      "tb",
      "t(?![a-z])",
      "b(?![a-z])",
      "%",
      "percent",
      "tokens?",
      "context",
      "ctx",
    ].join("|"),
    ")?",
  ].join(""),
  "g",
);

/** Every number in the question with its unit, skipping words already read as names. */
export function extractQuantities(question: string, masked: readonly [number, number][]): QuantityMention[] {
  let text = question.toLowerCase();
  for (const [start, end] of masked) text = text.slice(0, start) + " ".repeat(end - start) + text.slice(end);
  const mentions: QuantityMention[] = [];
  for (const match of text.matchAll(QUANTITY)) {
    const [whole, dollar, digits, multiplier, unit] = match;
    const base = Number(digits!.replace(/,/g, ""));
    const factor = multiplier === "k" ? 1000 : multiplier ? 1e6 : 1;
    const before = text
      .slice(0, match.index)
      .split(/[^a-z0-9%$]+/)
      .filter(Boolean)
      .slice(-3);
    mentions.push({
      text: whole.trim(),
      unit: unitOf(unit ?? ""),
      value: base * factor,
      dollar: dollar !== undefined,
      kilo: multiplier === "k",
      before,
    });
  }
  return mentions;
}

/** "cents per kwh" → cents/kwh, "per kwh" → /kwh, "percent" → %. */
function unitOf(written: string): string {
  const compact = written.replace(/\s+/g, "");
  if (compact === "percent") return "%";
  return compact.replace(/a(?=kwh)/, "/").replace(/per/, "/");
}
