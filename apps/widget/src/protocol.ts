/**
 * Messages between the loader (host page) and the frame app, carried by postMessage.
 * Both sides validate by hand: the loader has a 4 KB budget, so no schema library.
 */

export type FrameToHostMessage = { type: "parley:ready" } | { type: "parley:close" };

export type HostToFrameMessage =
  | { type: "parley:page"; url: string; title: string }
  | { type: "parley:visibility"; open: boolean };

export const MAX_PAGE_URL_LENGTH = 2048;
export const MAX_PAGE_TITLE_LENGTH = 512;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;

const isBoundedText = (value: unknown, maxLength: number): value is string =>
  typeof value === "string" && value.length <= maxLength;

/** What the loader accepts from the frame; anything else (other scripts also postMessage) is ignored. */
export const parseFrameMessage = (data: unknown): FrameToHostMessage | null => {
  if (!isRecord(data)) return null;
  if (data.type === "parley:ready") return { type: "parley:ready" };
  if (data.type === "parley:close") return { type: "parley:close" };
  return null;
};

/** What the frame accepts from the host page. */
export const parseHostMessage = (data: unknown): HostToFrameMessage | null => {
  if (!isRecord(data)) return null;
  if (
    data.type === "parley:page" &&
    isBoundedText(data.url, MAX_PAGE_URL_LENGTH) &&
    isBoundedText(data.title, MAX_PAGE_TITLE_LENGTH)
  ) {
    return { type: "parley:page", url: data.url, title: data.title };
  }
  if (data.type === "parley:visibility" && typeof data.open === "boolean") return { type: "parley:visibility", open: data.open };
  return null;
};

/** Truncates rather than drops: a page with a very long URL or title is still a page view. */
export const pageMessage = (url: string, title: string): HostToFrameMessage => ({
  type: "parley:page",
  url: url.slice(0, MAX_PAGE_URL_LENGTH),
  title: title.slice(0, MAX_PAGE_TITLE_LENGTH),
});
