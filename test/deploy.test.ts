/** The three ways an operator starts the bot — `npm start`, the container, the systemd unit — run
 * the same entry point with the same Node flags (the memory setting in README, Operating). */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..");
const read = (file: string) => readFileSync(resolve(ROOT, file), "utf8");

it("npm start, the Dockerfile's CMD and the systemd ExecStart agree on flags and entry point", () => {
  const npmStart = (JSON.parse(read("package.json")).scripts.start as string).split(/\s+/).slice(1);
  const dockerCmd = (JSON.parse(read("Dockerfile").match(/^CMD (\[.*\])$/m)![1]!) as string[]).slice(1);
  const execStart = read("deploy/decentra.service")
    .match(/^ExecStart=\S+ (.*)$/m)![1]!
    .split(/\s+/);
  expect(npmStart).toEqual(["--max-semi-space-size=2", "--optimize-for-size", "src/main.ts"]);
  expect(dockerCmd).toEqual(npmStart);
  expect(execStart).toEqual(npmStart);
});
