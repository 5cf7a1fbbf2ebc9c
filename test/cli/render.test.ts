import { describe, expect, it } from "vitest";
import type { CliIO } from "../../src/cli/io.js";
import { reporter } from "../../src/cli/render.js";
import { MarketoApiError } from "../../src/marketo/index.js";
import type { ApplyEvent, ApplyResult } from "../../src/reconcile/index.js";
import { MarketoActivitiesError } from "../../src/schema/index.js";

function printed(result: ApplyResult, progress: ApplyEvent[] = []): string {
  let text = "";
  const io: CliIO = {
    stdout: (t) => {
      text += t;
    },
    stderr: (t) => {
      text += t;
    },
    env: {},
    cwd: ".",
    isTTY: false,
    prompt: async () => "",
    waitForInterrupt: () => new Promise(() => {}),
  };
  const report = reporter(io, { color: false });
  for (const event of progress) report({ kind: "progress", event });
  report({ kind: "applied", result });
  return text;
}

const stopped = (error: Error): ApplyResult => ({
  instance: "prod",
  calls: 3,
  reads: 0,
  ok: false,
  types: [{ apiName: "webinarAttended", action: "update", outcome: "failed", stepsDone: 1, error }],
});

describe("apply's outcome says to run apply again only where that helps", () => {
  it("gives the failure's own hint, and no 'run apply again', when rerunning would fail the same way", () => {
    const text = printed(
      stopped(
        new MarketoActivitiesError("UndeclaredChange", "the draft holds another change", {
          hint: "let one deploy run at a time",
        }),
      ),
    );
    expect(text).toContain("Hint (webinarAttended): let one deploy run at a time\n");
    expect(text).not.toContain("run apply again");
  });

  it("says to run apply again after a failure that may pass later (Marketo busy or unreachable)", () => {
    const busy = new MarketoApiError({
      operation: "updateCustomActivityType",
      apiName: "webinarAttended",
      errors: [{ code: "606", message: "Max rate limit '100' exceeded with in '20' secs" }],
      requestId: undefined,
      httpStatus: 200,
      retryable: true,
      attempts: 13,
      afterAmbiguousAttempt: false,
    });
    expect(printed(stopped(busy))).toContain("run apply again to finish once Marketo answers");
  });
});

describe("a type that failed during apply", () => {
  it("gets a progress line saying so, then its message and hint once, in apply's outcome", () => {
    const error = new MarketoActivitiesError("UndeclaredChange", "the draft holds another change", {
      hint: "let one deploy run at a time",
    });
    const text = printed(stopped(error), [
      { kind: "start", apiName: "webinarAttended", action: "update", steps: 2 },
      { kind: "failed", apiName: "webinarAttended", error },
    ]);
    expect(text).toBe(
      "  webinarAttended: updating (2 calls)...\n" +
        "  webinarAttended: failed (the reason and the hint follow below)\n" +
        'Apply stopped for instance "prod": webinarAttended failed (the draft holds another change).\n' +
        "Hint (webinarAttended): let one deploy run at a time\n" +
        "Anything already written stays as a draft that the next apply recognises.\n",
    );
  });
});
