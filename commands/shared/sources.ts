import type { ReplyAction, SourceRef } from "../../src/core/index.ts";
import { describeSource, publisherName, type Sourced } from "../../src/core/snapshot.ts";

/** A button for the next question: run `command` with `args`. */
export function action(label: string, command: string, args: ReplyAction["args"] = {}): ReplyAction {
  return { label, command, args };
}

/** A bundled reference figure as a source line (reference data is not a fallback, so no warning). Its age
 * is the figure's own asOf; a spec (a machine's datasheet, a model's config) shows no age at all. */
export function snapshotSource(name: string, figure: Sourced, kind?: "spec"): SourceRef {
  return {
    name,
    source: describeSource(figure.source),
    publisher: publisherName(figure.source),
    asOf: figure.asOf,
    status: "snapshot",
    ...(kind === "spec" ? { static: true } : {}),
  };
}

/** One source line per distinct document, each dated by its own asOf, so an old figure ages only the
 * line it sits on, not every figure listed next to it. */
export function snapshotSources(
  name: string,
  items: ReadonlyArray<{ label: string; figure: Sourced }>,
): SourceRef[] {
  const byDocument = new Map<string, { labels: string[]; figure: Sourced }>();
  for (const { label, figure } of items) {
    const key = `${describeSource(figure.source)}|${figure.asOf}`;
    const seen = byDocument.get(key);
    if (seen) seen.labels.push(label);
    else byDocument.set(key, { labels: [label], figure });
  }
  return [...byDocument.values()].map(({ labels, figure }) =>
    snapshotSource(`${name}, ${labels.join(", ")}`, figure),
  );
}
