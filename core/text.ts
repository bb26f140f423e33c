/**
 * Bounds for every string a stack config holds, and the escaping used when a value or key is shown
 * in an error line. Pure.
 *
 * Every config string ends up somewhere with its own rules (an AWS tag, a YAML file Alertmanager reads,
 * a CronJob spec, a terminal): none of them wants control characters, and none wants 10 KB. The
 * config loader applies `configStringProblem` to every string and key before the schema runs, and
 * the schema adds each field's own character set on top.
 */

/** Longest string any config value may hold (the longest legitimate ones are URLs). */
export const MAX_CONFIG_STRING = 2048;
/** Longest map key (tags, per-service maps) any config value may use. */
export const MAX_CONFIG_KEY = 256;
/** Most entries a config list or map may hold. */
export const MAX_CONFIG_ENTRIES = 1000;
/** Deepest nesting of maps and lists. */
export const MAX_CONFIG_DEPTH = 16;

/**
 * C0/C1 control characters (NUL, ESC, newline, tab, DEL ...), line/paragraph separators and the
 * bidirectional overrides and isolates that make text display differently from what it is.
 */
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/u;
const UNSAFE_CHARS_GLOBAL = new RegExp(UNSAFE_CHARS.source, "gu");

export function hasUnsafeChars(text: string): boolean {
  return UNSAFE_CHARS.test(text);
}

/** Why a config string is refused whatever its key, or undefined. */
export function configStringProblem(text: string, max = MAX_CONFIG_STRING): string | undefined {
  if (text.length > max) return `must be at most ${max} characters long`;
  if (hasUnsafeChars(text)) return "must not contain control characters (newline, tab, NUL, ESC ...) or bidirectional overrides";
  return undefined;
}

/** Escapes what a terminal would interpret and cuts to `max` characters (an ellipsis marks the cut). */
export function escapeText(text: string, max = 80): string {
  const cut = text.length > max ? text.slice(0, max) : text;
  const escaped = cut.replace(UNSAFE_CHARS_GLOBAL, (ch) => {
    const code = ch.codePointAt(0)!;
    if (ch === "\n") return "\\n";
    if (ch === "\r") return "\\r";
    if (ch === "\t") return "\\t";
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
  return text.length > max ? `${escaped}...` : escaped;
}

const NON_FINITE = "\u0000nonfinite:";

/**
 * Renders a value for an error line: JSON-like, escaped, at most `max` characters; numbers JSON cannot
 * hold are shown as Infinity / -Infinity / NaN (JSON.stringify would print null); "(missing)" for
 * undefined. Long strings inside are cut first, so a 20 MB value costs nothing to show.
 */
export function showValue(value: unknown, max = 80): string {
  if (value === undefined) return "(missing)";
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  let text: string;
  try {
    text =
      JSON.stringify(value, (_key, inner) => {
        if (typeof inner === "number" && !Number.isFinite(inner)) return `${NON_FINITE}${inner}`;
        if (typeof inner === "string" && inner.length > max) return inner.slice(0, max);
        return inner;
      }) ?? String(value);
  } catch {
    text = String(value);
  }
  // JSON.stringify escapes C0 controls; the rest (DEL, C1, bidi) and the non-finite markers are handled here.
  text = text.replace(/"\\u0000nonfinite:([^"]*)"/g, "$1");
  text = text.replace(UNSAFE_CHARS_GLOBAL, (ch) => `\\u${ch.codePointAt(0)!.toString(16).padStart(4, "0")}`);
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/** Renders a config key path (`database.name`, `tags["a b"]`, `services[0]`), each part escaped and cut. */
export function showPath(path: ReadonlyArray<PropertyKey>): string {
  return path
    .map((part, i) => {
      if (typeof part === "number") return `[${part}]`;
      const name = String(part);
      const plain = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/.test(name);
      if (plain) return `${i ? "." : ""}${name}`;
      return `[${JSON.stringify(escapeText(name, 40)).replace(/\\\\/g, "\\")}]`;
    })
    .join("");
}

/**
 * An https URL of RFC 3986 characters only: no spaces, quotes, `<>`, `{}` (Prometheus and Alertmanager
 * run annotations through Go templates, so `{{` in a URL would be executed), backslashes or `|`.
 */
const URL_HOST = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*";
const URL_PATH = "[A-Za-z0-9\\-._~:/?\\[\\]@!$&'()*+,;=%]*";
export const HTTPS_URL = new RegExp(`^https://${URL_HOST}(?::\\d{1,5})?(?:/${URL_PATH})?$`);
export const HTTPS_URL_WITH_FRAGMENT = new RegExp(`^https://${URL_HOST}(?::\\d{1,5})?(?:/${URL_PATH})?(?:#[A-Za-z0-9\\-._~:/?@!$&'()*+,;=%]*)?$`);
/** Longest URL a stack may give (alert annotations repeat it on every rule). */
export const MAX_URL = 1024;

/** An SMTP AUTH user name: a login or an address; nothing that could end a header or a YAML scalar (no spaces, quotes, newlines). */
export const SMTP_USERNAME = /^[A-Za-z0-9._%+@\\=-]{1,256}$/;

/** An email address (addr-spec without quoting or comments, at most 254 characters): nothing that could add a recipient or a header. */
export const EMAIL_ADDRESS = /^(?=.{3,254}$)[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,63}$/;
