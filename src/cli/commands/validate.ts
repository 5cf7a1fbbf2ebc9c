import type { CliIO } from "../io.js";
import { findManifests } from "../manifests.js";

/** Checks the synthesized manifests against the schema without calling Marketo. */
export async function validateCommand(
  options: { manifest?: string[]; stack?: string[] },
  io: CliIO,
): Promise<number> {
  const found = findManifests({ cwd: io.cwd, ...options });
  for (const { path, manifest } of found) {
    const types = manifest.types.length;
    io.stdout(
      `${path}: valid. Instance "${manifest.instance.id}" (${manifest.instance.envPrefix}_*): ${types} ${types === 1 ? "type" : "types"}, ${manifest.retired.length} retired, limit ${manifest.instance.maxActivityTypes}.\n`,
    );
  }
  return 0;
}
