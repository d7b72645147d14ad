/** The explicit registry: every command the bot serves, in the order help lists them. */
import { type AnyCommand, createRegistry, type Registry } from "../src/core/index.ts";
import { createAskCommand } from "./ask.ts";
import concentration from "./concentration.ts";
import digest from "./digest.ts";
import edgeAi from "./edge_ai.ts";
import edgeFit from "./edge_fit.ts";
import { createHelpCommand } from "./help.ts";
import migration from "./migration.ts";
import miningCost from "./mining_cost.ts";
import sources from "./sources.ts";
import trend from "./trend.ts";

/** Extra commands (digest) are added by the composition root, which owns their dependencies. */
export function createCommandRegistry(extra: readonly AnyCommand[] = []): Registry {
  const registry: Registry = createRegistry([
    miningCost,
    migration,
    concentration,
    edgeAi,
    edgeFit,
    trend,
    ...extra,
    digest,
    sources,
    createAskCommand(() => registry),
    createHelpCommand(() => registry),
  ]);
  return registry;
}
