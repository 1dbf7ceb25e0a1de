export type WidgetEndpoints = {
  /** Exact origin the frame is served from; postMessage targets it and accepts only it. */
  parleyOrigin: string;
  /** Base URL of the frame page, without query. */
  frameUrl: string;
};

const parseHttpUrl = (value: string, base?: string): URL | null => {
  try {
    const url = new URL(value, base);
    return url.protocol === "https:" || url.protocol === "http:" ? url : null;
  } catch {
    return null;
  }
};

/**
 * Derives where the frame lives from the loader's own `src`. The frame is resolved relative to
 * the script, so a Parley served under a path prefix (https://example.com/parley/widget.js) works.
 */
export const deriveEndpoints = (scriptSrc: string, documentUrl: string): WidgetEndpoints | null => {
  const scriptUrl = parseHttpUrl(scriptSrc, documentUrl);
  if (!scriptUrl) return null;
  return { parleyOrigin: scriptUrl.origin, frameUrl: new URL("widget/frame.html", scriptUrl).href };
};

/** True for a serialised http(s) origin such as `https://shop.example`; false for "null" (file:, sandboxed pages). */
export const isHttpOrigin = (value: string): boolean => parseHttpUrl(value)?.origin === value;

export const MAX_INBOX_TOKEN_LENGTH = 200;

export const readInboxToken = (value: string | null | undefined): string | null => {
  const token = value?.trim() ?? "";
  return token.length > 0 && token.length <= MAX_INBOX_TOKEN_LENGTH ? token : null;
};

export const buildFrameSrc = (endpoints: WidgetEndpoints, inboxToken: string, hostOrigin: string): string =>
  `${endpoints.frameUrl}?${new URLSearchParams({ inbox: inboxToken, host: hostOrigin })}`;
