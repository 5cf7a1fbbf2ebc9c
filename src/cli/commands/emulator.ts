import { extname, resolve } from "node:path";
import { isUserError, MarketoActivitiesError } from "../../schema/errors.js";
import type { CliIO } from "../io.js";
import { findManifests } from "../manifests.js";

/** Options of `marketo-activities emulator`. */
export interface EmulatorCommandOptions {
  /** The port of the first emulator; the next ones take the following ports (0: free ports). */
  readonly port: number;
  readonly host: string;
  readonly data?: string;
  /** Serve only this prefix. Without it, every envPrefix of the app's manifests, else `MARKETO`. */
  readonly envPrefix?: string;
  /** Emulator config file (`{ "behaviour": { ... } }`), relative to the working directory. */
  readonly config?: string;
}

/** One emulator to start: an envPrefix and the instances that use it. */
interface Target {
  readonly envPrefix: string;
  readonly instances: readonly string[];
}

/**
 * The envPrefixes of the app in `cwd`, in manifest order (stacks in dependency order), or undefined
 * when there is no synthesized app there. A manifest that is broken is an error, as in plan.
 */
function appTargets(cwd: string): Target[] | undefined {
  let found: ReturnType<typeof findManifests>;
  try {
    found = findManifests({ cwd });
  } catch (error) {
    if (isUserError(error) && error.code === "Usage") return undefined;
    throw error;
  }
  const byPrefix = new Map<string, string[]>();
  for (const { manifest } of found) {
    const { envPrefix, id } = manifest.instance;
    byPrefix.set(envPrefix, [...(byPrefix.get(envPrefix) ?? []), id]);
  }
  return [...byPrefix].map(([envPrefix, instances]) => ({ envPrefix, instances }));
}

/** `state.json` -> `state.marketo_prod.json` when several emulators keep state. */
function dataPathFor(data: string, envPrefix: string, several: boolean): string {
  if (!several) return data;
  const ext = extname(data);
  return `${data.slice(0, data.length - ext.length)}.${envPrefix.toLowerCase()}${ext}`;
}

const LISTEN_ERRORS: Record<string, string> = {
  EADDRINUSE: "the port is in use",
  EACCES: "no permission to use the port",
  EADDRNOTAVAIL: "the address is not on this machine",
  ENOTFOUND: "the host name does not resolve",
};

/**
 * Runs local Marketo emulators until Ctrl-C: in a synthesized app directory one per envPrefix the
 * app's instances use (each on its own port: plan and apply refuse two instances on one host), else
 * one for `--env-prefix`. Loaded only for this command.
 */
export async function emulatorCommand(options: EmulatorCommandOptions, io: CliIO): Promise<number> {
  const { serveEmulator } = await import("../../emulator/index.js");
  const fromApp = options.envPrefix === undefined ? appTargets(io.cwd) : undefined;
  const targets: Target[] = fromApp ?? [{ envPrefix: options.envPrefix ?? "MARKETO", instances: [] }];
  const served: Awaited<ReturnType<typeof serveEmulator>>[] = [];
  const stopAll = async () => {
    for (const s of served.reverse()) await s.stop();
  };
  for (const [index, target] of targets.entries()) {
    const port = options.port === 0 ? 0 : options.port + index;
    try {
      served.push(
        await serveEmulator(
          {
            port,
            host: options.host,
            envPrefix: target.envPrefix,
            ...(fromApp === undefined
              ? {}
              : { label: `${target.instances.map((i) => `"${i}"`).join(", ")} (${target.envPrefix}_*)` }),
            ...(options.config === undefined ? {} : { config: resolve(io.cwd, options.config) }),
            ...(options.data === undefined
              ? {}
              : {
                  dataPath: resolve(io.cwd, dataPathFor(options.data, target.envPrefix, targets.length > 1)),
                }),
          },
          { stdout: (line) => io.stdout(`${line}\n`), stderr: (line) => io.stderr(`${line}\n`) },
        ),
      );
    } catch (error) {
      await stopAll();
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== undefined && LISTEN_ERRORS[code] !== undefined) {
        throw new MarketoActivitiesError(
          "Usage",
          `cannot listen on ${options.host}:${port}${targets.length > 1 ? ` (the emulator for ${target.envPrefix})` : ""}: ${LISTEN_ERRORS[code]} (${code})`,
          {
            hint: `choose another --port (0 picks free ones${targets.length > 1 ? `; ${targets.length} emulators take ${targets.length} ports from --port on` : ""}) or --host`,
          },
        );
      }
      throw error;
    }
  }
  io.stdout("Press Ctrl-C to stop.\n");
  await io.waitForInterrupt();
  await stopAll();
  return 0;
}
