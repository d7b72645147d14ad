import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { createCommandRegistry } from "../../commands/index.ts";
import { OPTION_TYPE, toSlashCommand } from "../../src/adapters/discord/commands.ts";
import { argsSchema, choiceOption, numberOption, optionSpecs, textOption } from "../../src/core/index.ts";

const registry = createCommandRegistry();
const cases = registry.commands.flatMap((command) =>
  command.options.map((spec) => ({ command, spec, label: `${command.name}.${spec.name}` })),
);

function shapeOf(schema: z.ZodType): Record<string, z.ZodType> {
  return (schema as unknown as z.ZodObject).shape;
}

describe("every declared option: spec, schema, Discord option and default agree", () => {
  it("covers every command that has options", () => {
    // mining_cost alone has 11 options; a registry without it would make the checks below vacuous.
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases)("$label", ({ command, spec }) => {
    const shape = shapeOf(command.args);
    expect(Object.keys(shape)).toEqual(command.options.map((o) => o.name));
    const schema = shape[spec.name]!;

    // Default: what the schema fills in for a missing value is what the spec (and so help) says.
    const missing = schema.safeParse(undefined);
    if (spec.required) expect(missing.success).toBe(false);
    else {
      expect(missing.success).toBe(true);
      expect(missing.data).toEqual(spec.default);
    }
    if (spec.default !== undefined) expect(spec.description).toContain(`default ${spec.default}`);

    // Bounds: the limits in the spec are the schema's limits, on both sides.
    if (spec.min !== undefined) {
      expect(schema.safeParse(spec.min).success).toBe(true);
      expect(schema.safeParse(spec.min - Math.max(1e-9, Math.abs(spec.min) * 1e-6)).success).toBe(false);
    }
    if (spec.max !== undefined) {
      expect(schema.safeParse(spec.max).success).toBe(true);
      expect(schema.safeParse(spec.max * 1.000001 + 1e-9).success).toBe(false);
    }
    if (spec.type === "integer") expect(schema.safeParse((spec.min ?? 0) + 1.5).success).toBe(false);
    if (spec.type === "number" || spec.type === "integer") expect(schema.safeParse("1").success).toBe(false);
    if (spec.type === "boolean") expect(schema.safeParse(true).success).toBe(true);

    // Choices: each one passes, anything else fails.
    for (const choice of spec.choices ?? []) expect(schema.safeParse(choice).success).toBe(true);
    if (spec.choices) expect(schema.safeParse("not_a_choice").success).toBe(false);

    // Discord: the slash option is encoded from the same spec.
    const slash = toSlashCommand(command).options.find((o) => o.name === spec.name)!;
    expect(slash.type).toBe(OPTION_TYPE[spec.type]);
    expect(slash.required).toBe(spec.required ?? false);
    expect(slash.min_value).toBe(spec.type === "string" || spec.type === "boolean" ? undefined : spec.min);
    expect(slash.max_value).toBe(spec.type === "string" || spec.type === "boolean" ? undefined : spec.max);
    if (spec.catalog) expect(slash.autocomplete).toBe(true);
    else if (spec.choices) expect(slash.choices?.map((c) => c.value)).toEqual([...spec.choices]);

    // The example in the spec is itself a valid value (after the text grammar's coercion).
    if (spec.example !== undefined && spec.type !== "string") {
      const value = spec.type === "boolean" ? spec.example === "true" : Number(spec.example);
      expect(schema.safeParse(value).success).toBe(true);
    } else if (spec.example !== undefined && spec.choices) {
      expect(spec.choices).toContain(spec.example);
    }
  });
});

describe("builders", () => {
  const options = {
    fee: numberOption("fee", { description: "Fee in percent", min: 0, max: 20, default: 2, example: "2.5" }),
    name: textOption("name", { description: "A name", required: true, example: "x" }),
    quant: choiceOption("quant", ["a", "b"], { description: "Which", aliases: { alpha: "a" } }),
  };

  it("states the default in the description and applies it in the schema", () => {
    expect(options.fee.description).toBe("Fee in percent (default 2)");
    expect(argsSchema(options).parse({ name: "x" })).toEqual({ fee: 2, name: "x" });
  });

  it("makes a required option required and an undefaulted one optional", () => {
    expect(argsSchema(options).safeParse({}).success).toBe(false);
    expect(argsSchema(options).parse({ name: "y", quant: "b" })).toEqual({ fee: 2, name: "y", quant: "b" });
  });

  it("yields specs without the schema, in declared order", () => {
    const specs = optionSpecs(options);
    expect(specs.map((s) => s.name)).toEqual(["fee", "name", "quant"]);
    expect(specs.every((s) => !("schema" in s))).toBe(true);
    expect(specs[2]).toMatchObject({ choices: ["a", "b"], choiceAliases: { alpha: "a" } });
  });
});
