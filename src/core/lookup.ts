/** Finds a named thing (region, machine, model, device) from what a user typed. */
import type { Catalog } from "./command.ts";
import { UserError } from "./errors.ts";
import type { Snapshot } from "./snapshot.ts";
import { closest, normalizeName } from "./suggest.ts";

export interface Named {
  id: string;
  name: string;
  aliases: readonly string[];
}

export function lookupNamed<T extends Named>(catalog: Catalog, items: readonly T[], input: string): T {
  const wanted = normalizeName(input);
  const keysOf = (item: T) => [item.id, item.name, ...item.aliases].map(normalizeName);
  const found = items.find((item) => keysOf(item).includes(wanted));
  if (found) return found;
  const byName = new Map(
    items.flatMap((item) => [item.id, item.name, ...item.aliases].map((k) => [k, item])),
  );
  const near = closest(input, [...byName.keys()]);
  const suggestion = near ? byName.get(near)?.id : undefined;
  const known = items.map((i) => i.id).join(", ");
  throw new UserError(
    "unknown_name",
    `Unknown ${catalog} "${input}".${suggestion ? ` Did you mean ${suggestion}?` : ""} Known: ${known}.`,
    { option: catalog, allowed: known, ...(suggestion ? { suggestion } : {}) },
  );
}

/** Up to `limit` items whose id, name or alias contains the typed text (for autocomplete). */
export function matchNamed<T extends Named>(items: readonly T[], typed: string, limit = 25): T[] {
  const wanted = normalizeName(typed);
  const score = (item: T) => {
    const keys = [item.id, item.name, ...item.aliases].map(normalizeName);
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
