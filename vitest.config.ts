/** Two lanes. `npm test` runs the fast lane: unit, contract and in-process adapter tests, each file
 * in well under a second or two. `npm run test:e2e` runs what spawns the bot as a process or has to
 * wait in real time (digest periods, polling back-off). `npx vitest run` runs both. */
import { defineConfig } from "vitest/config";

/** Files that start `node src/main.ts` / `src/cli.ts` or sleep through real schedules (the queue
 * contract waits for real BullMQ and in-process deliveries, ~50 s). */
const E2E = [
  "test/e2e/**/*.test.ts",
  "test/cli/**/*.test.ts",
  "test/digest/multi-instance.test.ts",
  "test/digest/queue-contract.test.ts",
];

const globalSetup = ["test/support/global-setup.ts"];

export default defineConfig({
  test: {
    projects: [
      { test: { name: "fast", include: ["test/**/*.test.ts"], exclude: E2E, globalSetup } },
      { test: { name: "e2e", include: E2E, globalSetup, testTimeout: 60_000, hookTimeout: 60_000 } },
    ],
  },
});
