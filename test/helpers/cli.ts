import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CliIO } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { type Emulator, type EmulatorOptions, startEmulator } from "../../src/emulator/index.js";
import type { MarketoClientSettings } from "../../src/marketo/index.js";
import {
  type ActivityTypeInput,
  buildManifest,
  parseActivityType,
  serializeManifest,
} from "../../src/schema/index.js";
import { tempDir } from "./tools.js";

/** What a CLI run printed and returned. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `main()` in-process with the emulator's credentials in the environment. */
export async function cli(
  args: string[],
  options: {
    cwd: string;
    env?: Record<string, string | undefined>;
    isTTY?: boolean;
    answer?: string;
    /** Client settings; the default sleep returns at once. */
    clientSettings?: MarketoClientSettings;
  },
): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const io: CliIO = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env: { NO_COLOR: "1", ...options.env },
    cwd: options.cwd,
    isTTY: options.isTTY ?? false,
    prompt: async () => options.answer ?? "no",
    waitForInterrupt: () => Promise.resolve(),
  };
  const code = await main(args, io, {
    clientSettings: { sleep: async () => {}, ...options.clientSettings },
  });
  return { code, stdout, stderr };
}

/** A running emulator, a working directory and a way to write a manifest and run the CLI. */
export interface Workspace {
  readonly emulator: Emulator;
  readonly dir: string;
  readonly env: Record<string, string>;
  /** Writes the manifest of instance "prod" with these types and tombstones; returns its path. */
  manifest(
    types: ActivityTypeInput[],
    retired?: string[],
    instance?: { approve?: boolean; maxActivityTypes?: number },
  ): string;
  run(...args: string[]): Promise<CliRun>;
  /** REST operations the emulator received since `mark`, identity excluded. */
  operationsSince(mark: number): string[];
  close(): Promise<void>;
}

export async function workspace(options: EmulatorOptions = {}): Promise<Workspace> {
  const emulator = await startEmulator(options);
  const dir = tempDir("cli");
  const env = {
    ...emulator.env(),
  };
  const path = join(dir, "marketo-activities.prod.json");
  return {
    emulator,
    dir,
    env,
    manifest(types, retired = [], instance = {}) {
      const manifest = buildManifest({
        instance: {
          id: "prod",
          envPrefix: "MARKETO",
          maxActivityTypes: instance.maxActivityTypes ?? 10,
          approve: instance.approve ?? true,
        },
        types: types.map((t) => parseActivityType(t)),
        retired,
      });
      writeFileSync(path, serializeManifest(manifest));
      return path;
    },
    run: (...args) => cli(args, { cwd: dir, env }),
    operationsSince: (mark) =>
      emulator.requests
        .slice(mark)
        .map((r) => r.operation)
        .filter((op) => op !== "identity"),
    close: () => emulator.close(),
  };
}

/** Three realistic types. */
export const THREE_TYPES: ActivityTypeInput[] = [
  {
    apiName: "webinarAttended",
    name: "Webinar Attended",
    triggerName: "Attends Webinar",
    filterName: "Attended Webinar",
    description: "Watched a webinar",
    primaryAttribute: { apiName: "webinarName", name: "Webinar Name" },
    attributes: [
      { apiName: "minutesWatched", name: "Minutes Watched", dataType: "integer" },
      { apiName: "attendedLive", name: "Attended Live", dataType: "boolean" },
    ],
  },
  {
    apiName: "checkDeposited",
    name: "Check Deposited",
    triggerName: "Deposits Check",
    filterName: "Deposited Check",
    primaryAttribute: { apiName: "branchName", name: "Branch Name" },
    attributes: [{ apiName: "amount", name: "Amount", dataType: "currency" }],
  },
  {
    apiName: "trialStarted",
    name: "Trial Started",
    triggerName: "Starts Trial",
    filterName: "Started Trial",
    primaryAttribute: { apiName: "productName", name: "Product Name" },
  },
];

/**
 * Runs a long-running command (`emulator`) in-process until `stop()`; `listening` resolves with what
 * it printed once it waits to be stopped (it listens), or once it ended (a failure before listening).
 */
export function startCommand(args: string[], cwd: string) {
  let stdout = "";
  let stderr = "";
  let stop: (() => void) | undefined;
  let ready!: (printed: string) => void;
  const listening = new Promise<string>((resolve) => {
    ready = resolve;
  });
  const io: CliIO = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env: { NO_COLOR: "1" },
    cwd,
    isTTY: false,
    prompt: async () => "no",
    waitForInterrupt: () =>
      new Promise<void>((resolve) => {
        stop = resolve;
        ready(stdout);
      }),
  };
  const done = main(args, io).then((code) => ({ code, stdout, stderr }));
  void done.then(() => ready(stdout));
  return { listening, done, stop: () => stop?.() };
}
