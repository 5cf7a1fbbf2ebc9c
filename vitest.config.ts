import { defineConfig } from "vitest/config";

/**
 * Two tiers. `unit`: in-process tests (the emulator runs in the test's process), fast, no build
 * needed: they pass with dist/ deleted. `e2e`: real processes (the CLI, cdktf, Terraform, npm
 * installs of the packed package); their global setup builds dist/ once and packs it once.
 *   npx vitest run --project unit
 *   npx vitest run --project e2e
 */
export default defineConfig({
  test: {
    pool: "forks",
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/**/*.test.ts"],
          exclude: ["test/e2e/**", "test/examples.test.ts"],
          testTimeout: 10_000,
          hookTimeout: 20_000,
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts", "test/examples.test.ts"],
          // Terraform, cdktf and npm run as real processes.
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Builds dist/ once and packs it once (inject("tarball") for test/e2e/install.test.ts).
          globalSetup: ["test/setup/build-and-pack.ts"],
        },
      },
    ],
  },
});
