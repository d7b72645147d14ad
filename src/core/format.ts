/** Number formatting for answer text (the data object keeps full precision). */

/** One Intl.NumberFormat per number of decimals, made on first use and kept: toLocaleString builds
 * (and throws away) a formatter on every call, which was most of a command's compute. Digits are
 * bounded by Intl itself (0–100), so the cache stays small. */
const formatters = new Map<number, Intl.NumberFormat>();

function formatterFor(fractionDigits: number): Intl.NumberFormat {
  let formatter = formatters.get(fractionDigits);
  if (formatter === undefined) {
    formatter = new Intl.NumberFormat("en-US", {
      minimumFractionDigits: fractionDigits,
      maximumFractionDigits: fractionDigits,
    });
    formatters.set(fractionDigits, formatter);
  }
  return formatter;
}

export function usd(value: number, fractionDigits = 0): string {
  const sign = value < 0 ? "-" : "";
  return `${sign}$${formatterFor(fractionDigits).format(Math.abs(value))}`;
}

export function num(value: number, fractionDigits = 0): string {
  return formatterFor(fractionDigits).format(value);
}

/** Three significant digits, for values whose magnitude varies (1.23e-5 BTC, 0.0456 $/kWh). */
export function sig(value: number, digits = 3): string {
  if (value === 0) return "0";
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  if (magnitude >= digits - 1) return num(value, 0);
  if (magnitude < -4) return value.toExponential(digits - 1);
  return num(value, Math.max(0, digits - 1 - magnitude));
}

export function pct(value: number, fractionDigits = 1): string {
  return `${num(value, fractionDigits)}%`;
}

export function usdPerKwh(value: number): string {
  return `$${sig(value, 3)}/kWh`;
}

/** "2 min", "3 h", "5 days": the age of a figure relative to when the answer was made. */
export function age(fromIso: string, nowIso: string): string {
  const ms = Date.parse(nowIso) - Date.parse(fromIso);
  if (!Number.isFinite(ms)) return "age unknown";
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 90) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `${minutes} min`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h`;
  const days = Math.round(hours / 24);
  if (days < 60) return `${days} days`;
  const months = Math.round(days / 30.44);
  if (months < 24) return `${months} months`;
  return `${Math.round(days / 365.25)} years`;
}
