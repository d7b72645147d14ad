import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createCommandRegistry } from "../../commands/index.ts";
import {
  autocompleteChoices,
  decodeInteractionOptions,
  toSlashCommand,
  toSlashCommands,
} from "../../src/adapters/discord/commands.ts";
import { defineCommand, runCommand } from "../../src/core/index.ts";
import { snapshot } from "../../src/data/snapshot.ts";

const registry = createCommandRegistry();

describe("toSlashCommands", () => {
  const bodies = toSlashCommands(registry);

  it("encodes every registry command as a chat-input command usable in servers and DMs", () => {
    expect(bodies.map((b) => b.name)).toEqual(registry.commands.map((c) => c.name));
    for (const body of bodies) {
      expect(body.type).toBe(1);
      expect(body.name).toMatch(/^[a-z0-9_]{1,32}$/);
      expect(body.description.length).toBeGreaterThan(0);
      expect(body.description.length).toBeLessThanOrEqual(100);
      expect(body.contexts).toEqual([0, 1]);
      expect(body.integration_types).toEqual([0]);
      expect(body.options.length).toBeLessThanOrEqual(25);
      for (const option of body.options) {
        expect(option.description.length).toBeLessThanOrEqual(100);
        expect(option.choices?.length ?? 0).toBeLessThanOrEqual(25);
        expect(option.autocomplete && option.choices).toBeFalsy();
      }
    }
  });

  it("maps types, bounds and catalog autocomplete from mining_cost's option specs", () => {
    const mining = bodies.find((b) => b.name === "mining_cost")!;
    expect(mining.options.find((o) => o.name === "region")).toEqual({
      type: 3,
      name: "region",
      // The builder states the schema's default in the description, so help and Discord show it.
      description: "Where the power is bought (default: the hashrate-weighted network average)",
      required: false,
      autocomplete: true,
    });
    expect(mining.options.find((o) => o.name === "machine")!.autocomplete).toBe(true);
    expect(mining.options.find((o) => o.name === "usd_per_kwh")).toMatchObject({
      type: 10,
      min_value: 0,
      max_value: 2,
    });
  });

  it("turns string choices into Discord choices", () => {
    const concentration = bodies.find((b) => b.name === "concentration")!;
    const layer = concentration.options.find((o) => o.name === "layer")!;
    expect(layer.type).toBe(3);
    expect(layer.choices!.length).toBeGreaterThan(1);
    for (const c of layer.choices!) expect(c.name).toBe(c.value);
  });

  it("puts required options first, keeps declared order otherwise, clips long descriptions", () => {
    const command = defineCommand({
      name: "probe",
      description: "D".repeat(140),
      options: [
        { name: "a", description: "optional a", type: "integer", min: 1 },
        { name: "b", description: "required b", type: "string", required: true },
        { name: "c", description: "optional c", type: "boolean" },
        { name: "d", description: "required d", type: "number", required: true, max: 5 },
      ],
      args: z.object({}),
      examples: [],
      usesUpstream: false,
      run: async () => ({ title: "", summary: "", sources: [], data: {} }),
    });
    const body = toSlashCommand(command);
    expect(body.options.map((o) => [o.name, o.type, o.required])).toEqual([
      ["b", 3, true],
      ["d", 10, true],
      ["a", 4, false],
      ["c", 5, false],
    ]);
    expect(body.options[1]!.max_value).toBe(5);
    expect(body.options[2]!.min_value).toBe(1);
    expect(body.description).toHaveLength(100);
    expect(body.description.endsWith("…")).toBe(true);
  });

  it("is deterministic (so bulk overwrite is idempotent)", () => {
    expect(JSON.stringify(toSlashCommands(createCommandRegistry()))).toBe(JSON.stringify(bodies));
  });
});

describe("decodeInteractionOptions", () => {
  it("keeps typed values and skips empty ones", () => {
    const raw = decodeInteractionOptions({
      options: {
        data: [
          { name: "region", value: "paraguay" },
          { name: "usd_per_kwh", value: 0.045 },
          { name: "grouped", value: false },
          { name: "empty", value: null },
        ],
      },
    });
    expect(raw).toEqual({ region: "paraguay", usd_per_kwh: 0.045, grouped: false });
  });

  it("feeds runCommand, which validates with the same schema as text: out-of-range names the option", async () => {
    const command = registry.find("mining_cost")!;
    const raw = decodeInteractionOptions({ options: { data: [{ name: "usd_per_kwh", value: 5 }] } });
    const deps = {
      snapshot,
      clock: { now: () => new Date("2025-12-01T00:00:00Z") },
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      network: {} as never,
    };
    const reply = await runCommand(command, raw, {
      deps,
      invocation: { platform: "discord", chatId: "1", canManage: true },
    });
    expect(reply.error?.code).toBe("invalid_value");
    expect(reply.summary).toContain("usd_per_kwh");
  });
});

describe("autocompleteChoices", () => {
  const mining = registry.find("mining_cost")!;

  it("answers a prefix from the snapshot: par → Paraguay", () => {
    expect(autocompleteChoices(snapshot, mining, "region", "par")[0]).toEqual({
      name: "Paraguay",
      value: "paraguay",
    });
  });

  it("lists at most 25 entries for an empty query, values are ids the command accepts", () => {
    const choices = autocompleteChoices(snapshot, mining, "machine", "");
    expect(choices.length).toBeGreaterThan(0);
    expect(choices.length).toBeLessThanOrEqual(25);
    const ids = new Set(snapshot.machines.map((m) => m.id));
    for (const c of choices) expect(ids.has(c.value)).toBe(true);
  });

  it("caps at 25 even when the catalog is longer", () => {
    const big = {
      ...snapshot,
      regions: Array.from({ length: 40 }, (_, i) => ({
        ...snapshot.regions[0]!,
        id: `r${i}`,
        name: `R${i}`,
      })),
    };
    expect(autocompleteChoices(big, mining, "region", "r")).toHaveLength(25);
  });

  it("answers nothing for an option without a catalog or an unknown command", () => {
    expect(autocompleteChoices(snapshot, mining, "usd_per_kwh", "0")).toEqual([]);
    expect(autocompleteChoices(snapshot, undefined, "region", "p")).toEqual([]);
  });

  it("covers model and device catalogs (edge_fit)", () => {
    const edgeFit = registry.find("edge_fit")!;
    const catalogs = edgeFit.options.filter((o) => o.catalog).map((o) => o.name);
    for (const name of catalogs)
      expect(autocompleteChoices(snapshot, edgeFit, name, "").length).toBeGreaterThan(0);
  });
});
