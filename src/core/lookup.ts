/** Finds a named thing (region, machine, model, device) from what a user typed. */
import type { Catalog } from "./command.ts";
import { UserError } from "./errors.ts";
import type { Snapshot } from "./snapshot.ts";
import { closestWithDistance, editDistance, normalizeName } from "./suggest.ts";

export interface Named {
  id: string;
  name: string;
  aliases: readonly string[];
}

export function lookupNamed<T extends Named>(catalog: Catalog, items: readonly T[], input: string): T {
  const found = matchNamedWords(items, input.split(/\s+/));
  if (found) return found;
  throw unknownName(catalog, catalog, items, input);
}

/** The error for a name no entry has: which option, the nearest entry, and every known id. */
export function unknownName(
  catalog: Catalog,
  optionName: string,
  items: readonly Named[],
  input: string,
): UserError {
  const suggestion = suggestNamed(items, input)?.id;
  const known = items.map((i) => i.id).join(", ");
  const where = optionName === catalog ? "" : ` (${optionName}=)`;
  return new UserError(
    "unknown_name",
    `Unknown ${catalog} "${input}"${where}.${suggestion ? ` Did you mean ${suggestion}?` : ""} Known: ${known}.`,
    { option: optionName, allowed: known, ...(suggestion ? { suggestion } : {}) },
  );
}

/** The entry a typo most likely meant ("texsa" → texas), by edit distance over ids, names and aliases. */
export function suggestNamed<T extends Named>(items: readonly T[], input: string): T | undefined {
  const byKey = new Map(items.flatMap((item) => keysOf(item).map((k) => [k, item] as const)));
  const near = closestWithDistance(input, [...byKey.keys()]);
  return near ? byKey.get(near.candidate) : undefined;
}

function keysOf(item: Named): string[] {
  return [item.id, item.name, ...item.aliases];
}

/** An entry's keys normalised, and the words of its name and aliases. */
interface PreparedKeys {
  keys: string[];
  looseWords: string[][];
}

/** Catalog entries are fixed while the bot runs and a look-up compares every key of every entry, so
 * each entry's keys are normalised once (normalising them on every look-up was most of a command's
 * compute: 1.4 ms for edge_fit). */
const prepared = new WeakMap<Named, PreparedKeys>();

function preparedKeys(item: Named): PreparedKeys {
  let keys = prepared.get(item);
  if (!keys) {
    // Ids split badly into words ("qwen3_1_7b" would fit "qwen 7b"), so loose words come from
    // names and aliases only.
    keys = { keys: keysOf(item).map(normalizeName), looseWords: [item.name, ...item.aliases].map(wordsOf) };
    prepared.set(item, keys);
  }
  return keys;
}

/** The words of a key, each normalised: "Qwen2.5 7B Instruct" → qwen25, 7b, instruct. */
function wordsOf(key: string): string[] {
  return key
    .split(/[\s_\-:/]+/)
    .map(normalizeName)
    .filter(Boolean);
}

/** The entry the words name: the whole of an id, name or alias ("S21 XP", "raspberry pi 5"), or
 * else the one entry whose name has every word in order, each whole or as a prefix of three or
 * more letters ("qwen 7b" → Qwen2.5 7B, "llama 8b" → Llama 3.1 8B). Undefined when no entry or
 * more than one fits, so a loose word never picks one of several at random. */
export function matchNamedWords<T extends Named>(
  items: readonly T[],
  words: readonly string[],
  /** Also let a word of five or more letters carry one typo ("rasberry"): free-text questions do;
   * a command line does not, so its typos get a "did you mean" instead of a silent guess. */
  options: { typos?: boolean } = {},
): T | undefined {
  const wanted = normalizeName(words.join(" "));
  if (!wanted) return undefined;
  const exact = items.find((item) => preparedKeys(item).keys.includes(wanted));
  if (exact) return exact;
  const spanWords = words.flatMap(wordsOf);
  if (spanWords.length === 0) return undefined;
  const typos = options.typos ?? false;
  const fits = items.filter((item) =>
    preparedKeys(item).looseWords.some((keyWords) => coversInOrder(keyWords, spanWords, typos)),
  );
  if (fits.length === 1) return fits[0];
  // "llama 8b" also fits "DeepSeek R1 Distill Llama 8B"; the entry whose name starts with the first
  // word is the one people mean, when only one does.
  const anchored = fits.filter((item) =>
    preparedKeys(item).looseWords.some((keyWords) => {
      return (
        keyWords.length > 0 &&
        wordFits(keyWords[0]!, spanWords[0]!, typos) &&
        coversInOrder(keyWords, spanWords, typos)
      );
    }),
  );
  return anchored.length === 1 ? anchored[0] : undefined;
}

function coversInOrder(keyWords: readonly string[], spanWords: readonly string[], typos: boolean): boolean {
  let k = 0;
  for (const word of spanWords) {
    while (k < keyWords.length && !wordFits(keyWords[k]!, word, typos)) k++;
    if (k === keyWords.length) return false;
    k++;
  }
  return true;
}

/** Whole, a prefix of three or more letters, or one typo in a word of five or more ("rasberry"). */
function wordFits(keyWord: string, word: string, typos: boolean): boolean {
  if (keyWord === word || (word.length >= 3 && keyWord.startsWith(word))) return true;
  // The same first letter: "phone" is not a typo of "iphone", "rasberry" is one of "raspberry".
  return (
    typos &&
    word.length >= 5 &&
    !/\d/.test(word) &&
    keyWord[0] === word[0] &&
    editDistance(keyWord, word) <= 1
  );
}

/** Up to `limit` items whose id, name or alias contains the typed text (for autocomplete). */
export function matchNamed<T extends Named>(items: readonly T[], typed: string, limit = 25): T[] {
  const wanted = normalizeName(typed);
  const score = (item: T) => {
    const { keys } = preparedKeys(item);
    if (keys.some((k) => k.startsWith(wanted))) return 0;
    if (keys.some((k) => k.includes(wanted))) return 1;
    return 2;
  };
  return items
    .map((item) => ({ item, score: score(item) }))
    .filter((x) => x.score < 2)
    .sort((a, b) => a.score - b.score)
    .slice(0, limit)
    .map((x) => x.item);
}

/** The entries of one catalog in the snapshot (forecasts have no aliases of their own). */
export function catalogItems(snapshot: Snapshot, catalog: Catalog): readonly Named[] {
  switch (catalog) {
    case "region":
      return snapshot.regions;
    case "machine":
      return snapshot.machines;
    case "model":
      return snapshot.models;
    case "device":
      return snapshot.devices;
    case "forecast":
      return snapshot.forecasts.map((f) => ({ id: f.id, name: f.name, aliases: [] }));
  }
}

/** Every catalog, for the text grammar and validation. */
export type Catalogs = Readonly<Record<Catalog, readonly Named[]>>;

export function catalogsOf(snapshot: Snapshot): Catalogs {
  const catalogs = ["region", "machine", "model", "device", "forecast"] as const;
  return Object.fromEntries(catalogs.map((c) => [c, catalogItems(snapshot, c)])) as Catalogs;
}
