import {
  hasDraft,
  isLive,
  MarketoApiError,
  type MarketoClient,
  type RestOperation,
  type WireAttribute,
  type WireCustomActivityType,
} from "../marketo/index.js";
import {
  byApiName,
  type LeafAttribute,
  type Manifest,
  MarketoActivitiesError,
  stableHash,
} from "../schema/index.js";
import type { StepOperation } from "./plan.js";
import type { LiveState, LiveType, LiveVersion } from "./types.js";

/**
 * The operations reconcile calls (rows of the endpoint table, src/marketo/endpoints.ts): the two reads
 * plan makes, and one per kind of step apply makes.
 */
export type ReconcileOperation =
  | Extract<RestOperation, "listCustomActivityTypes" | "describeCustomActivityType">
  | StepOperation;

/** The client methods reconcile uses, one per operation, and the call count; a `MarketoClient` has them all. */
export type ReconcileClient = Pick<MarketoClient, ReconcileOperation | "usage">;

function attribute(wire: WireAttribute): LeafAttribute {
  return {
    apiName: wire.apiName,
    ...(wire.name !== undefined ? { name: wire.name } : {}),
    // Marketo's default data type; the docs' examples sometimes omit it (docs/marketo-api.md 4.2 D).
    dataType: wire.dataType ?? "string",
    ...(wire.description !== undefined && wire.description !== "" ? { description: wire.description } : {}),
  };
}

/**
 * A version as Marketo describes it. The primary attribute may also appear in `attributes`
 * (flagged `isPrimary`, or with the primary's apiName): it is kept only as the primary.
 */
export function toVersion(wire: WireCustomActivityType): LiveVersion {
  const primary = wire.primaryAttribute ?? wire.attributes?.find((a) => a.isPrimary === true);
  const attributes = (wire.attributes ?? [])
    .filter((a) => a.isPrimary !== true && a.apiName !== primary?.apiName)
    .map(attribute)
    .sort(byApiName);
  return {
    ...(wire.name !== undefined ? { name: wire.name } : {}),
    ...(wire.triggerName !== undefined ? { triggerName: wire.triggerName } : {}),
    ...(wire.filterName !== undefined ? { filterName: wire.filterName } : {}),
    ...(wire.description !== undefined && wire.description !== "" ? { description: wire.description } : {}),
    ...(primary !== undefined ? { primaryAttribute: attribute(primary) } : {}),
    attributes,
  };
}

function listed(wire: WireCustomActivityType): LiveType | undefined {
  if (wire.apiName === undefined) return undefined;
  return {
    apiName: wire.apiName,
    // Without a status there is no telling whether a draft exists; readInstance refuses to guess.
    status: wire.status ?? "unknown",
    ...(wire.id !== undefined ? { id: wire.id } : {}),
    ...(wire.name !== undefined ? { name: wire.name } : {}),
    ...(wire.triggerName !== undefined ? { triggerName: wire.triggerName } : {}),
    ...(wire.filterName !== undefined ? { filterName: wire.filterName } : {}),
  };
}

/** How much of a type a status says exists: a live version beats a draft, which beats a deleted type. */
function weight(status: string): number {
  if (isLive(status)) return 3;
  if (hasDraft(status)) return 2;
  return status === "deleted" ? 0 : 1;
}

/**
 * One entry per apiName. Marketo may list a deleted type beside a live one of the same apiName (a
 * type deleted and declared again; docs/marketo-api.md 8.7): the entry whose status says more exists
 * wins, then the higher id. Never the order of the list.
 */
export function oneEntryPerApiName(list: readonly LiveType[]): LiveType[] {
  const chosen = new Map<string, LiveType>();
  for (const entry of list) {
    const other = chosen.get(entry.apiName);
    const better =
      other === undefined ||
      weight(entry.status) > weight(other.status) ||
      (weight(entry.status) === weight(other.status) && (entry.id ?? -1) > (other.id ?? -1));
    if (better) chosen.set(entry.apiName, entry);
  }
  return [...chosen.values()];
}

/**
 * Whether a failed describe means "no such type": Marketo answered with a business code (1xxx, 7xx,
 * or 610 "not found"), so it did look and found nothing it could describe. Which code is not
 * documented (docs/marketo-api.md 8.1); access, quota and transient failures are not this.
 */
export function isNoSuchType(error: unknown): boolean {
  return (
    error instanceof MarketoApiError &&
    !error.retryable &&
    error.codes.length > 0 &&
    error.codes.every((code) => /^(1\d{3}|7\d\d|610)$/.test(code))
  );
}

/** What `listTypes` found: one entry per apiName, and the drafts its lookups already described. */
export interface ListedTypes {
  readonly list: LiveType[];
  /** The answers of the draft lookups, by apiName: the described draft of a type the list left out. */
  readonly probed: Map<string, WireCustomActivityType>;
  /** REST calls made: the list and the lookups. */
  readonly calls: number;
}

