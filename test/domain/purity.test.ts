import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/** docs/architecture.md: src/domain imports nothing outside itself, and has no I/O and no clock, so every answer
 * it computes is reproducible from its inputs. */
const domainDir = join(import.meta.dirname, "../../src/domain");
const files = readdirSync(domainDir).filter((f) => f.endsWith(".ts"));

describe("src/domain purity", () => {
  it("has files to check", () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)("%s imports only sibling domain files", (file) => {
    const source = readFileSync(join(domainDir, file), "utf8");
    const specifiers = [...source.matchAll(/(?:^|\s)(?:import|export)[^;]*?from\s+["']([^"']+)["']/gm)].map(
      (m) => m[1],
    );
    const dynamic = [...source.matchAll(/\bimport\s*\(/g)];
    expect(dynamic).toHaveLength(0);
    for (const specifier of specifiers) expect(specifier, file).toMatch(/^\.\/[\w-]+\.ts$/);
  });

  it.each(files)("%s uses no clock, randomness or process state", (file) => {
    const source = readFileSync(join(domainDir, file), "utf8");
    expect(source).not.toMatch(/\bDate\b|Math\.random|\bprocess\.|\bperformance\.|\bfetch\(|\brequire\(/);
  });
});
