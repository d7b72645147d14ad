/** Numbers as people write them, turned into an option's own unit: "95k" → 95000, "5c" → 0.05 USD
 * per kWh, "50EH/s" → 50, "128k" tokens → 131072, "8GB" → 8, "2%" → 2. Shared by the text grammar
 * (price=95k) and by the free-text questions of ask ("at 5 cents per kwh"). Pure. */
import type { OptionSpec } from "./command.ts";

const NUMBER = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)(.*)$/i;
/** 1,000 or 1,000,000.5: commas only as thousands separators ("1,5" stays an error). */
const GROUPED = /^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?/;

/** Lower-case without spaces, so "EH / s", "eh/s" and "EH/s" are one unit. */
export function unitKey(text: string): string {
  return text
    .toLowerCase()
    .replace(/\b(per|a)\b/g, "/")
    .replace(/\s+/g, "");
}

/** The value in the option's unit, or undefined when the text is not a number this option takes. */
export function parseQuantity(text: string, spec: Pick<OptionSpec, "units" | "kilo">): number | undefined {
  let cleaned = text.trim().replace(/_/g, "");
  if (GROUPED.test(cleaned.replace(/^\$\s*/, ""))) cleaned = cleaned.replace(/,/g, "");
  // "$0.06/kWh" and "$95k": a leading currency sign is the unit's, moved behind the number.
  let currency = "";
  if (cleaned.startsWith("$")) {
    currency = "$";
    cleaned = cleaned.slice(1);
  }
  const match = NUMBER.exec(cleaned);
  if (!match) return undefined;
  const value = Number(match[1]);
  const suffix = unitKey(match[2] ?? "");
  const factor = unitFactor(suffix, currency, spec);
  if (factor === undefined) return undefined;
  // toPrecision trims binary noise: 4.5 × 0.01 is 0.045, not 0.045000000000000005.
  return Number((value * factor).toPrecision(12));
}

function unitFactor(suffix: string, currency: string, spec: Pick<OptionSpec, "units" | "kilo">) {
  const units = spec.units ?? {};
  const unit = (key: string): number | undefined => {
    if (key === "") return currency && !("$" in units || "usd" in units || "$/kwh" in units) ? undefined : 1;
    if (units[key] !== undefined) return units[key];
    // "$0.06/kWh": the "$" in front and "/kwh" behind name one unit.
    if (currency && units[`${currency}${key}`] !== undefined) return units[`${currency}${key}`];
    return undefined;
  };
  const plain = unit(suffix);
  if (plain !== undefined) return plain;
  // A multiplier, then (maybe) the unit: "95k", "128k tokens", "1.2m". A unit named "k…" or "m…"
  // was tried whole above, so "m" for millions never shadows a declared unit.
  const multipliers: Record<string, number> = { k: spec.kilo ?? 1000, m: 1e6, mm: 1e6 };
  for (const [prefix, multiplier] of Object.entries(multipliers)) {
    if (!suffix.startsWith(prefix)) continue;
    const rest = unit(suffix.slice(prefix.length));
    if (rest !== undefined) return multiplier * rest;
  }
  return undefined;
}

/** Whether the text starts like a number ("50", "$0.06", ".5", "95k"), for telling values from names. */
export function looksNumeric(text: string): boolean {
  return /^[$]?[+-]?(?:\d|\.\d)/.test(text.trim());
}
