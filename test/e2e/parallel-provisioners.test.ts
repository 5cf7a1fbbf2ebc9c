/**
 * Ten provisioners at once, as `cdktf deploy` runs them (Terraform's default -parallelism is 10),
 * against the emulator with Marketo's limits (100 calls per rolling 20 s, 10 requests in flight;
 * rejected calls counted, since DOC-ERR does not exempt 606 and 615). Each is a real process running
 * exactly the command and environment synth wrote for its resource, through the launcher, so each has
 * its own client and its own limiter: no limiter in one process knows about the other nine.
 *
 * With the share synth gives each provisioner (`MARKETO_BUDGET_SHARE=0.1`: 10 calls per 20 s, one at a
 * time) the instance never answers 606 or 615. The control runs the same commands without the
 * variable: each process then allows itself 10 requests in flight, and reading a type that has a draft
 * takes two describes at once, so twenty requests meet a limit of ten and some are answered 615.
 *
 * Two things make the control deterministic rather than lucky. The emulator holds every request
 * 300 ms (`latencyMs`), so calls overlap (the twenty describes arrive within about 60 ms of each
 * other). And a small proxy in front of it holds the ten identity answers until all ten processes
 * have asked, then releases them together: processes that start seconds apart on a busy machine
 * would otherwise not overlap at all. Both runs go through the same proxy and latency.
 *
 * The rate half (606) would need more than 100 calls within 20 s of real time; each provisioner makes
 * four. It is shown on the virtual clock instead, with ten clients and 200 calls, in
 * test/marketo/budget-share.test.ts.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { TerraformStack, Testing } from "cdktf";
import { afterAll, describe, expect, it } from "vitest";
import { CustomActivityType, MarketoInstance } from "../../src/constructs/index.js";
import { LAUNCHER_FILE_NAME, launcherSource } from "../../src/constructs/launcher.js";
import { type Emulator, type SeedActivityType, startEmulator } from "../../src/emulator/index.js";
import { serializeManifest } from "../../src/schema/index.js";
import { repoRoot } from "../helpers/tools.js";

const TYPES = 10;
const LATENCY_MS = 300;

/** The i-th type, as declared in code and as published (with a matching draft) in the emulator. */
function definition(i: number) {
  return {
    apiName: `webinar${i}`,
    name: `Webinar ${i}`,
    triggerName: `Attends Webinar ${i}`,
    filterName: `Attended Webinar ${i}`,
    description: "Watched a webinar",
    primaryAttribute: { apiName: "webinarName", name: "Webinar Name", dataType: "string" as const },
    attributes: [{ apiName: "minutesWatched", name: "Minutes Watched", dataType: "integer" as const }],
  };
}

interface Provisioner {
  readonly command: string;
  readonly environment: Record<string, string>;
}

/** An app with ten types, synthesized: the stack directory (manifest and launcher) and the provisioners. */
function synthesize(dir: string): { provisioners: Provisioner[]; seed: SeedActivityType[] } {
  const stack = new TerraformStack(Testing.app(), "marketing");
  const prod = new MarketoInstance(stack, "prod", { maxActivityTypes: TYPES });
  for (let i = 0; i < TYPES; i++) new CustomActivityType(prod, `type${i}`, definition(i));
  const json = JSON.parse(Testing.synth(stack)) as {
    resource: Record<string, Record<string, { provisioner: { "local-exec": Provisioner }[] }>>;
  };
  writeFileSync(join(dir, prod.manifestFileName), serializeManifest(prod.toManifest()));
  writeFileSync(join(dir, LAUNCHER_FILE_NAME), launcherSource(relative(dir, repoRoot)));
  // The types' provisioners, which Terraform runs at once; the instance's deploy check runs after them.
  const provisioners = Object.entries(json.resource["terraform_data"] ?? {})
    .filter(([address]) => !address.endsWith("_deploy-check"))
    .map(([, r]) => r.provisioner[0]!["local-exec"]);
  // Each type is published with a draft that matches the code (an earlier apply with approve: false),
  // so each provisioner lists, describes the live version and the draft at once, and approves.
  const seed = Array.from({ length: TYPES }, (_, i): SeedActivityType => {
    const { apiName, description, ...version } = definition(i);
    return {
      apiName,
      status: "approved with draft",
      live: { ...version, description: "Before" },
      draft: { ...version, description },
    };
  });
  return { provisioners, seed };
}

/** A proxy to `target` that holds identity answers until `parties` identity requests have arrived. */
async function barrierProxy(target: string, parties: number): Promise<{ url: string; server: Server }> {
  let arrived = 0;
  let release!: () => void;
  const all = new Promise<void>((resolve) => {
    release = resolve;
  });
  // A process that dies before asking must not hang the others: release after 30 s regardless.
  const fallback = setTimeout(() => release(), 30_000);
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.url?.startsWith("/identity") === true) {
      arrived++;
      if (arrived >= parties) {
        clearTimeout(fallback);
        release();
      }
      await all;
    }
    const headers: Record<string, string> = {};
    for (const name of ["authorization", "content-type", "accept"]) {
      const value = req.headers[name];
      if (typeof value === "string") headers[name] = value;
    }
    try {
      const answer = await fetch(`${target}${req.url ?? "/"}`, {
        method: req.method ?? "GET",
        headers,
        ...(chunks.length === 0 ? {} : { body: Buffer.concat(chunks) }),
      });
      const body = Buffer.from(await answer.arrayBuffer());
      res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "text/plain" });
      res.end(body);
    } catch {
      res.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the proxy has no port");
  return { url: `http://127.0.0.1:${address.port}`, server };
}

