/** The probe's report as text for the terminal (`probe --format text`); JSON is the report itself. */
import type { Evidence, ProbeReport } from "./probe.js";

const show = (value: unknown): string => (value === undefined ? "-" : JSON.stringify(value));

function evidenceLine(e: Evidence): string {
  const body = e.requestBody === undefined ? "" : ` ${JSON.stringify(e.requestBody)}`;
  const answer = JSON.stringify(e.answer);
  const cut = answer.length > 240 ? `${answer.slice(0, 239)}…` : answer;
  return `      ${e.step}: ${e.request}${body} → ${e.httpStatus} ${cut}`;
}

/** The report as lines of text: per option the answer, whether it is the emulator's default, the evidence. */
export function renderProbeReport(report: ProbeReport): string {
  const lines: string[] = [];
  const settled = report.findings.filter((f) => f.status === "settled");
  const differ = settled.filter((f) => f.matchesDefault === false);
  lines.push(
    `Probe of ${report.instance}: ${report.outcome}, ${report.calls} REST calls (budget ${report.budget.min} to ${report.budget.max}${report.budget.leftovers > 0 ? `, plus ${report.budget.leftovers} for leftovers` : ""}).`,
  );
  if (report.apiNames.length > 0) lines.push(`Probe types: ${report.apiNames.join(", ")}.`);
  if (report.error !== undefined) {
    lines.push(`Stopped: ${report.error.message}`);
    if (report.error.hint !== undefined) lines.push(`  hint: ${report.error.hint}`);
  }
  lines.push("", `Settled (${settled.length}):`);
  for (const f of settled) {
    const mark = f.matchesDefault
      ? "same as the emulator's default"
      : `DIFFERS from the emulator's default ${show(f.emulatorDefault)}`;
    lines.push(
      `  ${f.option} (${f.section}) = ${show(f.value)}: ${mark}${f.note === undefined ? "" : `; ${f.note}`}`,
    );
    for (const e of f.evidence) lines.push(evidenceLine(e));
  }
  const open = report.findings.filter((f) => f.status === "not settled");
  if (open.length > 0) {
    lines.push("", `Not settled by this run (${open.length}):`);
    for (const f of open) lines.push(`  ${f.option} (${f.section}): ${f.note ?? ""}`);
  }
  lines.push("", `Not probed, on purpose (${report.unsettled.length}):`);
  for (const u of report.unsettled) lines.push(`  ${u.option}: ${u.why}`);
  lines.push("");
  if (differ.length > 0)
    lines.push(`Differs from the emulator's defaults: ${differ.map((f) => f.option).join(", ")}.`);
  else if (settled.length > 0) lines.push("Every settled answer is the emulator's default.");
  if (report.removedLeftovers.length > 0)
    lines.push(`Removed leftovers of an earlier run: ${report.removedLeftovers.join(", ")}.`);
  lines.push(
    report.leftovers.length === 0
      ? "Cleanup: nothing the probe made is left in the instance."
      : `LEFT IN THE INSTANCE: ${report.leftovers.join(", ")}; run probe again to remove them.`,
  );
  return `${lines.join("\n")}\n`;
}
