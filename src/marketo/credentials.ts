/**
 * Where a client's connection settings come from: the environment variables of an `envPrefix`
 * (docs/design.md decision 6), the base URL normalized to the REST host root, and the errors for
 * settings that are missing or unusable. No message shows a secret or a value that may hold one: a
 * base URL is shown (host and path) only once user info, query and fragment have been refused.
 */
import { MarketoActivitiesError } from "../schema/errors.js";
import { BUDGET_SHARE_VARIABLE_SUFFIX, DEFAULT_ENV_PREFIX, ENV_PREFIX_PATTERN } from "../schema/limits.js";

/** Connection settings read from the environment. */
export interface MarketoCredentials {
  /** The normalized REST host root. */
  readonly baseUrl: string;
  /** The LaunchPoint Client ID. */
  readonly clientId: string;
  /** The LaunchPoint Client Secret. */
  readonly clientSecret: string;
}

/** Environment variable names for the instance's URL and credentials, for messages. */
export interface CredentialNames {
  /** e.g. `MARKETO_BASE_URL` */
  readonly baseUrl: string;
  /** e.g. `MARKETO_MUNCHKIN_ID` */
  readonly munchkinId: string;
  /** e.g. `MARKETO_CLIENT_ID` */
  readonly clientId: string;
  /** e.g. `MARKETO_CLIENT_SECRET` */
  readonly clientSecret: string;
  /** e.g. `MARKETO_BUDGET_SHARE`: this process's share of the instance's call budget (optional). */
  readonly budgetShare: string;
}

/** The variable names for a prefix such as `MARKETO` or `MARKETO_PROD`. */
export function credentialNames(prefix: string): CredentialNames {
  return {
    baseUrl: `${prefix}_BASE_URL`,
    munchkinId: `${prefix}_MUNCHKIN_ID`,
    clientId: `${prefix}_CLIENT_ID`,
    clientSecret: `${prefix}_CLIENT_SECRET`,
    budgetShare: `${prefix}${BUDGET_SHARE_VARIABLE_SUFFIX}`,
  };
}

/**
 * Required environment variables are not set (or are empty). The message names every missing variable
 * at once and shows how to set them; it never shows a value.
 */
export class MissingCredentialsError extends MarketoActivitiesError {
  /** The environment variable prefix, e.g. `MARKETO`. */
  public readonly prefix: string;
  /** The missing variables, e.g. `["MARKETO_CLIENT_ID", "MARKETO_CLIENT_SECRET"]`. */
  public readonly missing: readonly string[];

  /** @param missing names of the missing variables; `<prefix>_BASE_URL` stands for "URL or Munchkin id" */
  constructor(prefix: string, missing: readonly string[]) {
    const names = credentialNames(prefix);
    const examples: Record<string, string> = {
      [names.baseUrl]: `export ${names.baseUrl}=https://123-ABC-456.mktorest.com   # or: export ${names.munchkinId}=123-ABC-456`,
      [names.clientId]: `export ${names.clientId}=<Client ID>`,
      [names.clientSecret]: `export ${names.clientSecret}=<Client Secret>`,
    };
    const label = (name: string) => (name === names.baseUrl ? `${name} (or ${names.munchkinId})` : name);
    const lines = [
      `Marketo connection settings for envPrefix ${prefix} are missing: ${missing.map(label).join(", ")} ${missing.length === 1 ? "is" : "are"} not set.`,
      "Set them in the environment, for example:",
      ...missing.map((name) => `  ${examples[name] ?? `export ${name}=...`}`),
      "The REST endpoint is under Admin > Integration > Web Services; the Client ID and Secret under Admin > Integration > LaunchPoint > View Details",
    ];
    super("MissingCredentials", lines.join("\n"), {
      hint: `export the variables above, or try it locally: \`marketo-activities emulator\` in the app directory (or \`marketo-activities emulator --env-prefix ${prefix}\` anywhere) prints \`export ${names.baseUrl}=... ${names.clientId}=... ${names.clientSecret}=...\` for a local emulator`,
    });
    this.prefix = prefix;
    this.missing = missing;
  }
}

/**
 * The client was configured with a value it cannot use (a base URL that is not an https URL, plain
 * http to another machine, a base URL and a Munchkin id that name different instances, ...).
 */
export class MarketoConfigError extends MarketoActivitiesError {
  /** The option or environment variable at fault, e.g. `MARKETO_BASE_URL` or `baseUrl`. */
  public readonly setting: string;

  /** @param message already free of secrets */
  constructor(setting: string, message: string, hint: string) {
    super("MarketoConfig", message, { hint });
    this.setting = setting;
  }
}

