/**
 * The bundled snapshot: the offline default and the fallback for every live source. The figures live in
 * one JSON file per dataset next to this module (snapshot/*.json); each is checked against the one schema
 * in src/core/snapshot.ts when the process starts, so a figure without value, unit, source, asOf or basis
 * stops the start with a message naming the file and the field.
 */
import { readFileSync } from "node:fs";
import { assembleSnapshot, type Snapshot, SnapshotFilesSchema } from "../core/snapshot.ts";

const DIRECTORY = new URL("./snapshot/", import.meta.url);

/** Reads every file the schema names (the key is the file name without .json) and validates it. */
export function loadSnapshotFiles(directory: URL = DIRECTORY): unknown {
  const names = Object.keys(SnapshotFilesSchema.shape);
  return Object.fromEntries(
    names.map((name) => {
      const path = new URL(`${name}.json`, directory);
      let text: string;
      try {
        text = readFileSync(path, "utf8");
      } catch (error) {
        throw new Error(`snapshot: cannot read ${name}.json (${(error as NodeJS.ErrnoException).code})`);
      }
      try {
        return [name, JSON.parse(text)];
      } catch (error) {
        throw new Error(`snapshot: ${name}.json is not valid JSON: ${(error as Error).message}`);
      }
    }),
  );
}

/** Validates raw file contents and joins them into the snapshot commands use. */
export function parseSnapshot(files: unknown): Snapshot {
  const parsed = SnapshotFilesSchema.safeParse(files);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 10)
      .map((issue) => `${issue.path.map(String).join(".")}: ${issue.message}`);
    throw new Error(`snapshot: invalid data — ${problems.join("; ")}`);
  }
  return assembleSnapshot(parsed.data);
}

export const snapshot: Snapshot = parseSnapshot(loadSnapshotFiles());
