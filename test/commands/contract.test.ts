/** The names other parts and users' scripts rely on (issue "The command core…", Contract). */
import { describe, expect, it } from "vitest";
import { createCommandRegistry } from "../../commands/index.ts";
import { runTextLine } from "../../src/core/index.ts";
import { consoleInvocation, memoryDeps } from "../support/memory-deps.ts";

const registry = createCommandRegistry();
const ask = async (line: string) =>
  (await runTextLine(registry, line, { deps: memoryDeps(), invocation: consoleInvocation }))!;

describe("option names", () => {
  it.each([
    [
      "mining_cost",
      [
        "region",
        "usd_per_kwh",
        "machine",
        "efficiency",
        "pue",
        "pool_fee",
        "price",
        "difficulty",
        "hashrate_ehs",
        "fees_btc",
        "height",
      ],
    ],
    ["migration", ["efficiency", "price", "from", "to", "ehs"]],
    ["concentration", ["layer", "window"]],
    ["edge_ai", ["year", "forecast"]],
    ["edge_fit", ["model", "params_b", "quant", "context", "device", "ram_gb", "bandwidth_gbs"]],
  ])("%s has %j", (name, options) => {
    const names = registry.find(name)!.options.map((o) => o.name);
    expect(names).toEqual(expect.arrayContaining(options));
  });

  it("every command and option name is snake_case with a description that fits Discord (≤100)", () => {
    for (const command of registry.commands) {
      expect(command.name).toMatch(/^[a-z][a-z0-9_]{0,31}$/);
      expect(command.description.length).toBeLessThanOrEqual(100);
      for (const option of command.options) {
        expect(option.name).toMatch(/^[a-z][a-z0-9_]{0,31}$/);
        expect(option.description.length).toBeLessThanOrEqual(100);
      }
    }
  });

  it("every example in help runs without an error", async () => {
    for (const command of registry.commands.filter((c) => c.name !== "digest")) {
      for (const example of command.examples) expect((await ask(example)).error, example).toBeUndefined();
    }
  });
});

describe("data keys", () => {
  it("mining_cost", async () => {
    const { data } = await ask("/mining_cost paraguay");
    for (const key of [
      "btcPriceUsd",
      "difficulty",
      "networkHashrateEhs",
      "subsidyBtc",
      "feesPerBlockBtc",
      "efficiencyJPerTh",
      "usdPerKwh",
      "pue",
      "poolFee",
      "btcPerThDay",
      "energyPerBtcKwh",
      "costPerBtcUsd",
      "hashpriceUsdPerPhDay",
      "breakEvenUsdPerKwh",
      "marginPct",
      "sensitivityUsdPerCent",
    ]) {
      expect(typeof data[key], key).toBe("number");
      expect(Number.isFinite(data[key] as number), key).toBe(true);
    }
  });

  it("migration", async () => {
    const { data } = await ask("/migration from=us_average to=paraguay ehs=10");
    const regions = data.regions as Record<string, unknown>[];
    expect(Object.keys(regions[0]!).sort()).toEqual([
      "costPerBtcUsd",
      "id",
      "name",
      "sharePct",
      "underwater",
      "usdPerKwh",
    ]);
    const scenario = data.scenario as Record<string, Record<string, unknown>>;
    expect(Object.keys(scenario).sort()).toEqual(["after", "before", "from", "movedEhs", "to"]);
    expect(Object.keys(scenario.before!)).toEqual(
      expect.arrayContaining(["hhi", "nakamotoCoefficient", "avgCostPerBtcUsd"]),
    );
  });

  it("concentration", async () => {
    const { data } = await ask("/concentration all");
    const layers = data.layers as Record<string, Record<string, unknown>>;
    expect(Object.keys(layers).sort()).toEqual(["countries", "makers", "pools"]);
    for (const layer of Object.values(layers)) {
      expect(Object.keys(layer)).toEqual(
        expect.arrayContaining(["nakamotoCoefficient", "hhi", "entities", "lowerBound"]),
      );
    }
  });

  it("edge_ai", async () => {
    const { data } = await ask("/edge_ai 2030");
    expect(Object.keys(data)).toEqual(
      expect.arrayContaining(["year", "valueUsdB", "cagr", "extrapolated", "forecast", "range"]),
    );
    expect(Object.keys(data.forecast as object).sort()).toEqual([
      "endUsdB",
      "endYear",
      "id",
      "startUsdB",
      "startYear",
    ]);
    expect(Object.keys(data.range as object).sort()).toEqual(["count", "highUsdB", "lowUsdB"]);
  });

  it("edge_fit", async () => {
    const { data } = await ask("/edge_fit llama_3_1_8b rtx_4090");
    expect(Object.keys(data)).toEqual(
      expect.arrayContaining([
        "weightsGb",
        "kvCacheGb",
        "overheadGb",
        "totalGb",
        "memoryGb",
        "fits",
        "maxContext",
        "bestQuant",
        "tokensPerSecond",
      ]),
    );
  });

  it("sources", async () => {
    const { data } = await ask("/sources");
    for (const d of data.datasets as Record<string, unknown>[]) {
      expect(["live", "cached", "stale", "snapshot"]).toContain(d.status);
      expect(Object.keys(d)).toEqual(expect.arrayContaining(["name", "source", "asOf", "status"]));
    }
  });
});
