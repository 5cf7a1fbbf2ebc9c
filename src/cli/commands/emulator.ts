import type { CliIO } from "../io.js";

/** Options of `marketo-activities emulator`. */
export interface EmulatorCommandOptions {
  readonly port: number;
  readonly host: string;
  readonly data?: string;
  readonly envPrefix: string;
}

/** Runs the local Marketo emulator until Ctrl-C. Loaded only for this command. */
export async function emulatorCommand(options: EmulatorCommandOptions, io: CliIO): Promise<number> {
  const { serveEmulator } = await import("../../emulator/index.js");
  const served = await serveEmulator(
    {
      port: options.port,
      host: options.host,
      envPrefix: options.envPrefix,
      ...(options.data === undefined ? {} : { dataPath: options.data }),
    },
    { stdout: (line) => io.stdout(`${line}\n`), stderr: (line) => io.stderr(`${line}\n`) },
  );
  io.stdout("Press Ctrl-C to stop.\n");
  await io.waitForInterrupt();
  await served.stop();
  return 0;
}
