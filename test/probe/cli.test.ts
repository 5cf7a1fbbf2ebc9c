/** `marketo-activities probe` in-process against the emulator: confirmation, the report, the emulator config it writes. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { CliIO } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { parseEmulatorConfig } from "../../src/emulator/config.js";
import { DEFAULT_BEHAVIOUR, type Emulator, startEmulator } from "../../src/emulator/index.js";
import { PROBE_PREFIX } from "../../src/probe/probe.js";
import { tempDir } from "../helpers/tools.js";

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function run(args: string[], cwd: string, env: Record<string, string>) {
  let stdout = "";
  let stderr = "";
  const io: CliIO = {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    env: { NO_COLOR: "1", ...env },
    cwd,
    isTTY: false,
    prompt: async () => "no",
    waitForInterrupt: () => new Promise(() => {}),
  };
  const code = await main(args, io, { clientSettings: { sleep: async () => {} } });
  return { code, stdout, stderr };
}

describe("marketo-activities probe", () => {
  it("refuses without --yes-this-is-a-sandbox outside a terminal, before any call", async () => {
    emulator = await startEmulator();
    const result = await run(["probe"], tempDir("probe"), emulator.env());
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("probe writes to the instance at 127.0.0.1; nothing was done");
    expect(emulator.requests).toEqual([]);
  });

  it("writes the emulator config that reproduces the instance", async () => {
    const behaviour = { discardDraftOnDraftOnly: "deleteType", emptyDescription: "null" } as const;
    emulator = await startEmulator({ behaviour });
    const dir = tempDir("probe");
    const result = await run(
      ["probe", "--yes-this-is-a-sandbox", "--write-emulator-config", "sandbox.emulator.json"],
      dir,
      emulator.env(),
    );
    console.log(result.stdout);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("Budget: 21 to 26 REST calls");
    expect(result.stdout).toContain(
      "Differs from the emulator's defaults: discardDraftOnDraftOnly, emptyDescription.",
    );
    const config = JSON.parse(readFileSync(join(dir, "sandbox.emulator.json"), "utf8")) as {
      behaviour: Record<string, unknown>;
    };
    expect(config.behaviour).toMatchObject(behaviour);
    // The emulator's own config reader takes the file as written.
    expect(
      parseEmulatorConfig(readFileSync(join(dir, "sandbox.emulator.json"), "utf8"), "sandbox.emulator.json")
        .behaviour,
    ).toEqual(config.behaviour);
    for (const [option, value] of Object.entries(config.behaviour))
      expect([option, value]).toEqual([option, { ...DEFAULT_BEHAVIOUR, ...behaviour }[option]]);
    // The written config, given to a new emulator, makes the probe find the same answers.
    const again = await startEmulator({ behaviour: config.behaviour });
    try {
      const json = await run(["probe", "--yes-this-is-a-sandbox", "--format", "json"], dir, again.env());
      const report = JSON.parse(json.stdout) as { findings: { option: string; value?: unknown }[] };
      for (const f of report.findings) if ("value" in f) expect(f.value).toEqual(config.behaviour[f.option]);
      expect(
        again
          .state()
          .activityTypes.filter((t) => t.apiName.startsWith(PROBE_PREFIX) && t.status !== "deleted"),
      ).toEqual([]);
    } finally {
      await again.close();
    }
  });
});