/**
 * One list call, one entry per apiName (`oneEntryPerApiName`), and, when the list shows no type in
 * `draft` status (so it may leave never-approved types out: docs/marketo-api.md 8.2), one describe of
 * the draft of each apiName in `wanted` the list does not show. Plan and import both read this way.
 */
export async function listTypes(
  client: Pick<ReconcileClient, "listCustomActivityTypes" | "describeCustomActivityType">,
  wanted: ReadonlySet<string>,
): Promise<ListedTypes> {
  let calls = 1;
  const list = oneEntryPerApiName(
    (await client.listCustomActivityTypes()).map(listed).filter((t): t is LiveType => t !== undefined),
  );
  const probed = new Map<string, WireCustomActivityType>();
  if (!list.some((t) => t.status === "draft")) {
    const present = new Set(list.filter((t) => t.status !== "deleted").map((t) => t.apiName));
    const unlisted = [...wanted].filter((apiName) => !present.has(apiName)).sort();
    const found = await Promise.all(
      unlisted.map(async (apiName) => {
        calls++;
        try {
          return await client.describeCustomActivityType(apiName, { draft: true });
        } catch (error) {
          if (isNoSuchType(error)) return undefined;
          throw error;
        }
      }),
    );
    for (const wire of found) {
      if (wire?.apiName === undefined || !wanted.has(wire.apiName) || wire.status === "deleted") continue;
      const entry = listed({ ...wire, status: wire.status ?? "draft" });
      if (entry === undefined) continue;
      const at = list.findIndex((t) => t.apiName === entry.apiName);
      if (at === -1) list.push(entry);
      else list[at] = entry;
      if (hasDraft(entry.status)) probed.set(entry.apiName, wire);
    }
  }
  return { list, probed, calls };
}

/**
 * A listed type with its versions: one describe of the live version when the status says there is
 * one, one of the draft when there is one (unless `listTypes` already described it).
 */
export async function describeVersions(
  client: Pick<ReconcileClient, "describeCustomActivityType">,
  type: LiveType,
  probed: ReadonlyMap<string, WireCustomActivityType>,
): Promise<{ type: LiveType; calls: number }> {
  const known = probed.get(type.apiName);
  const [live, draft] = await Promise.all([
    isLive(type.status) ? client.describeCustomActivityType(type.apiName, { draft: false }) : undefined,
    hasDraft(type.status) && known === undefined
      ? client.describeCustomActivityType(type.apiName, { draft: true })
      : known,
  ]);
  return {
    type: {
      ...type,
      ...(live !== undefined ? { live: toVersion(live) } : {}),
      ...(draft !== undefined ? { draft: toVersion(draft) } : {}),
    },
    calls: (live === undefined ? 0 : 1) + (draft === undefined || known !== undefined ? 0 : 1),
  };
}

/**
 * Reads what a plan needs with the fewest calls (decision 11): one list, then per declared type
 * that exists one describe of the live version and one of the draft, each only when the status
 * says it exists. Retired types need only the list.
 *
 * Whether the list includes never-approved types is not documented (docs/marketo-api.md 8.2). When
 * it shows none, a declared type it does not show may still exist as a draft, so each such type is
 * looked up with one describe of its draft (the type would be created otherwise: one call per new
 * type, none in the steady state where every declared type is listed).
 */
export async function readInstance(
  client: ReconcileClient,
  manifest: Manifest,
  options: { only?: readonly string[] } = {},
): Promise<LiveState> {
  const wanted = new Set(
    manifest.types.map((t) => t.apiName).filter((a) => options.only?.includes(a) ?? true),
  );
  const found = await listTypes(client, wanted);
  const { list, probed } = found;
  let calls = found.calls;
  const unknown = list.filter((t) => wanted.has(t.apiName) && t.status === "unknown").map((t) => t.apiName);
  if (unknown.length > 0) {
    throw new MarketoActivitiesError(
      "MarketoUnexpected",
      `Marketo listed ${unknown.map((a) => `"${a}"`).join(", ")} without a status, so it is not known whether a draft exists; nothing was planned`,
      {
        hint: "check the type in Marketo Admin (Draft, Published or Published with Draft) and run plan again",
      },
    );
  }
  const described = await Promise.all(
    list
      .filter((t) => wanted.has(t.apiName) && t.status !== "deleted")
      .map(async (t) => {
        const read = await describeVersions(client, t, probed);
        calls += read.calls;
        return read.type;
      }),
  );
  return { listed: list, described, calls };
}

/**
 * A hash of what the plan depends on: every listed type's apiName, status, id, trigger and filter
 * names (a plan refuses names another type holds), and the described versions. A pinned plan is refused when this changes between plan and apply.
 */
export function fingerprint(state: LiveState): string {
  return stableHash({
    listed: [...state.listed]
      .sort((a, b) => (a.apiName < b.apiName ? -1 : 1))
      .map((t) => [t.apiName, t.status, t.id ?? null, t.triggerName ?? null, t.filterName ?? null]),
    described: [...state.described]
      .sort(byApiName)
      .map((t) => ({ apiName: t.apiName, live: t.live ?? null, draft: t.draft ?? null })),
  });
}
