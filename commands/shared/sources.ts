import type { Sourced, SourceRef } from "../../src/core/index.ts";

/** A bundled reference figure as a source line (reference data is not a fallback, so no warning). */
export function snapshotSource(name: string, figure: Sourced, kind?: "spec"): SourceRef {
  return {
    name,
    source: figure.source,
    asOf: figure.asOf,
    status: "snapshot",
    ...(kind === "spec" ? { static: true } : {}),
  };
}
