import { type FrameToHostMessage, type HostToFrameMessage, parseHostMessage } from "../protocol.ts";

export type HostBridge = {
  /** False when the frame is opened directly rather than embedded by the loader. */
  isEmbedded: boolean;
  post: (message: FrameToHostMessage) => void;
  subscribe: (handler: (message: HostToFrameMessage) => void) => () => void;
};

/**
 * postMessage to and from the embedding page, always with its exact origin. The origin comes from
 * the frame URL the loader built; a page that frames us with a false `host` only talks to itself.
 */
export const createHostBridge = (win: Window, hostOrigin: string | null): HostBridge => {
  const parent = win.parent;
  const isEmbedded = hostOrigin !== null && parent !== win;
  return {
    isEmbedded,
    post: (message) => {
      if (isEmbedded && hostOrigin) parent.postMessage(message, hostOrigin);
    },
    subscribe: (handler) => {
      const listener = (event: MessageEvent<unknown>) => {
        if (!isEmbedded || event.origin !== hostOrigin || event.source !== parent) return;
        const message = parseHostMessage(event.data);
        if (message) handler(message);
      };
      win.addEventListener("message", listener);
      return () => win.removeEventListener("message", listener);
    },
  };
};