/** The environment of a provisioner: this machine's, without MARKETO_* variables, plus its own. */
function baseEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith("MARKETO")),
  ) as NodeJS.ProcessEnv;
}

interface Finished {
  readonly code: number | null;
  readonly stderr: string;
}

/** Runs each provisioner's command from the stack directory, all at once, as Terraform does. */
function runAll(dir: string, provisioners: readonly Provisioner[], env: Record<string, string>) {
  return Promise.all(
    provisioners.map(
      (p) =>
        new Promise<Finished>((resolve) => {
          const child = spawn(p.command, {
            shell: true,
            cwd: dir,
            env: { ...baseEnv(), NO_COLOR: "1", ...p.environment, ...env },
          });
          let stderr = "";
          child.stderr.on("data", (d) => {
            stderr += d;
          });
          child.stdout.resume();
          child.on("close", (code) => resolve({ code, stderr }));
        }),
    ),
  );
}

/** Starts the emulator (real clock, Marketo's default limits) and the proxy; runs the ten provisioners. */
async function deploy(
  dir: string,
  seed: SeedActivityType[],
  provisioners: readonly Provisioner[],
): Promise<{ emulator: Emulator; finished: Finished[] }> {
  const emulator = await startEmulator({
    port: 0,
    seed: { activityTypes: seed },
    latencyMs: LATENCY_MS,
    limits: { rejectedCallsCount: true },
  });
  const proxy = await barrierProxy(emulator.url, provisioners.length);
  try {
    const finished = await runAll(dir, provisioners, {
      ...emulator.env(),
      MARKETO_BASE_URL: proxy.url,
    });
    return { emulator, finished };
  } finally {
    proxy.server.closeAllConnections();
    await new Promise((resolve) => proxy.server.close(resolve));
    await emulator.close();
  }
}

const limitCodes = (emulator: Emulator) =>
  emulator.requests.flatMap((r) => r.errorCodes).filter((code) => code === "606" || code === "615");

describe("ten provisioner processes at once against Marketo's limits", () => {
  const dir = mkdtempSync(join(tmpdir(), "mka-parallel-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const { provisioners, seed } = synthesize(dir);

  it("synth gives each of the ten provisioners a tenth of the instance's budget", () => {
    expect(provisioners).toHaveLength(TYPES);
    for (const p of provisioners) {
      expect(p.environment).toStrictEqual({
        MARKETO_ACTIVITIES_PROVISIONER: "1",
        MARKETO_BUDGET_SHARE: "0.1",
      });
      expect(p.command).toMatch(
        /^node marketo-activities\.mjs apply --manifest marketo-activities\.prod\.json --only webinar\d --auto-approve$/,
      );
    }
  });

  it("with that share, no call is answered 606 or 615; without it (the control), some are answered 615 and waited out", async () => {
    // GIVEN the commands synth wrote, run all at once
    const shared = await deploy(dir, seed, provisioners);
    // THEN every provisioner approved its type without meeting a limit
    expect(
      shared.finished.map((f) => f.code),
      shared.finished.map((f) => f.stderr).join("\n"),
    ).toStrictEqual(Array(TYPES).fill(0));
    expect(limitCodes(shared.emulator)).toStrictEqual([]);
    expect(shared.emulator.state().activityTypes.map((t) => t.status)).toStrictEqual(
      Array(TYPES).fill("approved"),
    );
    const rest = shared.emulator.requests.filter((r) => r.operation !== "identity");
    expect(rest).toHaveLength(4 * TYPES); // list, two describes and approve per provisioner
    expect(shared.finished.some((f) => f.stderr.includes("Marketo is busy"))).toBe(false);

    // WHEN the same commands run without the share (what synth wrote before it had one)
    const unshared = provisioners.map((p) => ({
      ...p,
      environment: { MARKETO_ACTIVITIES_PROVISIONER: p.environment["MARKETO_ACTIVITIES_PROVISIONER"]! },
    }));
    const control = await deploy(dir, seed, unshared);
    // THEN more than ten requests were in flight, Marketo answered 615, and each client waited it out
    expect(limitCodes(control.emulator)).toContain("615");
    const busy = control.finished
      .flatMap((f) => f.stderr.split("\n"))
      .filter((l) => l.includes("Marketo is busy"));
    expect(busy.length).toBeGreaterThan(0);
    for (const line of busy) {
      expect(line).toMatch(
        /^instance "prod": Marketo is busy \(615 Concurrent access limit '10' reached\): waiting [\d.]+ m?s before retrying describeCustomActivityType \(attempt \d+; giving up in 1[12]\d s\)$/,
      );
    }
    expect(
      control.finished.map((f) => f.code),
      control.finished.map((f) => f.stderr).join("\n"),
    ).toStrictEqual(Array(TYPES).fill(0));
    expect(control.emulator.state().activityTypes.map((t) => t.status)).toStrictEqual(
      Array(TYPES).fill("approved"),
    );
  }, 60_000);
});
