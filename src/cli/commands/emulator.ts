import { MarketoActivitiesError } from "../../schema/errors.js";
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
  let served: Awaited<ReturnType<typeof serveEmulator>>;
  try {
    served = await serveEmulator(
      {
        port: options.port,
        host: options.host,
        envPrefix: options.envPrefix,
        ...(options.data === undefined ? {} : { dataPath: options.data }),
      },
      { stdout: (line) => io.stdout(`${line}\n`), stderr: (line) => io.stderr(`${line}\n`) },
    );
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const listenErrors: Record<string, string> = {
      EADDRINUSE: "the port is in use",
      EACCES: "no permission to use the port",
      EADDRNOTAVAIL: "the address is not on this machine",
      ENOTFOUND: "the host name does not resolve",
    };
    if (code !== undefined && listenErrors[code] !== undefined) {
      throw new MarketoActivitiesError(
        "Usage",
        `cannot listen on ${options.host}:${options.port}: ${listenErrors[code]} (${code})`,
        {
          hint: "choose another --port (0 picks a free one) or --host",
        },
      );
    }
    throw error;
  }
  io.stdout("Press Ctrl-C to stop.\n");
  await io.waitForInterrupt();
  await served.stop();
  return 0;
}
