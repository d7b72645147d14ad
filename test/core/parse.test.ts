import { describe, expect, it } from "vitest";
import { createCommandRegistry } from "../../commands/index.ts";
import miningCost from "../../commands/mining_cost.ts";
import {
  catalogsOf,
  coerceOption,
  decodeTextArgs,
  parseCommandLine,
  runCommand,
  runTextLine,
  tokenize,
  USD_PER_KWH_UNITS,
  UserError,
  validateArgs,
} from "../../src/core/index.ts";
import { parseQuantity } from "../../src/core/quantity.ts";
import { closest, editDistance } from "../../src/core/suggest.ts";
import { snapshot } from "../../src/data/snapshot.ts";
import { consoleInvocation, memoryDeps } from "../support/memory-deps.ts";

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

describe("forgiving grammar (with the catalogs)", () => {
  const registry = createCommandRegistry();
  const catalogs = catalogsOf(snapshot);
  const decode = (line: string) => {
    const parsed = parseCommandLine(line)!;
    return decodeTextArgs(registry.find(parsed.name)!, parsed.tokens, catalogs);
  };
  const validated = (line: string) => {
    const parsed = parseCommandLine(line)!;
    const command = registry.find(parsed.name)!;
    return validateArgs(command, decodeTextArgs(command, parsed.tokens, catalogs), catalogs);
  };

  it.each([
    // A named value runs over the words that complete a catalog name.
    ["/mining_cost texas machine=S21 XP", { region: "texas", machine: "S21 XP" }],
    ["/mining_cost machine=S21 XP texas", { machine: "S21 XP", region: "texas" }],
    ["/mining_cost machine=antminer s21 xp hydro", { machine: "antminer s21 xp hydro" }],
    // Positional names go to the option whose catalog they name, whatever the declared order.
    ["/edge_fit llama 3.1 8b raspberry pi 5", { model: "llama 3.1 8b", device: "raspberry pi 5" }],
    ["/edge_fit qwen 7b 4090", { model: "qwen 7b", device: "4090" }],
    [
      "/edge_fit raspberry pi 5 llama 3.1 8b q8",
      { device: "raspberry pi 5", model: "llama 3.1 8b", quant: "q8" },
    ],
    ["/edge_fit llama 8b pi 5 32k", { model: "llama 8b", device: "pi 5", context: "32k" }],
    // from, to, then the number continues after them (ehs), not at the first numeric option.
    ["/migration us ethiopia 50", { from: "us", to: "ethiopia", ehs: "50" }],
    ["/migration us ethiopia 50 EH/s", { from: "us", to: "ethiopia", ehs: "50 EH/s" }],
    ["/migration 15", { efficiency: "15" }],
    ["/mining_cost texas 0.05", { region: "texas", usd_per_kwh: "0.05" }],
    ["/mining_cost texas S21 XP", { region: "texas", machine: "S21 XP" }],
    ["/concentration pools 1m", { layer: "pools", window: "1m" }],
    ["/concentration month pool", { window: "month", layer: "pool" }],
    ["/edge_ai 2030", { year: "2030" }],
  ])("%s", (line, expected) => {
    expect(decode(line)).toEqual(expected);
  });

  it.each([
    ["/mining_cost texas machine=S21 XP", { region: "texas", machine: "s21_xp", pue: 1, pool_fee: 2 }],
    ["/mining_cost price=95k usd_per_kwh=5c", { price: 95_000, usd_per_kwh: 0.05, pue: 1, pool_fee: 2 }],
    // 4.5 ¢/kWh = 0.045 $/kWh; "$0.06/kWh" = 0.06; 60 $/MWh = 0.06 $/kWh
    ["/mining_cost usd_per_kwh=4.5c/kWh", { usd_per_kwh: 0.045, pue: 1, pool_fee: 2 }],
    ["/mining_cost usd_per_kwh=$0.06/kWh", { usd_per_kwh: 0.06, pue: 1, pool_fee: 2 }],
    ["/mining_cost usd_per_kwh=60$/MWh", { usd_per_kwh: 0.06, pue: 1, pool_fee: 2 }],
    // 128k tokens = 128 × 1024 = 131,072
    [
      "/edge_fit llama 3.1 8b pi 5 context=128k",
      { model: "llama_3_1_8b", device: "raspberry_pi_5_8gb", quant: "q4_k_m", context: 131_072 },
    ],
    ["/edge_fit qwen 7b 4090 q8", { model: "qwen2_5_7b", device: "rtx_4090", quant: "q8_0", context: 4096 }],
    // 500 PH/s = 0.5 EH/s
    ["/migration us ethiopia ehs=500PH/s", { from: "us_average", to: "ethiopia", ehs: 0.5 }],
    ["/migration us ethiopia ehs=50EH/s", { from: "us_average", to: "ethiopia", ehs: 50 }],
    [
      "/edge_fit params_b=13B ram_gb=8GB bandwidth_gbs=100",
      { params_b: 13, ram_gb: 8, bandwidth_gbs: 100, quant: "q4_k_m", context: 4096 },
    ],
  ])("validates %s to canonical values", (line, expected) => {
    expect(validated(line)).toEqual(expected);
  });

  it("suggests texas for texsa (a swap is two edits)", () => {
    const error = catchError(() => validated("/mining_cost texsa"));
    expect(error.code).toBe("unknown_name");
    expect(error.message).toContain('Unknown region "texsa". Did you mean texas?');
  });

  it("names to= when the second region of a migration is wrong", () => {
    const error = catchError(() => validated("/migration us ethopia 50"));
    expect(error.details.option).toBe("to");
    expect(error.message).toContain('Unknown region "ethopia" (to=). Did you mean ethiopia?');
  });

  it("names from= when the first region of a migration is wrong", () => {
    const error = catchError(() => validated("/migration paragauy ethiopia 50"));
    expect(error.details.option).toBe("from");
    expect(error.message).toContain("(from=). Did you mean paraguay?");
  });

  it("says an unknown machine is a machine, not a bad power price", () => {
    const error = catchError(() => validated("/mining_cost texas machine=S99 ZZ"));
    expect(error.message).toContain('Unknown machine "S99 ZZ"');
  });

  it("still refuses a number where a name is meant, and a name where a number is meant", () => {
    expect(catchError(() => validated("/mining_cost usd_per_kwh=cheap")).message).toContain(
      "usd_per_kwh must be a number",
    );
    expect(catchError(() => validated("/edge_fit llama 8b pi 5 quant=q3")).message).toContain(
      '"q3" is not a valid quant',
    );
  });

  it("does not read a loose word as one of several entries", () => {
    // "llama" alone fits four models: no guess.
    const error = catchError(() => validated("/edge_fit llama pi 5"));
    expect(error.message).toContain('Unknown model "llama"');
  });
});

