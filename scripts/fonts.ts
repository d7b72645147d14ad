/** `node scripts/fonts.ts`: writes the chart font (Inter, latin subset, regular and bold) from the
 * @fontsource/inter package as TrueType into src/charts/fonts/. resvg reads TrueType/OpenType only,
 * and @fontsource ships WOFF, which is TrueType tables each deflated: this inflates them back.
 * The output is committed, so rendering needs no network, no system fonts and no dev dependency. */
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { inflateSync } from "node:zlib";

/** WOFF 1.0 (W3C) → sfnt: same tables, uncompressed, with a fresh table directory. */
export function woffToSfnt(woff: Buffer): Buffer {
  if (woff.toString("latin1", 0, 4) !== "wOFF") throw new Error("not a WOFF 1.0 file");
  const flavor = woff.readUInt32BE(4);
  const numTables = woff.readUInt16BE(12);
  const tables = Array.from({ length: numTables }, (_, i) => {
    const at = 44 + i * 20;
    const offset = woff.readUInt32BE(at + 4);
    const compLength = woff.readUInt32BE(at + 8);
    const origLength = woff.readUInt32BE(at + 12);
    const raw = woff.subarray(offset, offset + compLength);
    return {
      tag: woff.subarray(at, at + 4),
      checksum: woff.readUInt32BE(at + 16),
      data: compLength < origLength ? inflateSync(raw) : Buffer.from(raw),
    };
  });
  const maxPow2 = 2 ** Math.floor(Math.log2(numTables));
  const header = Buffer.alloc(12 + 16 * numTables);
  header.writeUInt32BE(flavor, 0);
  header.writeUInt16BE(numTables, 4);
  header.writeUInt16BE(maxPow2 * 16, 6);
  header.writeUInt16BE(Math.log2(maxPow2), 8);
  header.writeUInt16BE(numTables * 16 - maxPow2 * 16, 10);
  const bodies: Buffer[] = [];
  let offset = header.length;
  tables.forEach((t, i) => {
    const at = 12 + i * 16;
    t.tag.copy(header, at);
    header.writeUInt32BE(t.checksum, at + 4);
    header.writeUInt32BE(offset, at + 8);
    header.writeUInt32BE(t.data.length, at + 12);
    const padded = Buffer.alloc((t.data.length + 3) & ~3);
    t.data.copy(padded);
    bodies.push(padded);
    offset += padded.length;
  });
  return Buffer.concat([header, ...bodies]);
}

if (import.meta.main) {
  const require = createRequire(import.meta.url);
  const pkg = dirname(require.resolve("@fontsource/inter/package.json"));
  const out = join(import.meta.dirname, "..", "src", "charts", "fonts");
  for (const weight of [400, 700]) {
    const woff = readFileSync(join(pkg, "files", `inter-latin-${weight}-normal.woff`));
    writeFileSync(join(out, `inter-latin-${weight}.ttf`), woffToSfnt(woff));
  }
  copyFileSync(join(pkg, "LICENSE"), join(out, "OFL.txt"));
  console.log(`wrote Inter (latin, 400 and 700) to ${out}`);
}