/** The names of the options, for messages about a client configured in code rather than from the environment. */
export const OPTION_NAMES: CredentialNames = {
  baseUrl: "baseUrl",
  munchkinId: "munchkinId",
  clientId: "clientId",
  clientSecret: "clientSecret",
  budgetShare: "budgetShare",
};

const EXAMPLE_BASE_URL = "https://123-ABC-456.mktorest.com";

/**
 * Reads `<prefix>_BASE_URL` (or `<prefix>_MUNCHKIN_ID`), `<prefix>_CLIENT_ID` and
 * `<prefix>_CLIENT_SECRET`. Throws one `MissingCredentialsError` naming every missing variable (an
 * empty value counts as missing), or a `MarketoConfigError` for a value it cannot use. When both the
 * base URL and the Munchkin id are set, they must name the same instance (`https://<id>.mktorest.com`):
 * otherwise it is a `MarketoConfigError` naming both, rather than one of them silently winning. Never
 * echoes the secret.
 */
export function credentialsFromEnv(
  prefix: string = DEFAULT_ENV_PREFIX,
  env: Readonly<Record<string, string | undefined>> = process.env,
): MarketoCredentials {
  if (!ENV_PREFIX_PATTERN.test(prefix)) {
    throw new MarketoConfigError(
      "envPrefix",
      `the environment variable prefix "${prefix}" is not valid: use upper-case letters, digits and underscores, starting with a letter`,
      `write it like "${DEFAULT_ENV_PREFIX}_PROD"`,
    );
  }
  const names = credentialNames(prefix);
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === "" ? undefined : value;
  };
  const rawBaseUrl = read(names.baseUrl);
  const munchkinId = read(names.munchkinId);
  const clientId = read(names.clientId);
  const clientSecret = read(names.clientSecret);
  const missing = [
    ...(rawBaseUrl === undefined && munchkinId === undefined ? [names.baseUrl] : []),
    ...(clientId === undefined ? [names.clientId] : []),
    ...(clientSecret === undefined ? [names.clientSecret] : []),
  ];
  if (missing.length > 0 || clientId === undefined || clientSecret === undefined) {
    throw new MissingCredentialsError(prefix, missing);
  }
  const fromMunchkin = munchkinId === undefined ? undefined : munchkinBaseUrl(munchkinId, names);
  if (rawBaseUrl === undefined) {
    if (fromMunchkin === undefined) throw new MissingCredentialsError(prefix, [names.baseUrl]);
    return { baseUrl: fromMunchkin, clientId, clientSecret };
  }
  const baseUrl = normalizeBaseUrl(rawBaseUrl, names.baseUrl);
  // Both set: they must name the same instance, or one of them would be ignored without a word.
  if (fromMunchkin !== undefined && fromMunchkin !== baseUrl) {
    throw new MarketoConfigError(
      names.baseUrl,
      `${names.baseUrl} and ${names.munchkinId} name different Marketo instances: ${names.baseUrl} is ${baseUrl}, but ${names.munchkinId} ${munchkinId} means ${fromMunchkin}`,
      `unset one of them: keep ${names.baseUrl} alone for a proxy or the local emulator, or ${names.munchkinId} alone for https://<Munchkin id>.mktorest.com`,
    );
  }
  return { baseUrl, clientId, clientSecret };
}

/** The REST host root of a Munchkin id, `https://<id>.mktorest.com` (docs/marketo-api.md section 1). */
function munchkinBaseUrl(munchkinId: string, names: CredentialNames): string {
  if (!/^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$/.test(munchkinId)) {
    throw new MarketoConfigError(
      names.munchkinId,
      `${names.munchkinId} must look like 123-ABC-456 (letters, digits and dashes)`,
      "copy the Munchkin Account ID from Admin > Integration > Munchkin, or set the REST endpoint in " +
        `${names.baseUrl} instead`,
    );
  }
  return normalizeBaseUrl(`https://${munchkinId}.mktorest.com`, names.munchkinId);
}

/**
 * Whether a URL's host name is this machine: `localhost`, an address in 127.0.0.0/8 or `::1`. Only
 * these may be reached over plain `http://`. `hostname` is as the WHATWG URL parser gives it (IPv4
 * canonical, IPv6 in brackets), so `127.0.0.1.example.com` is not one.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === "localhost" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Normalizes a REST base URL to its host root: trims it, lower-cases the host (as the WHATWG URL parser
 * does), removes trailing slashes and a trailing `/rest`, `/rest/v1` or `/identity` (as Admin > Web
 * Services shows the endpoints). Throws a `MarketoConfigError` naming `setting` for anything but an
 * https URL (or an http URL of this machine, `isLoopbackHost`) without credentials, query or fragment,
 * and for any other path (`/rest/v1/activities`, a proxy's `/marketo`): the client adds each call's
 * path to the host root. A value that fails the first checks is never echoed, since a pasted URL may
 * carry a token; the host, and then the path, are named only once user info, query and fragment have
 * been refused.
 */
