import type { ReplyAction, Sourced, SourceRef } from "../../src/core/index.ts";

/** A button for the next question: run `command` with `args`. */
export function action(label: string, command: string, args: ReplyAction["args"] = {}): ReplyAction {
  return { label, command, args };
}

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
