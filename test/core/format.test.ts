/** The cached formatters must print exactly what toLocaleString printed before: the reference here
 * is toLocaleString itself, with its options spelled out, plus hand-written strings for the cases a
 * reader checks by eye. */
import { describe, expect, it } from "vitest";
import { num, pct, sig, usd, usdPerKwh } from "../../src/core/format.ts";

const reference = (value: number, digits: number) =>
  value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

const VALUES = [
  0,
  -0,
  1,
  -1,
  0.5,
  1.5,
  2.5,
  -2.5,
  0.045,
  0.0456,
  1.005,
  12.345,
  999.995,
  1234.5678,
  -98765.4321,
  100_000,
  1e21,
  1.23e-5,
  Number.MAX_SAFE_INTEGER,
  Number.NaN,
  Number.POSITIVE_INFINITY,
];

describe("number formatting with reused formatters", () => {
  it("prints the same as toLocaleString for every value and 0–6 decimals", () => {
    for (const value of VALUES) {
      for (let digits = 0; digits <= 6; digits++) {
        expect(num(value, digits), `${value} with ${digits} decimals`).toBe(reference(value, digits));
        const sign = value < 0 ? "-" : "";
        expect(usd(value, digits)).toBe(`${sign}$${reference(Math.abs(value), digits)}`);
      }
    }
  });

  it("prints the hand-checked cases", () => {
    expect(num(1234.5678)).toBe("1,235"); // rounds half away: 1234.5678 → 1,235
    expect(num(1234.5678, 2)).toBe("1,234.57");
    expect(usd(-98765.4321)).toBe("-$98,765");
    expect(usd(0.045, 3)).toBe("$0.045");
    expect(pct(12.345)).toBe("12.3%");
    expect(sig(0.0456)).toBe("0.0456"); // magnitude −2 → 3 − 1 + 2 = 4 decimals
    expect(sig(1.23e-5)).toBe("1.23e-5");
    expect(sig(123456)).toBe("123,456");
    expect(usdPerKwh(0.045)).toBe("$0.0450/kWh");
  });

  it("a bad number of decimals throws as toLocaleString did", () => {
    expect(() => num(1, -1)).toThrow(RangeError);
    expect(() => num(1, 101)).toThrow(RangeError);
  });
});
