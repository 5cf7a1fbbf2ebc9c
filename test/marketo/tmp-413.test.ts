import { expect, it } from "vitest";
import { seededType } from "../emulator/helpers.js";
import { harness } from "./emulator-harness.js";

it("413", async () => {
  const { client, emulator } = await harness({
    seed: { activityTypes: [seededType("webinar", { id: 100001 })] },
  });
  const big = "x".repeat(4000);
  const records = Array.from({ length: 300 }, () => ({
    leadId: 1,
    activityDate: "2026-01-15T12:00:00Z",
    activityTypeId: 100001,
    primaryAttributeValue: big,
    attributes: [],
  }));
  const e = await client.addCustomActivities(records).catch((x: unknown) => x);
  console.log(
    String(e),
    (e as { hint?: string }).hint,
    emulator.requests.map((r) => [r.operation, r.httpStatus]),
  );
  expect(1).toBe(1);
});
