/**
 * The request pipeline's one event stream: every call reports its attempts, the answers, waits,
 * retries and, when it fails, that it gave up, in order.
 */
import { describe, expect, it } from "vitest";
import type { MarketoClientEvent } from "../../src/marketo/index.js";
import { activityType, fail, networkError, ok, rejection, setup } from "./helpers.js";

/** The events of one operation, as `type` (with the attempt where there is one). */
function stream(events: readonly MarketoClientEvent[], operation: string): string[] {
  return events
    .filter((e) => "operation" in e && e.operation === operation)
    .map((e) => ("attempt" in e ? `${e.type} ${e.attempt}` : e.type));
}

describe("the event stream", () => {
  it("reports attempt, answer and retry for each request, identity included", async () => {
    const { client, stub, events } = setup();
    stub.reply("describeCustomActivityType", fail("606", "Max rate limit"), ok([activityType()]));
    await client.describeCustomActivityType("webinarAttended");
    expect(stream(events, "identity")).toStrictEqual(["attempt 1", "response 1"]);
    expect(stream(events, "describeCustomActivityType")).toStrictEqual([
      "attempt 1",
      "response 1",
      "retry 1",
      "attempt 2",
      "response 2",
    ]);
  });

  it("ends a failed call with giveUp, naming the error the call rejects with", async () => {
    const { client, stub, events } = setup({ retry: { maxAttempts: 2 } });
    stub.reply("listCustomActivityTypes", networkError("ECONNRESET"), networkError("ECONNRESET"));
    const error = await rejection(client.listCustomActivityTypes());
    expect(stream(events, "listCustomActivityTypes")).toStrictEqual([
      "attempt 1",
      "networkError 1",
      "retry 1",
      "attempt 2",
      "networkError 2",
      "giveUp",
    ]);
    expect(events.at(-1)).toStrictEqual({
      type: "giveUp",
      operation: "listCustomActivityTypes",
      attempts: 2,
      reason: "ECONNRESET",
      error: (error as { code?: string }).code,
    });
  });

  it("gives up at once, without a retry, when a batch of records may have been added", async () => {
    const { client, stub, events } = setup();
    stub.reply("addCustomActivities", fail("713", "Transient Error"));
    const record = {
      leadId: 1,
      activityDate: "2026-01-15T12:00:00Z",
      activityTypeId: 100001,
      primaryAttributeValue: "x",
      attributes: [],
    };
    await rejection(client.addCustomActivities([record]));
    expect(stream(events, "addCustomActivities")).toStrictEqual(["attempt 1", "response 1", "giveUp"]);
    expect(events.at(-1)).toMatchObject({ error: "MarketoOutcomeUnknown", reason: "713 Transient Error" });
  });

  it("ends with giveUp when the answer cannot be used", async () => {
    const { client, stub, events } = setup();
    stub.reply("describeCustomActivityType", ok([]));
    await rejection(client.describeCustomActivityType("webinarAttended"));
    expect(stream(events, "describeCustomActivityType")).toStrictEqual(["attempt 1", "response 1", "giveUp"]);
    expect(events.at(-1)).toMatchObject({ error: "MarketoHttp", attempts: 1 });
  });
});