export function normalizeBaseUrl(raw: string, setting = "baseUrl"): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new MarketoConfigError(
      setting,
      `${setting} is not a URL (expected the REST host root, such as ${EXAMPLE_BASE_URL})`,
      "copy the REST API endpoint from Admin > Integration > Web Services, or set the Munchkin id instead",
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new MarketoConfigError(
      setting,
      `${setting} must be an https:// URL such as ${EXAMPLE_BASE_URL} (got a ${url.protocol} URL)`,
      "copy the REST API endpoint from Admin > Integration > Web Services",
    );
  }
  if (url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "") {
    throw new MarketoConfigError(
      setting,
      `${setting} must be only the REST host root, such as ${EXAMPLE_BASE_URL}, without user info, query or fragment`,
      "remove everything after the host name; credentials go in the CLIENT_ID and CLIENT_SECRET variables",
    );
  }
  // The identity call carries the client secret in its query string, and every REST call a bearer
  // token: over plain http they cross the network readable by anyone on the way.
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
    throw new MarketoConfigError(
      setting,
      `${setting} is a plain http:// URL to ${url.host}, which is not this machine: the client secret and access tokens would cross the network unencrypted`,
      `use https://${url.host} (Marketo's REST endpoint is https://<Munchkin id>.mktorest.com); http:// is accepted only for localhost, 127.0.0.0/8 and ::1, such as the local emulator`,
    );
  }
  // The client adds each call's path (/rest/v1/..., /identity/oauth/token) itself: any other path
  // would send every call to a URL Marketo does not know (610 on identity, naming neither this
  // setting nor its value). Shown in full: user info, query and fragment were refused above.
  const path = url.pathname.replace(/\/+$/, "");
  const root = `${url.protocol}//${url.host}`;
  if (path !== "" && !/^\/+(?:rest(?:\/+v1)?|identity)$/i.test(path)) {
    throw new MarketoConfigError(
      setting,
      `${setting} must be the REST host root, such as ${EXAMPLE_BASE_URL}, without a path: got ${root}${cut(url.pathname)}`,
      `set ${setting} to ${root} (a trailing /rest or /identity, as Admin > Integration > Web Services shows the endpoints, is accepted too); the client adds each call's path itself`,
    );
  }
  return root;
}

/** A path for a message, cut to 80 characters. */
function cut(path: string): string {
  return path.length > 80 ? `${path.slice(0, 77)}...` : path;
}

/**
 * Checks a share of the instance's call budget: a number greater than 0 and at most 1. Throws a
 * `MarketoConfigError` naming `setting` (an option, a flag or an environment variable) that says
 * what the value means and how to write it.
 */
export function checkBudgetShare(value: number, setting: string): number {
  if (Number.isFinite(value) && value > 0 && value <= 1) return value;
  throw new MarketoConfigError(
    setting,
    `${setting} must be a number greater than 0 and at most 1, got ${String(value)}`,
    budgetShareHint(setting),
  );
}

/**
 * Reads a share of the instance's call budget written as text (an environment variable, a CLI flag):
 * a decimal such as `0.5`. Throws a `MarketoConfigError` naming `setting` for anything else.
 */
export function parseBudgetShare(text: string, setting: string): number {
  const trimmed = text.trim();
  const value = /^(?:\d+(?:\.\d*)?|\.\d+)$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (Number.isFinite(value) && value > 0 && value <= 1) return value;
  const shown = trimmed.length > 20 ? `${trimmed.slice(0, 20)}...` : trimmed;
  throw new MarketoConfigError(
    setting,
    `${setting} must be a number greater than 0 and at most 1, got "${shown}"`,
    budgetShareHint(setting),
  );
}

function budgetShareHint(setting: string): string {
  return `it is the share of the Marketo instance's 100 calls per 20 s and 10 concurrent requests this process may use: write a decimal such as 0.5 (half) or 0.1 (what each of Terraform's 10 parallel provisioners can have), or leave ${setting} out to use all of it`;
}

/**
 * `<prefix>_BUDGET_SHARE`, the share of the instance's call budget a client made by `fromEnv` may use,
 * or undefined when it is unset or empty. Throws a `MarketoConfigError` naming the variable when it
 * is not a number in (0, 1].
 */
export function budgetShareFromEnv(
  prefix: string = DEFAULT_ENV_PREFIX,
  env: Readonly<Record<string, string | undefined>> = process.env,
): number | undefined {
  const name = credentialNames(prefix).budgetShare;
  const value = env[name]?.trim();
  if (value === undefined || value === "") return undefined;
  return parseBudgetShare(value, name);
}
