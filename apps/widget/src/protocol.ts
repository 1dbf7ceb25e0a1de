/**
 * Messages between the loader (host page) and the frame app, carried by postMessage.
 * Both sides validate by hand: the loader has a 4 KB budget, so no schema library.
 */

/**
 * What the loader needs to draw the launcher and place the panel. The frame derives it from the
 * inbox's settings (colours, offsets, size, icon, rules about pages) so the loader stays tiny.
 */
export type LauncherConfig = {
  /** CSS custom properties of the shell: --c colour, --o text on it, --x/--y offsets, --w/--h panel size. */
  vars: Array<[string, string]>;
  isLeft: boolean;
  /** SVG path of the launcher icon (24×24 viewBox). */
  icon: string;
  hideOnMobile: boolean;
  /** True when a hidden-URL pattern matches the page the visitor is on. */
  isHiddenHere: boolean;
  /** Localised launcher and frame labels. */
  label: string;
  frameTitle: string;
  closeLabel: string;
  dir: "ltr" | "rtl";
};

export type FrameToHostMessage =
  | { type: "parley:ready" }
  | { type: "parley:close" }
  | { type: "parley:open" }
  /** A banned visitor or a dead inbox: the widget disappears from the page. */
  | { type: "parley:hidden" }
  /** Maximise or restore the panel. */
  | { type: "parley:expand"; expanded: boolean }
  | { type: "parley:config"; config: LauncherConfig }
  | { type: "parley:unread"; count: number }
  | { type: "parley:message"; text: string; sender: string }
  /**
   * A reply the visitor is not looking at, for the host page to show as a browser notification:
   * Chrome refuses notification permission to cross-origin iframes, so the loader asks and shows.
   * `icon` is an absolute http(s) URL, or "" for none.
   */
  | { type: "parley:notify"; title: string; text: string; icon: string }
  | { type: "parley:bubble"; text: string };

export const HOST_COMMANDS = ["identify", "setAttributes", "track", "setLocale", "reset"] as const;
export type HostCommand = (typeof HOST_COMMANDS)[number];

export type HostToFrameMessage =
  | { type: "parley:page"; url: string; title: string; referrer: string }
  | { type: "parley:visibility"; open: boolean }
  /** A host API call the frame carries out; the frame validates `args` itself. */
  | { type: "parley:call"; command: HostCommand; args: unknown[] };

export const MAX_PAGE_URL_LENGTH = 2048;
export const MAX_PAGE_TITLE_LENGTH = 512;
const MAX_TEXT = 2000;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;

const isBoundedText = (value: unknown, maxLength: number): value is string =>
  typeof value === "string" && value.length <= maxLength;

const clampCount = (value: unknown): number =>
  typeof value === "number" && Number.isFinite(value) ? Math.min(999, Math.max(0, Math.round(value))) : 0;

const text = (value: unknown, fallback = ""): string => (typeof value === "string" ? value.slice(0, MAX_TEXT) : fallback);

const isPair = (entry: unknown): entry is [string, string] =>
  Array.isArray(entry) && typeof entry[0] === "string" && typeof entry[1] === "string";

/**
 * The frame is Parley's own page (origin and window are checked before parsing), so these checks
 * only keep a malformed value from breaking the loader; the loader writes values with
 * setProperty / setAttribute / textContent, never as HTML.
 */
export const parseLauncherConfig = (value: unknown): LauncherConfig | null => {
  if (!isRecord(value) || !Array.isArray(value.vars)) return null;
  return {
    vars: value.vars.filter(isPair),
    isLeft: value.isLeft === true,
    icon: text(value.icon),
    hideOnMobile: value.hideOnMobile === true,
    isHiddenHere: value.isHiddenHere === true,
    label: text(value.label),
    frameTitle: text(value.frameTitle),
    closeLabel: text(value.closeLabel),
    dir: value.dir === "rtl" ? "rtl" : "ltr",
  };
};

/** What the loader accepts from the frame; anything else (other scripts also postMessage) is ignored. */
export const parseFrameMessage = (data: unknown): FrameToHostMessage | null => {
  if (!isRecord(data)) return null;
  const { type } = data;
  if (type === "parley:ready" || type === "parley:close" || type === "parley:open" || type === "parley:hidden") return { type };
  if (type === "parley:unread") return { type, count: clampCount(data.count) };
  if (type === "parley:expand") return { type, expanded: data.expanded === true };
  if (type === "parley:config") {
    const config = parseLauncherConfig(data.config);
    return config && { type, config };
  }
  if (typeof data.text !== "string" || !data.text.trim()) return null;
  if (type === "parley:message") return { type, text: text(data.text), sender: text(data.sender) };
  if (type === "parley:notify") return { type, title: text(data.title), text: text(data.text), icon: text(data.icon) };
  return type === "parley:bubble" ? { type, text: text(data.text) } : null;
};

/** What the frame accepts from the host page. */
export const parseHostMessage = (data: unknown): HostToFrameMessage | null => {
  if (!isRecord(data)) return null;
  if (
    data.type === "parley:page" &&
    isBoundedText(data.url, MAX_PAGE_URL_LENGTH) &&
    isBoundedText(data.title, MAX_PAGE_TITLE_LENGTH)
  ) {
    const referrer = isBoundedText(data.referrer, MAX_PAGE_URL_LENGTH) ? data.referrer : "";
    return { type: "parley:page", url: data.url, title: data.title, referrer };
  }
  if (data.type === "parley:visibility" && typeof data.open === "boolean") return { type: "parley:visibility", open: data.open };
  if (data.type === "parley:call" && Array.isArray(data.args)) {
    const command = HOST_COMMANDS.find((name) => name === data.command);
    if (command) return { type: "parley:call", command, args: data.args.slice(0, 4) };
  }
  return null;
};

/** Truncates rather than drops: a page with a very long URL or title is still a page view. */
export const pageMessage = (url: string, title: string, referrer = ""): HostToFrameMessage => ({
  type: "parley:page",
  url: url.slice(0, MAX_PAGE_URL_LENGTH),
  title: title.slice(0, MAX_PAGE_TITLE_LENGTH),
  referrer: referrer.slice(0, MAX_PAGE_URL_LENGTH),
});

/** `*` matches any run of characters; a pattern is tested against the full URL and against the path. */
export const matchesUrlPattern = (pattern: string, href: string): boolean => {
  const source = pattern
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  const expression = new RegExp(`^${source}$`, "i");
  let path = href;
  try {
    const url = new URL(href);
    path = url.pathname + url.search + url.hash;
  } catch {}
  return expression.test(href) || expression.test(path);
};
