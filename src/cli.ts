/** `npm run --silent cli -- <command> [args…] [--json]`: one answer, then exit. */
import { runOnce } from "./adapters/cli/console.ts";
import { createAppOrExit, createEntryLogger, loadConfigOrExit } from "./env.ts";

const config = loadConfigOrExit();
const app = await createAppOrExit(config, { logger: createEntryLogger(config, "console") });
const code = await runOnce(
  app.registry,
  { ...app.deps, digest: app.createDigest([]) },
  process.argv.slice(2),
  {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
  },
);
await app.close();
process.exitCode = code;
