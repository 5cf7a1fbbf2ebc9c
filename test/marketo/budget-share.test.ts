/**
 * Giving one process a share of the instance's call budget (docs/client.md, Limits): Marketo's 100
 * calls per rolling 20 s and 10 concurrent requests belong to the instance, and every process draws
 * from them. The share is a client option, `<PREFIX>_BUDGET_SHARE`, the CLI's `--budget-share`, and a
 * `MarketoInstance` prop that synth divides among Terraform's parallel provisioners.
 *
 * The rate half of the ten-provisioner story is here, on the virtual clock: ten clients, each with its
 * own limiter as ten processes have, send 200 calls (twice the 100 a window allows). Proving it with
 * real processes would take more than 20 s of real time per window, so test/e2e/parallel-provisioners
 * shows the concurrency half (615) with real processes and this file the rate half (606).
 */
import { TerraformStack, Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { deployCheckName } from "../../src/constructs/check.js";
import {
  CustomActivityType,
  MarketoInstance,
  type MarketoInstanceProps,
  RetiredActivityType,
} from "../../src/constructs/index.js";
import { provisionerBudgetShare } from "../../src/constructs/marketo-instance.js";
import { type FetchLike, MarketoClient, MarketoConfigError } from "../../src/marketo/index.js";
import { seededType } from "../emulator/helpers.js";
import { cli, THREE_TYPES, workspace } from "../helpers/cli.js";
import { virtualClock } from "../helpers/clock.js";
import { errorAnnotations, webinar } from "../helpers/constructs.js";
import { busiestWindow } from "../helpers/windows.js";
import { clientFor, emulatorOn, newWire } from "./emulator-harness.js";
import { BASE_URL, CLIENT_ID, SECRET } from "./helpers.js";

const connection = { baseUrl: BASE_URL, clientId: CLIENT_ID, clientSecret: SECRET };
const env = { MARKETO_BASE_URL: BASE_URL, MARKETO_CLIENT_ID: CLIENT_ID, MARKETO_CLIENT_SECRET: SECRET };

describe("a client's share of the instance's budget", () => {
  it.each([
    [1, 100, 10],
    [0.5, 50, 5],
    [0.25, 25, 2],
    [0.1, 10, 1],
    [0.29, 29, 2],
    [0.001, 1, 1],
  ])("keeps budgetShare %s to %s calls per 20 s and %s in flight", (budgetShare, calls, concurrency) => {
    const client = new MarketoClient({ ...connection, budgetShare });
    expect(client.limits).toStrictEqual({
      budgetShare,
      rateLimit: { calls, windowMs: 20_000 },
      maxConcurrency: concurrency,
    });
  });

  it("scales a rateLimit and maxConcurrency set lower by hand", () => {
    const client = new MarketoClient({
      ...connection,
      budgetShare: 0.5,
      rateLimit: { calls: 40, windowMs: 20_000 },
      maxConcurrency: 4,
    });
    expect(client.limits).toMatchObject({ rateLimit: { calls: 20 }, maxConcurrency: 2 });
  });

  it("still refuses a maxConcurrency of 0 when a share is given", () => {
    expect(() => new MarketoClient({ ...connection, budgetShare: 0.5, maxConcurrency: 0 })).toThrow(
      "maxConcurrency must be a whole number >= 1",
    );
  });

  it.each([0, -0.5, 1.5, Number.NaN])("fails when budgetShare is %s, saying what it means", (budgetShare) => {
    const make = () => new MarketoClient({ ...connection, budgetShare });
    expect(make).toThrow(MarketoConfigError);
    expect(make).toThrow(/^budgetShare must be a number greater than 0 and at most 1, got /);
  });

  it("reads <PREFIX>_BUDGET_SHARE where it reads the credentials; the option wins over it", () => {
    const prod = {
      ...env,
      MARKETO_PROD_BASE_URL: BASE_URL,
      MARKETO_PROD_CLIENT_ID: "x",
      MARKETO_PROD_CLIENT_SECRET: "y",
    };
    expect(MarketoClient.fromEnv("MARKETO", { ...env, MARKETO_BUDGET_SHARE: "0.2" }).limits).toMatchObject({
      budgetShare: 0.2,
      rateLimit: { calls: 20 },
      maxConcurrency: 2,
    });
    expect(
      MarketoClient.fromEnv("MARKETO_PROD", { ...prod, MARKETO_BUDGET_SHARE: "0.2" }).limits.budgetShare,
    ).toBe(1);
    expect(MarketoClient.fromEnv("MARKETO", { ...env, MARKETO_BUDGET_SHARE: " " }).limits.budgetShare).toBe(
      1,
    );
    expect(
      MarketoClient.fromEnv("MARKETO", { ...env, MARKETO_BUDGET_SHARE: "0.2" }, { budgetShare: 0.5 }).limits
        .budgetShare,
    ).toBe(0.5);
  });

  it.each(["abc", "0", "1.5", "50%", "1/10"])(
    "fails when MARKETO_BUDGET_SHARE is %s, naming the variable",
    (value) => {
      const make = () => MarketoClient.fromEnv("MARKETO", { ...env, MARKETO_BUDGET_SHARE: value });
      expect(make).toThrow(MarketoConfigError);
      expect(make).toThrow(
        `MARKETO_BUDGET_SHARE must be a number greater than 0 and at most 1, got "${value}"`,
      );
    },
  );
});

describe("ten clients with their own limiters against one instance (the rate half, virtual clock)", () => {
  /**
   * Ten clients (as ten provisioner processes each have their own) send 20 calls each at once to one
   * emulator with Marketo's limits. Rejected calls count toward the window, as DOC-ERR does not exempt
   * 606 and 615 (docs/marketo-api.md 2.2).
   */
  async function tenClients(budgetShare: number | undefined) {
    const clock = virtualClock();
    const emulator = await emulatorOn(clock, {
      seed: { activityTypes: [seededType("webinar")] },
      limits: { rejectedCallsCount: true },
    });
    const wire = newWire(clock);
    const clients = Array.from(
      { length: 10 },
      () =>
        clientFor(emulator, clock, wire, {
          ...(budgetShare === undefined ? {} : { budgetShare }),
          retry: { busyDeadlineMs: 40_000 },
        }).client,
    );
    const outcomes = await Promise.allSettled(
      clients.flatMap((client) =>
        Array.from({ length: 20 }, () => client.describeCustomActivityType("webinar")),
      ),
    );
    const rest = emulator.requests.filter((r) => r.operation !== "identity");
    return { outcomes, rest, clock };
  }

  it("with budgetShare 0.1 each: 200 calls, none answered 606 or 615, at most 100 in any 20 s", async () => {
    const { outcomes, rest } = await tenClients(0.1);
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(200);
    expect(rest.flatMap((r) => r.errorCodes)).toStrictEqual([]);
    expect(rest).toHaveLength(200);
    expect(
      busiestWindow(
        rest.map((r) => r.at),
        20_000,
      ),
    ).toBeLessThanOrEqual(100);
    // ...and the budget is used: the first window is full.
    expect(
      busiestWindow(
        rest.map((r) => r.at),
        20_000,
      ),
    ).toBeGreaterThanOrEqual(90);
  });

  it("without a share (the control): the same load is answered 606", async () => {
    const { rest } = await tenClients(undefined);
    expect(rest.filter((r) => r.errorCodes.includes("606")).length).toBeGreaterThan(0);
  });
});

describe("--budget-share and <PREFIX>_BUDGET_SHARE on plan and apply", () => {
  /** A fetch that records the most requests in flight at once. */
  function counting(): { fetch: FetchLike; max: () => number } {
    let inFlight = 0;
    let max = 0;
    return {
      fetch: async (url, init) => {
        inFlight++;
        max = Math.max(max, inFlight);
        try {
          return await globalThis.fetch(url, init);
        } finally {
          inFlight--;
        }
      },
      max: () => max,
    };
  }
  // Approved types: reading each takes one describe, sent at once unless the share says otherwise.
  const approved = THREE_TYPES.map((t) => seededType(t.apiName));

  it.each([
    ["no share", [], {}, 3],
    ["--budget-share 0.1", ["--budget-share", "0.1"], {}, 1],
    ["MARKETO_BUDGET_SHARE=0.1", [], { MARKETO_BUDGET_SHARE: "0.1" }, 1],
    [
      "--budget-share 1 over MARKETO_BUDGET_SHARE=0.1",
      ["--budget-share", "1"],
      { MARKETO_BUDGET_SHARE: "0.1" },
      3,
    ],
  ])(
    "plan with %s reads three types with at most that many calls at once",
    async (_, flags, extraEnv, most) => {
      const ws = await workspace({ seed: { activityTypes: approved } });
      try {
        const manifest = ws.manifest(THREE_TYPES);
        const wire = counting();
        const run = await cli(["plan", "--manifest", manifest, ...flags], {
          cwd: ws.dir,
          env: { ...ws.env, ...extraEnv },
          clientSettings: { fetch: wire.fetch },
        });
        expect(run.code, run.stderr).toBe(0);
        // One list, then three describes at once unless the share allows one at a time.
        expect(wire.max()).toBe(most);
      } finally {
        await ws.close();
      }
    },
  );

  it("says so on stderr when the share holds a call back a second or more", async () => {
    const ws = await workspace({ seed: { activityTypes: approved } });
    try {
      const clock = virtualClock();
      const run = await cli(["plan", "--manifest", ws.manifest(THREE_TYPES), "--budget-share", "0.01"], {
        cwd: ws.dir,
        env: ws.env,
        clientSettings: { now: clock.now, sleep: clock.sleep },
      });
      expect(run.code, run.stderr).toBe(0);
      // 0.01 of 100 calls per 20 s: one call per window, so each describe waits for the one before.
      const waits = run.stderr.split("\n").filter((l) => l.includes("used its calls"));
      expect(waits).toHaveLength(3);
      expect(waits[0]).toMatch(
        /^instance "prod": this run has used its calls for the last 20 s: waiting 20 s before describeCustomActivityType$/,
      );
    } finally {
      await ws.close();
    }
  });

  it.each([
    [["--budget-share", "2"], `--budget-share must be a number greater than 0 and at most 1, got "2"`],
    [["--budget-share", "half"], `--budget-share must be a number greater than 0 and at most 1, got "half"`],
  ])(
    "fails with %s, saying what the share is and how to write it, without a stack trace",
    async (flags, message) => {
      const ws = await workspace();
      try {
        const run = await cli(["apply", "--manifest", ws.manifest(THREE_TYPES), "--auto-approve", ...flags], {
          cwd: ws.dir,
          env: ws.env,
        });
        expect(run.code).toBe(1);
        expect(run.stderr).toBe(
          `Error: ${message}\n` +
            "Hint: it is the share of the Marketo instance's 100 calls per 20 s and 10 concurrent requests this process may use: write a decimal such as 0.5 (half) or 0.1 (what each of Terraform's 10 parallel provisioners can have), or leave --budget-share out to use all of it\n",
        );
        expect(ws.operationsSince(0)).toStrictEqual([]);
      } finally {
        await ws.close();
      }
    },
  );

  it("fails when MARKETO_BUDGET_SHARE is not a share, naming the variable", async () => {
    const ws = await workspace();
    try {
      const run = await cli(["plan", "--manifest", ws.manifest(THREE_TYPES)], {
        cwd: ws.dir,
        env: { ...ws.env, MARKETO_BUDGET_SHARE: "10%" },
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(
        'Error: MARKETO_BUDGET_SHARE must be a number greater than 0 and at most 1, got "10%"\n',
      );
      expect(run.stderr).not.toContain("    at ");
    } finally {
      await ws.close();
    }
  });

  it.each(["plan", "apply"])("explains the share in `%s --help`", async (command) => {
    let out = "";
    const code = await main([command, "--help"], {
      stdout: (text) => {
        out += text;
      },
      stderr: () => {},
      env: {},
      cwd: process.cwd(),
      isTTY: false,
      prompt: async () => "",
      waitForInterrupt: () => Promise.resolve(),
    });
    expect(code).toBe(0);
    expect(out).toContain("--budget-share <fraction>");
    expect(out).toContain(
      "Marketo allows 100 calls per rolling 20 s and 10 concurrent requests per instance",
    );
    expect(out).toContain("--budget-share 0.25 keeps this run to 25 calls per 20 s and 2 at a time");
    expect(out).toMatch(/\$ marketo-activities (plan|apply) --budget-share 0\.5/);
  });
});

describe("MarketoInstance budgetShare: divided among Terraform's parallel provisioners at synth", () => {
  type Json = {
    resource?: Record<
      string,
      Record<string, { provisioner?: { "local-exec": { environment: Record<string, string> } }[] }>
    >;
  };

  /** Synthesizes `types` types and `retired` tombstones; returns each provisioner's environment. */
  function environments(types: number, retired: number, props: MarketoInstanceProps = {}) {
    const app = Testing.app();
    const stack = new TerraformStack(app, "stack");
    const instance = new MarketoInstance(stack, "prod", { maxActivityTypes: 50, ...props });
    for (let i = 0; i < types; i++) {
      new CustomActivityType(instance, `t${i}`, {
        ...webinar,
        apiName: `type${i}`,
        name: `Type ${i}`,
        triggerName: `Does ${i}`,
        filterName: `Did ${i}`,
      });
    }
    for (let i = 0; i < retired; i++) new RetiredActivityType(instance, `r${i}`, { apiName: `old${i}` });
    const json = JSON.parse(Testing.synth(stack, true)) as Json;
    const data = json.resource?.["terraform_data"] ?? {};
    // The instance's deploy check runs alone, after every type, with the whole share: not divided.
    const perType = Object.entries(data).filter(([id]) => id !== deployCheckName("prod"));
    return {
      errors: errorAnnotations(stack),
      instance,
      envs: perType.map(([, r]) => r.provisioner?.[0]?.["local-exec"].environment),
    };
  }

  it.each([
    [1, 0, {}, undefined],
    [3, 1, {}, "0.25"],
    [3, 0, {}, "0.3333"],
    [9, 3, {}, "0.1"],
    [1, 0, { budgetShare: 0.5 }, "0.5"],
    [6, 0, { budgetShare: 0.5, terraformParallelism: 4 }, "0.125"],
    [20, 0, { terraformParallelism: 20 }, "0.05"],
  ] as const)(
    "gives each of %s types and %s tombstones with %o the share %s",
    (types, retired, props, share) => {
      const { envs, errors, instance } = environments(types, retired, props);
      expect(errors).toStrictEqual([]);
      expect(envs).toHaveLength(types + retired);
      for (const environment of envs) {
        expect(environment).toStrictEqual({
          MARKETO_ACTIVITIES_PROVISIONER: "1",
          ...(share === undefined ? {} : { MARKETO_BUDGET_SHARE: share }),
        });
      }
      expect(instance.provisionerBudgetShare).toBe(share === undefined ? 1 : Number(share));
    },
  );

  it("names the variable after the instance's envPrefix", () => {
    const { envs } = environments(2, 0, { envPrefix: "MARKETO_PROD" });
    expect(envs[0]).toStrictEqual({ MARKETO_ACTIVITIES_PROVISIONER: "1", MARKETO_PROD_BUDGET_SHARE: "0.5" });
  });

  it("never lets the provisioners that run at once together exceed the share", () => {
    for (let provisioners = 1; provisioners <= 30; provisioners++) {
      for (const parallelism of [1, 3, 10]) {
        const share = provisionerBudgetShare(1, provisioners, parallelism);
        const atOnce = Math.min(provisioners, parallelism);
        expect(share * atOnce, `${provisioners} at ${parallelism}`).toBeLessThanOrEqual(1);
        expect(Math.floor(100 * share + 1e-9) * atOnce).toBeLessThanOrEqual(100);
        expect(Math.max(1, Math.floor(10 * share + 1e-9)) * atOnce).toBeLessThanOrEqual(Math.max(10, atOnce));
      }
    }
  });

  it.each([
    [{ budgetShare: 0 }, "budgetShare must be greater than 0"],
    [{ budgetShare: 1.5 }, "budgetShare must be at most 1 (the whole budget of the instance)"],
    [{ terraformParallelism: 2.5 }, "terraformParallelism must be a whole number"],
    [{ terraformParallelism: 0 }, "terraformParallelism must be at least 1"],
  ])("fails synth when %o, saying how to fix it", (props, message) => {
    const { errors } = environments(1, 0, props);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(message);
  });
});
