/** Option builders: each option is declared once, and that one declaration yields
 *   - the OptionSpec every platform reads (text grammar, Discord slash option, help),
 *   - the zod schema that validates it (same limits, same choices, same default),
 *   - the default, which the description then states, so help never disagrees with the schema.
 *
 *   const options = {
 *     pool_fee: numberOption("pool_fee", { description: "Pool fee in percent", min: 0, max: 20, default: 2, example: "2.5" }),
 *   };
 *   defineCommand({ options: Object.values(options), args: argsSchema(options), … })
 */
import { z } from "zod";
import type { Catalog, OptionSpec } from "./command.ts";

/** Power-price units, each in USD per kWh: "5c", "5¢/kWh", "$0.06/kWh", "60 $/MWh". */
export const USD_PER_KWH_UNITS: Readonly<Record<string, number>> = {
  c: 0.01,
  "¢": 0.01,
  cent: 0.01,
  cents: 0.01,
  "c/kwh": 0.01,
  "¢/kwh": 0.01,
  "cents/kwh": 0.01,
  centsperkwh: 0.01,
  "$/kwh": 1,
  "usd/kwh": 1,
  "/kwh": 1,
  kwh: 1,
  "$/mwh": 0.001,
  "usd/mwh": 0.001,
  "/mwh": 0.001,
};

/** A declared option: its spec plus the schema derived from it. */
export type OptionDef<N extends string = string, S extends z.ZodType = z.ZodType> = OptionSpec & {
  readonly name: N;
  readonly schema: S;
};

interface Common {
  description: string;
  /** A value that works, used in help and error messages. */
  example?: string;
  required?: boolean;
}

type Wrapped<S extends z.ZodType, D, R> = R extends true
  ? S
  : [D] extends [undefined]
    ? z.ZodOptional<S>
    : z.ZodDefault<S>;

function finish<S extends z.ZodType>(
  name: string,
  o: Common & { default?: unknown },
  base: S,
  spec: Omit<OptionSpec, "name" | "description" | "required" | "example" | "default">,
): OptionDef<string, z.ZodType> {
  const schema =
    o.required === true ? base : o.default === undefined ? base.optional() : base.default(o.default as never);
  return {
    name,
    description: withDefault(o.description, o.default),
    ...(o.required ? { required: true } : {}),
    ...(o.example !== undefined ? { example: o.example } : {}),
    ...(o.default !== undefined ? { default: o.default as string | number | boolean } : {}),
    ...spec,
    schema,
  };
}

/** "Pool fee in percent" + default 2 → "Pool fee in percent (default 2)". */
function withDefault(description: string, value: unknown): string {
  return value === undefined ? description : `${description} (default ${String(value)})`;
}

export interface NumberOptions<D extends number | undefined, R extends boolean | undefined> extends Common {
  min?: number;
  max?: number;
  /** Whole numbers only. */
  integer?: boolean;
  default?: D;
  required?: R;
  /** Units a user may write after the number, each with its factor into this option's unit
   * (usd_per_kwh: { c: 0.01, "¢": 0.01 }). Keys are lower-case, without spaces. */
  units?: Readonly<Record<string, number>>;
  /** What "k" means after a number: 1000 (price=95k) or 1024 (context=128k, tokens). */
  kilo?: 1000 | 1024;
}

export function numberOption<
  const N extends string,
  D extends number | undefined = undefined,
  R extends boolean | undefined = undefined,
>(name: N, o: NumberOptions<D, R>): OptionDef<N, Wrapped<z.ZodNumber, D, R>> {
  let base = o.integer ? z.number().int() : z.number();
  if (o.min !== undefined) base = base.min(o.min);
  if (o.max !== undefined) base = base.max(o.max);
  return finish(name, o, base, {
    type: o.integer ? "integer" : "number",
    ...(o.min !== undefined ? { min: o.min } : {}),
    ...(o.max !== undefined ? { max: o.max } : {}),
    ...(o.units ? { units: o.units } : {}),
    ...(o.kilo ? { kilo: o.kilo } : {}),
  }) as OptionDef<N, Wrapped<z.ZodNumber, D, R>>;
}

export interface TextOptions<D extends string | undefined, R extends boolean | undefined> extends Common {
  /** The named list the value is looked up in (validation turns a name or alias into its id). */
  catalog?: Catalog;
  /** Longest accepted text (default 100). */
  maxLength?: number;
  /** Whether an empty value is allowed (default false). */
  allowEmpty?: boolean;
  /** Takes the whole rest of a text line (a free-text question). */
  rest?: boolean;
  default?: D;
  required?: R;
}

export function textOption<
  const N extends string,
  D extends string | undefined = undefined,
  R extends boolean | undefined = undefined,
>(name: N, o: TextOptions<D, R>): OptionDef<N, Wrapped<z.ZodString, D, R>> {
  const base = z
    .string()
    .trim()
    .min(o.allowEmpty ? 0 : 1)
    .max(o.maxLength ?? 100);
  return finish(name, o, base, {
    type: "string",
    ...(o.catalog ? { catalog: o.catalog } : {}),
    ...(o.rest ? { rest: true } : {}),
  }) as OptionDef<N, Wrapped<z.ZodString, D, R>>;
}

export interface ChoiceOptions<T extends string, D extends T | undefined, R extends boolean | undefined>
  extends Common {
  default?: D;
  required?: R;
  /** Other words for a choice ("q8" → "q8_0"); keys lower-case. */
  aliases?: Readonly<Record<string, T>>;
}

export function choiceOption<
  const N extends string,
  const T extends readonly [string, ...string[]],
  D extends T[number] | undefined = undefined,
  R extends boolean | undefined = undefined,
>(
  name: N,
  choices: T,
  o: ChoiceOptions<T[number], D, R>,
): OptionDef<N, Wrapped<z.ZodEnum<{ [K in T[number]]: K }>, D, R>> {
  return finish(name, o, z.enum(choices), {
    type: "string",
    choices,
    ...(o.aliases ? { choiceAliases: o.aliases } : {}),
  }) as OptionDef<N, Wrapped<z.ZodEnum<{ [K in T[number]]: K }>, D, R>>;
}

export interface FlagOptions<D extends boolean | undefined> extends Common {
  default?: D;
}

export function flagOption<const N extends string, D extends boolean | undefined = undefined>(
  name: N,
  o: FlagOptions<D>,
): OptionDef<N, Wrapped<z.ZodBoolean, D, undefined>> {
  return finish(name, o, z.boolean(), { type: "boolean" }) as OptionDef<
    N,
    Wrapped<z.ZodBoolean, D, undefined>
  >;
}

type Shape<O extends Record<string, OptionDef>> = { [K in keyof O as O[K]["name"]]: O[K]["schema"] };

/** The command's object schema, keyed by option name, from its declared options. */
export function argsSchema<const O extends Record<string, OptionDef>>(options: O): z.ZodObject<Shape<O>> {
  const shape: Record<string, z.ZodType> = {};
  for (const option of Object.values(options)) shape[option.name] = option.schema;
  return z.object(shape) as unknown as z.ZodObject<Shape<O>>;
}

/** The specs without their schemas, in declared order (what Command.options holds). */
export function optionSpecs(options: Record<string, OptionDef>): OptionSpec[] {
  return Object.values(options).map(({ schema: _schema, ...spec }) => spec);
}
