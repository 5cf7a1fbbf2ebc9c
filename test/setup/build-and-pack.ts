/**
 * Global setup of the e2e tier (vitest.config.ts): builds dist/ once, since the end-to-end tests
 * run the built CLI and package, then packs the package once, as `npm publish` would, and hands
 * the tarball's path to tests through `inject("tarball")` (test/e2e/install.test.ts installs it
 * into user apps). Cost: one `tsc` build and one `npm pack --ignore-scripts`; the tarball is
 * removed again at teardown.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { repoRoot } from "../helpers/tools.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** Absolute path of this package's `npm pack` tarball. */
    tarball: string;
  }
}

export default function setup(project: TestProject): () => void {
  execFileSync("npm", ["run", "build", "--silent"], { cwd: repoRoot, stdio: "inherit" });
  const destination = mkdtempSync(join(tmpdir(), "mka-pack-"));
  const output = execFileSync(
    "npm",
    ["pack", "--ignore-scripts", "--json", "--pack-destination", destination],
    { cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
  );
  const [packed] = JSON.parse(output) as { filename: string }[];
  if (packed === undefined) throw new Error(`npm pack printed no tarball: ${output}`);
  project.provide("tarball", join(destination, packed.filename));
  return () => rmSync(destination, { recursive: true, force: true });
}
