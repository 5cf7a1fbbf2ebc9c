/**
 * The soak: first applies against an instance where 30% of the calls fail (the emulator's
 * `randomFaults`, seeded: the default transient kinds 604, 606, 608, 615, 713, HTTP 502, a connection
 * dropped before, plus a connection dropped after Marketo carried the call out), then activity records
 * sent on the same instance. Everything runs in process on one virtual clock, so backoff and waits
 * cost no wall time, and one request is on the wire at a time, so a seed replays exactly.
 *
 * Shared by test/reliability/soak.test.ts (5 fixed seeds) and scripts/soak.ts (`npm run soak`).
 */
import { ActivityClient } from "../../src/activities/index.js";
import { DEFAULT_RANDOM_FAULT_KINDS } from "../../src/emulator/index.js";
import { MarketoClient } from "../../src/marketo/index.js";
import type { ActivityTypeInput } from "../../src/schema/index.js";
import { deposit, trial, webinar } from "./fixtures.js";
import { divergence, duplicateRecords, seeded, startLab, wireFetch } from "./harness.js";

/** The types a first apply creates. */
export const SOAK_TYPES: readonly ActivityTypeInput[] = [webinar, deposit, trial];

/** What one seed did. */
export interface SoakRun {
  readonly seed: number;
  /** The first apply exited 0 and the instance holds the code. */
  readonly succeeded: boolean;
  readonly exitCode: number;
  /** Why it did not succeed: the apply's error, or what the instance holds instead. */
  readonly failure?: string;
  /** Types held twice, attributes twice in a version, records stored twice. */
  readonly duplicates: { readonly types: number; readonly attributes: number; readonly records: number };
  /** REST requests the emulator answered with a fault, during the apply and the sends. */
  readonly faults: number;
  /** Of those, connections dropped after Marketo carried the call out (answers lost). */
  readonly lostAnswers: number;
  /** REST requests in all. */
  readonly requests: number;
  /** Records: sent, and what the activity client says of them. */
  readonly records: {
    readonly sent: number;
    readonly added: number;
    readonly unknown: number;
    readonly notSent: number;
    readonly stored: number;
  };
  /** Virtual seconds the apply took. */
  readonly applySeconds: number;
}

export interface SoakOptions {
  /** Chance of a fault per call. @default 0.3 */
  readonly probability?: number;
  /** Records sent after the apply, in batches of 10. @default 30 */
  readonly records?: number;
}

/** One first apply (and records) at `probability` faults on `seed`. */
export async function soakRun(seed: number, options: SoakOptions = {}): Promise<SoakRun> {
  const lab = await startLab(
    {
      randomFaults: {
        seed,
        probability: options.probability ?? 0.3,
        kinds: [...DEFAULT_RANDOM_FAULT_KINDS, { drop: "after" }],
      },
    },
    true,
  );
  const clock = lab.clock!;
  try {
    const manifest = lab.manifest(SOAK_TYPES);
    const started = clock.now();
    const run = await lab.run(["apply", "--manifest", lab.manifestPath, "--auto-approve"]);
    const applySeconds = (clock.now() - started) / 1000;
    const diverged = divergence(lab.emulator, manifest);
    const succeeded = run.code === 0 && diverged.length === 0;

    // Records for the type, sent on the same faulty instance (never resent when their outcome is unknown).
    const count = options.records ?? 30;
    let records = { sent: 0, added: 0, unknown: 0, notSent: 0 };
    if (succeeded && count > 0) {
      const client = new MarketoClient({
        baseUrl: lab.emulator.url,
        clientId: lab.emulator.clientId,
        clientSecret: lab.emulator.clientSecret,
        fetch: wireFetch({}, clock),
        now: clock.now,
        sleep: clock.sleep,
        random: seeded(seed),
      });
      const batch = Array.from({ length: count }, (_, i) => ({
        leadId: i + 1,
        activityDate: "2026-01-15T12:00:00Z",
        primaryAttributeValue: `Webinar ${i}`,
        attributes: { minutesWatched: i },
      }));
      try {
        const sent = await new ActivityClient(client, { batchSize: 10 }).send(webinar, batch);
        records = { sent: count, added: sent.added, unknown: sent.unknown, notSent: sent.notSent };
      } catch {
        // Rejected before sending anything (the list call failed for good): nothing to count.
        records = { sent: 0, added: 0, unknown: 0, notSent: count };
      }
    }

    const types = lab.emulator.state().activityTypes;
    const stored = types.reduce((n, t) => n + t.records.length, 0);
    const rest = lab.emulator.requests.filter((r) => r.operation !== "identity");
    const failure = succeeded
      ? undefined
      : run.code !== 0
        ? firstLine(`${run.stderr}\n${run.stdout}`)
        : diverged.join("; ");
    return {
      seed,
      succeeded,
      exitCode: run.code,
      ...(failure === undefined ? {} : { failure }),
      duplicates: {
        types: diverged.filter((d) => / exists \d+ times$/.test(d)).length,
        attributes: diverged.filter((d) => / is there twice$/.test(d)).length,
        records: duplicateRecords(lab.emulator),
      },
      faults: rest.filter((r) => r.fault !== undefined).length,
      lostAnswers: rest.filter((r) => r.dropped === "after").length,
      requests: rest.length,
      records: { ...records, stored },
      applySeconds,
    };
  } finally {
    await lab.close();
  }
}

function firstLine(text: string): string {
  return (
    text
      .split("\n")
      .find((l) => /^(Error|Internal error|Apply stopped)/.test(l))
      ?.slice(0, 300) ?? text.slice(0, 300)
  );
}

/** The figures of a soak over `seeds`. */
export interface SoakFigures {
  readonly runs: readonly SoakRun[];
  readonly succeeded: number;
  readonly duplicates: number;
  readonly faultShare: number;
}

export async function soak(seeds: readonly number[], options: SoakOptions = {}): Promise<SoakFigures> {
  const runs: SoakRun[] = [];
  for (const seed of seeds) runs.push(await soakRun(seed, options));
  const requests = runs.reduce((n, r) => n + r.requests, 0);
  return {
    runs,
    succeeded: runs.filter((r) => r.succeeded).length,
    duplicates: runs.reduce(
      (n, r) => n + r.duplicates.types + r.duplicates.attributes + r.duplicates.records,
      0,
    ),
    faultShare: requests === 0 ? 0 : runs.reduce((n, r) => n + r.faults, 0) / requests,
  };
}
