/** Everything the CLI touches outside itself, so tests can run `main()` in-process. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** True when stdout is a terminal: colour and interactive confirmation. */
  readonly isTTY: boolean;
  /** Asks a question on the terminal; only called when `isTTY`. */
  prompt(question: string): Promise<string>;
  /** Resolves when the user asks to stop (Ctrl-C), for long-running commands. */
  waitForInterrupt(): Promise<void>;
}

/** The real process. */
export function processIO(): CliIO {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    isTTY: process.stdout.isTTY === true && process.stdin.isTTY === true,
    prompt: async (question) => {
      const { createInterface } = await import("node:readline/promises");
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
    waitForInterrupt: () =>
      new Promise((resolve) => {
        process.once("SIGINT", () => resolve());
        process.once("SIGTERM", () => resolve());
      }),
  };
}
