/**
 * `marketo-activities emulator --config <file>`: the emulator it starts answers as the file says (the
 * file relative to the working directory); a bad file stops the command with the file's problem and
 * the fix, before anything listens.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startCommand } from "../helpers/cli.js";
import { tempDir } from "../helpers/tools.js";

/** The list of custom types, as the emulator printed in `printed` answers it (raw, envelope and all). */
async function listAnswer(printed: string): Promise<{ success: boolean; errors?: { code: string }[] }> {
  const vars = Object.fromEntries(
    (printed.split("\n").find((l) => l.startsWith("export ")) ?? "")
      .slice("export ".length)
      .split(" ")
      .map((pair) => pair.split("=") as [string, string]),
  );
  const base = vars["MARKETO_BASE_URL"];
  const identity = await fetch(
    `${base}/identity/oauth/token?grant_type=client_credentials&client_id=${vars["MARKETO_CLIENT_ID"]}&client_secret=${vars["MARKETO_CLIENT_SECRET"]}`,
  );
  const { access_token } = (await identity.json()) as { access_token: string };
  const list = await fetch(`${base}/rest/v1/activities/external/types.json`, {
    headers: { Authorization: `Bearer ${access_token}` },
  });
  return (await list.json()) as { success: boolean; errors?: { code: string }[] };
}

describe("marketo-activities emulator --config", () => {
  it("starts an emulator with the file's behaviour (a path relative to the working directory)", async () => {
    const dir = tempDir("emulator-config-cli");
    writeFileSync(
      join(dir, "marketo-emulator.json"),
      JSON.stringify({ source: "probe of 123-ABC-456", behaviour: { emptyList: "702" } }),
    );
    const command = startCommand(
      ["emulator", "--port", "0", "--env-prefix", "MARKETO", "--config", "marketo-emulator.json"],
      dir,
    );
    const printed = await command.listening;
    try {
      const answer = await listAnswer(printed);
      expect(answer.success).toBe(false);
      expect(answer.errors?.map((e) => String(e.code))).toStrictEqual(["702"]);
    } finally {
      command.stop();
    }
    expect((await command.done).code).toBe(0);
  });

  it("without --config answers with the defaults", async () => {
    const command = startCommand(
      ["emulator", "--port", "0", "--env-prefix", "MARKETO"],
      tempDir("emulator-config-cli"),
    );
    const printed = await command.listening;
    try {
      expect(await listAnswer(printed)).toMatchObject({ success: true, result: [] });
    } finally {
      command.stop();
    }
    expect((await command.done).code).toBe(0);
  });

  it("refuses a bad file with its problem and the fix, and listens on nothing", async () => {
    const dir = tempDir("emulator-config-cli");
    writeFileSync(join(dir, "bad.json"), JSON.stringify({ behaviour: { listIncludesDraft: false } }));
    const command = startCommand(
      ["emulator", "--port", "0", "--env-prefix", "MARKETO", "--config", "bad.json"],
      dir,
    );
    const { code, stdout, stderr } = await command.done;
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toMatch(
      new RegExp(
        `^Error: emulator config ${join(dir, "bad.json").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: unknown behaviour option "listIncludesDraft"; the options are listIncludesDrafts, `,
      ),
    );
    expect(stderr).toContain(
      "\nHint: fix the file, or write it again with `marketo-activities probe --write-emulator-config <file>`",
    );
  });

  it("refuses a missing file", async () => {
    const dir = tempDir("emulator-config-cli");
    const command = startCommand(
      ["emulator", "--port", "0", "--env-prefix", "MARKETO", "--config", "nope.json"],
      dir,
    );
    const { code, stderr } = await command.done;
    expect(code).toBe(1);
    expect(stderr).toBe(
      `Error: cannot read emulator config ${join(dir, "nope.json")}: no such file\n` +
        "Hint: check the path (relative paths are taken from the working directory), or write the file with `marketo-activities probe --write-emulator-config <file>`\n",
    );
  });
});
