import { isHttpOrigin, readInboxToken } from "../loader/endpoints.ts";

export type FrameParams = {
  inboxToken: string | null;
  /** Origin of the embedding page; null when the frame is opened on its own or the value is not an origin. */
  hostOrigin: string | null;
  /** Language the host page asked for, if any. */
  lang: string | null;
};

/** Reads what the loader put in the frame URL: `?inbox=…&host=…[&lang=…]`. */
export const parseFrameParams = (search: string): FrameParams => {
  const params = new URLSearchParams(search);
  const host = params.get("host");
  return {
    inboxToken: readInboxToken(params.get("inbox")),
    hostOrigin: host && isHttpOrigin(host) ? host : null,
    lang: params.get("lang"),
  };
};
