import { describe, expect, it } from "vitest";
import miningCost from "../../commands/mining_cost.ts";
import { coerceOption, decodeTextArgs, parseCommandLine, tokenize, UserError } from "../../src/core/index.ts";
import { closest, editDistance } from "../../src/core/suggest.ts";

describe("tokenize", () => {
  it.each([
    ["paraguay 0.045", ["paraguay", "0.045"]],
    ['machine="S21 XP" paraguay', ["machine=S21 XP", "paraguay"]],
    ["'Avalon A16 XP'", ["Avalon A16 XP"]],
    ["“S21 XP”  texas", ["S21 XP", "texas"]],
    ['""', [""]],
    ["   ", []],
  ])("%s", (input, expected) => {
    expect(tokenize(input)).toEqual(expected);
  });

  it("rejects an unclosed quote with a hint", () => {
    expect(() => tokenize('machine="S21 XP')).toThrowError(/quote is not closed/);
  });
});

describe("parseCommandLine", () => {
  it.each([
    ["/mining_cost paraguay", { name: "mining_cost", tokens: ["paraguay"] }],
    ["mining_cost paraguay", { name: "mining_cost", tokens: ["paraguay"] }],
    [
      "/Mining_Cost@DecentraBot texas",
      { name: "mining_cost", addressedTo: "decentrabot", tokens: ["texas"] },
    ],
    ["/help", { name: "help", tokens: [] }],
    ["/edge_fit\nllama_3_1_8b rtx_4090", { name: "edge_fit", tokens: ["llama_3_1_8b", "rtx_4090"] }],
  ])("%s", (line, expected) => {
    expect(parseCommandLine(line)).toEqual(expected);
  });

  it("returns undefined for an empty line", () => {
    expect(parseCommandLine("  ")).toBeUndefined();
  });
});

describe("decodeTextArgs", () => {
  it("fills positional values in declared order around named ones", () => {
    // region is first, usd_per_kwh second; usd_per_kwh is named, so the 2nd positional fills machine.
    expect(decodeTextArgs(miningCost, ["paraguay", "usd_per_kwh=0.04", "S21"])).toEqual({
      region: "paraguay",
      usd_per_kwh: "0.04",
      machine: "S21",
    });
  });

  it("accepts dashes and any case in option names", () => {
    expect(decodeTextArgs(miningCost, ["USD-PER-KWH=0.04"])).toEqual({ usd_per_kwh: "0.04" });
  });

  it("suggests the option a typo meant", () => {
    const error = catchError(() => decodeTextArgs(miningCost, ["usd_per_kw=0.04"]));
    expect(error.code).toBe("unknown_option");
    expect(error.message).toContain("Did you mean usd_per_kwh?");
  });

  it("refuses an option given twice", () => {
    expect(() => decodeTextArgs(miningCost, ["pue=1.1", "pue=1.2"])).toThrowError(/pue is given twice/);
  });

  it("names the options when there are too many values", () => {
    const tokens = Array.from({ length: 12 }, (_, i) => `v${i}`);
    const error = catchError(() => decodeTextArgs(miningCost, tokens));
    expect(error.code).toBe("too_many_values");
    expect(error.message).toContain('"v11"');
    expect(error.message).toContain("region, usd_per_kwh, machine");
  });
});

describe("coerceOption", () => {
  const number = { name: "usd_per_kwh", description: "", type: "number", example: "0.045" } as const;
  const choice = { name: "layer", description: "", type: "string", choices: ["pools", "countries"] } as const;

  it.each([
    ["0.045", 0.045],
    ["1e3", 1000],
    ["1_000", 1000],
    [".5", 0.5],
    [42, 42],
  ])("number %s", (raw, expected) => {
    expect(coerceOption(number, raw)).toBe(expected);
  });

  it.each(["abc", "0x10", "1,5", "Infinity", "NaN", "5¢"])(
    "rejects %s naming the option and an example",
    (raw) => {
      const error = catchError(() => coerceOption(number, raw));
      expect(error.details.option).toBe("usd_per_kwh");
      expect(error.message).toContain("usd_per_kwh must be a number (for example usd_per_kwh=0.045)");
    },
  );

  it("matches choices case-insensitively and suggests near misses", () => {
    expect(coerceOption(choice, "POOLS")).toBe("pools");
    const error = catchError(() => coerceOption(choice, "pool"));
    expect(error.message).toContain("Did you mean pools?");
    expect(error.message).toContain("Allowed: pools, countries");
  });

  it("treats an empty value as not given", () => {
    expect(coerceOption(number, "")).toBeUndefined();
  });
});

describe("suggestions", () => {
  it.each([
    ["kitten", "sitting", 3],
    ["", "abc", 3],
    ["same", "same", 0],
  ])("editDistance(%s, %s) = %i", (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });

  it("finds typos and prefixes, not unrelated words", () => {
    expect(closest("paragay", ["paraguay", "texas"])).toBe("paraguay");
    expect(closest("eth", ["ethiopia", "texas"])).toBe("ethiopia");
    expect(closest("zzzz", ["paraguay", "texas"])).toBeUndefined();
  });
});

function catchError(fn: () => unknown): UserError {
  try {
    fn();
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error("expected a UserError");
}

describe("decodeTextArgs refuses half-written options", () => {
  it("name= with no value", () => {
    expect(() => decodeTextArgs(miningCost, ["region="])).toThrowError(
      "region= needs a value (for example region=paraguay)",
    );
  });

  it("=value with no name", () => {
    expect(() => decodeTextArgs(miningCost, ["=paraguay"])).toThrowError('"=paraguay" has no option name');
  });
});