describe("parseQuantity", () => {
  const price = { kilo: 1000, units: { $: 1, usd: 1 } };
  it.each([
    ["95k", price, 95_000],
    ["$95k", price, 95_000],
    ["1,000,000", price, 1_000_000],
    ["1.2m", price, 1_200_000],
    ["5c", { units: USD_PER_KWH_UNITS }, 0.05],
    ["5 cents per kwh", { units: USD_PER_KWH_UNITS }, 0.05],
    ["4.5¢/kWh", { units: USD_PER_KWH_UNITS }, 0.045],
    ["32k", { kilo: 1024 }, 32_768],
    ["50 EH/s", { units: { "eh/s": 1 } }, 50],
  ] as const)("%s", (text, spec, expected) => {
    expect(parseQuantity(text, spec)).toBe(expected);
  });

  it.each(["1,5", "5¢", "abc", "0x10", "$5"])("refuses %s without a matching unit", (text) => {
    expect(parseQuantity(text, {})).toBeUndefined();
  });
});

describe("one mistake, one message on every platform", () => {
  const registry = createCommandRegistry();
  it.each([
    ["/mining_cost texsa", "mining_cost", { region: "texsa" }],
    ["/migration us ethopia 50", "migration", { from: "us", to: "ethopia", ehs: 50 }],
    ["/edge_fit lama_3_1_8b rtx_4090", "edge_fit", { model: "lama_3_1_8b", device: "rtx_4090" }],
    ["/mining_cost usd_per_kwh=3", "mining_cost", { usd_per_kwh: 3 }],
  ])("%s", async (line, name, discordRaw) => {
    const deps = memoryDeps();
    const text = (await runTextLine(registry, line, { deps, invocation: consoleInvocation }))!;
    // Discord hands typed values straight to runCommand (numbers as numbers).
    const discord = await runCommand(registry.find(name)!, discordRaw, {
      deps,
      invocation: { platform: "discord", chatId: "1", canManage: false },
    });
    expect(text.error).toBeDefined();
    expect(discord.summary).toBe(text.summary);
  });
});
