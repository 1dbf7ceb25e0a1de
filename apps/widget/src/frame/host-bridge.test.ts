import { describe, expect, it, vi } from "vitest";
import { createHostBridge } from "./host-bridge.ts";

/** Just enough of a window for the bridge: a parent, postMessage and message listeners. */
const fakeWindows = () => {
  const listeners: Array<(event: MessageEvent<unknown>) => void> = [];
  const parent = { postMessage: vi.fn() };
  const frame = {
    parent,
    addEventListener: (_type: string, listener: (event: MessageEvent<unknown>) => void) => listeners.push(listener),
    removeEventListener: (_type: string, listener: (event: MessageEvent<unknown>) => void) => {
      listeners.splice(listeners.indexOf(listener), 1);
    },
  };
  const deliver = (data: unknown, origin: string, source: unknown) => {
    for (const listener of [...listeners]) listener({ data, origin, source } as MessageEvent<unknown>);
  };
  return { frame: frame as unknown as Window, parent, deliver, listeners };
};

describe("createHostBridge", () => {
  it("posts to the parent with the exact host origin, never *", () => {
    const { frame, parent } = fakeWindows();
    const bridge = createHostBridge(frame, "https://shop.example");
    bridge.post({ type: "parley:ready" });
    expect(parent.postMessage).toHaveBeenCalledExactlyOnceWith({ type: "parley:ready" }, "https://shop.example");
  });

  it("accepts messages only from the parent window on the host origin", () => {
    const { frame, parent, deliver } = fakeWindows();
    const bridge = createHostBridge(frame, "https://shop.example");
    const handler = vi.fn();
    bridge.subscribe(handler);
    const page = { type: "parley:page", url: "https://shop.example/", title: "Shop" };
    deliver(page, "https://evil.example", parent);
    deliver(page, "https://shop.example", {});
    deliver({ type: "parley:unknown" }, "https://shop.example", parent);
    expect(handler).not.toHaveBeenCalled();
    deliver(page, "https://shop.example", parent);
    expect(handler).toHaveBeenCalledExactlyOnceWith({ ...page, referrer: "" });
  });

  it("talks to nobody when opened on its own or without a valid host origin", () => {
    const { frame, parent, deliver } = fakeWindows();
    const bridge = createHostBridge(frame, null);
    const handler = vi.fn();
    bridge.subscribe(handler);
    bridge.post({ type: "parley:close" });
    deliver({ type: "parley:visibility", open: true }, "null", parent);
    expect(bridge.isEmbedded).toBe(false);
    expect(parent.postMessage).not.toHaveBeenCalled();
    expect(handler).not.toHaveBeenCalled();
  });

  it("stops listening when unsubscribed", () => {
    const { frame, parent, deliver, listeners } = fakeWindows();
    const bridge = createHostBridge(frame, "https://shop.example");
    const handler = vi.fn();
    const stop = bridge.subscribe(handler);
    stop();
    deliver({ type: "parley:visibility", open: true }, "https://shop.example", parent);
    expect(handler).not.toHaveBeenCalled();
    expect(listeners).toHaveLength(0);
  });
});
