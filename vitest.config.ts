import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Terraform and cdktf end-to-end tests run real processes; unit tests finish in milliseconds.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Packs the package once per run for the install suite (test/e2e/install.test.ts): inject("tarball").
    globalSetup: ["test/setup/pack.ts"],
  },
});
