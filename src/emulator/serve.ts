/**
 * Runs the emulator for a person at a terminal (`marketo-activities emulator`): binds loopback,
 * prints the URL and the environment variables to export, and stops cleanly.
 */
import type { EmulatorOptions } from "./options.js";
import { startEmulator } from "./server.js";
import type { Emulator } from "./types.js";

/** Options of `serveEmulator`: those of `startEmulator`, with the data file named as on the command line. */
export interface ServeEmulatorOptions extends Omit<EmulatorOptions, "persistPath"> {
  /** State file (`--data`); state survives restarts. Default: in memory only. */
  readonly dataPath?: string;
  /** Prefix of the printed variables (an instance's `envPrefix`). Default `MARKETO`. */
  readonly envPrefix?: string;
  /** Whom it serves, for the first line when several run: `Marketo emulator for <label> listening on ...`. */
  readonly label?: string;
}

/** Where `serveEmulator` prints. */
export interface EmulatorIo {
  stdout(line: string): void;
  stderr(line: string): void;
}

/** A served emulator; `stop()` closes it and may be called more than once. */
export interface ServedEmulator {
  readonly emulator: Emulator;
  stop(): Promise<void>;
}

/**
 * Starts the emulator bound to 127.0.0.1 (unless `host` says otherwise) and prints how to use it:
 *
 * ```
 * Marketo emulator listening on http://127.0.0.1:8787
 * export MARKETO_BASE_URL=http://127.0.0.1:8787 MARKETO_CLIENT_ID=emulator-client MARKETO_CLIENT_SECRET=emulator-secret
 * ```
 */
export async function serveEmulator(opts: ServeEmulatorOptions, io: EmulatorIo): Promise<ServedEmulator> {
  const { dataPath, envPrefix = "MARKETO", label, ...rest } = opts;
  const options: EmulatorOptions = {
    ...rest,
    host: opts.host ?? "127.0.0.1",
    ...(dataPath === undefined ? {} : { persistPath: dataPath }),
  };
  const emulator = await startEmulator(options);
  io.stdout(`Marketo emulator${label === undefined ? "" : ` for ${label}`} listening on ${emulator.url}`);
  io.stdout(
    `export ${Object.entries(emulator.env(envPrefix))
      .map(([name, value]) => `${name}=${value}`)
      .join(" ")}`,
  );
  io.stdout(dataPath === undefined ? "State is kept in memory only." : `State is saved to ${dataPath}.`);
  let stopping: Promise<void> | undefined;
  return {
    emulator,
    stop: () => {
      stopping ??= emulator.close().then(() => io.stderr("Marketo emulator stopped."));
      return stopping;
    },
  };
}
