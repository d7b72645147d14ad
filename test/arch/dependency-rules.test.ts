/** The layering of docs/architecture.md "Layout and dependency rules", checked on the import statements of every source file. */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

/** Every module a file imports: relative ones resolved to repo paths, packages by name. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  const specifiers = [...text.matchAll(/(?:import|export)\s[^;]*?from\s+"([^"]+)"|import\("([^"]+)"\)/g)].map(
    (m) => (m[1] ?? m[2])!,
  );
  return specifiers.map((s) => (s.startsWith(".") ? relative(ROOT, resolve(ROOT, dirname(file), s)) : s));
}

const violations = (files: string[], forbidden: (imported: string) => boolean) =>
  files.flatMap((f) =>
    importsOf(f)
      .filter(forbidden)
      .map((i) => `${f} imports ${i}`),
  );

describe("dependency rules", () => {
  it("src/domain imports nothing outside itself", () => {
    expect(violations(sourceFiles("src/domain"), (i) => !i.startsWith("src/domain/"))).toEqual([]);
  });

  it("commands use core, domain, ask and ports only — never src/data or an adapter", () => {
    const allowed = (i: string) => i === "zod" || /^(src\/core|src\/domain|src\/ask|commands)\//.test(i);
    expect(violations(sourceFiles("commands"), (i) => !allowed(i))).toEqual([]);
  });

  it("src/ask is pure routing: it imports only core and itself (no I/O, no platform)", () => {
    const allowed = (i: string) => /^(src\/core|src\/ask)\//.test(i);
    expect(violations(sourceFiles("src/ask"), (i) => !allowed(i))).toEqual([]);
  });

  it("adapters never import src/data or each other", () => {
    for (const adapter of ["cli", "telegram", "discord"]) {
      const files = sourceFiles(`src/adapters/${adapter}`);
      const bad = violations(
        files,
        (i) =>
          i.startsWith("src/data/") ||
          (i.startsWith("src/adapters/") && !i.startsWith(`src/adapters/${adapter}/`)),
      );
      expect(bad).toEqual([]);
    }
  });

  it("only src/data imports undici and keyv", () => {
    const everywhere = [...sourceFiles("src"), ...sourceFiles("commands")].filter(
      (f) => !f.startsWith("src/data/"),
    );
    expect(violations(everywhere, (i) => /^(undici|keyv|@keyv\/)/.test(i))).toEqual([]);
  });

  it("heavy libraries load only when used: the chart libraries, each platform's, the Redis client's", () => {
    const text = (file: string) => readFileSync(join(ROOT, file), "utf8");
    const statically = (file: string, pattern: RegExp) =>
      [...text(file).matchAll(/^import\s(?!type\s)[^;]*?from\s+"([^"]+)"/gm)]
        .map((m) => m[1]!)
        .filter((i) => pattern.test(i));
    const all = [...sourceFiles("src"), ...sourceFiles("commands")];
    // Vega-Lite sets Set.prototype.toJSON, which breaks discord.js loaded after it (src/charts/render.ts).
    expect(all.flatMap((f) => statically(f, /^vega(-lite)?$/).map((i) => `${f} imports ${i}`))).toEqual([]);
    expect(
      statically("src/main.ts", /adapters\/(discord|telegram)\/|http\/metrics|data\/shared-limit/),
    ).toEqual([]);
    expect(statically("src/data/store.ts", /^@keyv\/redis$/)).toEqual([]);
  });

  it("only src/http imports prom-client and only src/logger.ts imports pino", () => {
    const all = [...sourceFiles("src"), ...sourceFiles("commands")];
    const promOutside = all.filter((f) => !f.startsWith("src/http/"));
    expect(violations(promOutside, (i) => i === "prom-client")).toEqual([]);
    expect(
      violations(
        all.filter((f) => f !== "src/logger.ts"),
        (i) => i === "pino",
      ),
    ).toEqual([]);
  });

  it("only an adapter imports its platform library", () => {
    const outside = (adapter: string) =>
      [...sourceFiles("src"), ...sourceFiles("commands")].filter(
        (f) => !f.startsWith(`src/adapters/${adapter}/`),
      );
    expect(violations(outside("telegram"), (i) => /^(grammy|@grammyjs\/)/.test(i))).toEqual([]);
    expect(violations(outside("discord"), (i) => /^(discord\.js|@discordjs\/)/.test(i))).toEqual([]);
  });

  it("src/core and src/domain never read the wall clock", () => {
    const files = [...sourceFiles("src/domain"), ...sourceFiles("commands")];
    const readsClock = files.filter((f) =>
      /Date\.now\(\)|new Date\(\)/.test(readFileSync(join(ROOT, f), "utf8")),
    );
    expect(readsClock).toEqual([]);
  });
});
