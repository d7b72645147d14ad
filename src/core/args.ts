/** zod schemas derived from option specs, so a limit is written once and holds on every platform. */
import { z } from "zod";
import type { OptionSpec } from "./command.ts";

export function numberArg(spec: OptionSpec) {
  let schema = spec.type === "integer" ? z.number().int() : z.number();
  if (spec.min !== undefined) schema = schema.min(spec.min);
  if (spec.max !== undefined) schema = schema.max(spec.max);
  return schema;
}

export function textArg(_spec: OptionSpec) {
  return z.string().trim().min(1).max(100);
}

export function choiceArg<const T extends readonly [string, ...string[]]>(_spec: OptionSpec, choices: T) {
  return z.enum(choices);
}
