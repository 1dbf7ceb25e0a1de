import { describe, expect, it, vi } from "vitest";
import { createEmitter, dispatchCall, type HostApi, readQueuedCalls, replayQueuedCalls } from "./commands.ts";

const recordingApi = () => {
  const calls: unknown[][] = [];
  const unsubscribe = vi.fn();
  const record =
    (name: string) =>
    (...args: unknown[]) => {
      calls.push([name, ...args]);
    };
  const api: HostApi = {
    open: record("open"),
    close: record("close"),
    toggle: record("toggle"),
    show: record("show"),
    hide: record("hide"),
    reset: record("reset"),
    on: (event, callback) => {
      calls.push(["on", event, callback]);
      return unsubscribe;
    },
    off: record("off"),
    identify: record("identify"),
    setAttributes: record("setAttributes"),
    track: record("track"),
    setLocale: record("setLocale"),
  };
  return { api, calls, unsubscribe };
};

/** What the documented stub snippet builds: a function whose `q` collects `arguments` objects. */
const documentedStub = () => {
  const stub = Object.assign(
    function (this: unknown, ..._args: unknown[]) {
      // biome-ignore lint/complexity/noArguments: the stub snippet queues `arguments` objects, so the test must too.
      stub.q.push(arguments);
    },
    { q: [] as IArguments[] },
  );
  return stub;
};

describe("dispatchCall", () => {
  it("runs each command without arguments", () => {
    const { api, calls } = recordingApi();
    for (const command of ["open", "close", "toggle", "show", "hide", "reset"])
      expect(dispatchCall(api, [command])).toEqual({ ok: true });
    expect(calls).toEqual([["open"], ["close"], ["toggle"], ["show"], ["hide"], ["reset"]]);
  });

  it("passes identify, setAttributes, track and setLocale their arguments", () => {
    const { api, calls } = recordingApi();
    const user = { id: "u-1", email: "ada@example.test", hash: "ab12" };
    expect(dispatchCall(api, ["identify", user])).toEqual({ ok: true });
    expect(dispatchCall(api, ["setAttributes", { plan: "pro", seats: 3 }])).toEqual({ ok: true });
    expect(dispatchCall(api, ["track", "checkout_started", { total: 42 }])).toEqual({ ok: true });
    expect(dispatchCall(api, ["track", "viewed_pricing"])).toEqual({ ok: true });
    expect(dispatchCall(api, ["setLocale", "pt-BR"])).toEqual({ ok: true });
    expect(calls).toEqual([
      ["identify", user],
      ["setAttributes", { plan: "pro", seats: 3 }],
      ["track", "checkout_started", { total: 42 }],
      ["track", "viewed_pricing"],
      ["setLocale", "pt-BR"],
    ]);
  });

  it("subscribes with on() and hands back a working unsubscribe; off() takes the same callback", () => {
    const { api, calls, unsubscribe } = recordingApi();
    const callback = () => undefined;
    const result = dispatchCall(api, ["on", "message", callback]);
    expect(result.ok && typeof result.unsubscribe).toBe("function");
    if (result.ok) result.unsubscribe?.();
    expect(unsubscribe).toHaveBeenCalledOnce();
    expect(dispatchCall(api, ["off", "unread", callback])).toEqual({ ok: true });
    expect(calls).toEqual([
      ["on", "message", callback],
      ["off", "unread", callback],
    ]);
  });

  it("explains what is wrong with a bad call instead of throwing", () => {
    const { api, calls } = recordingApi();
    expect(dispatchCall(api, ["destroy"])).toEqual({ ok: false, reason: "bad call: destroy" });
    expect(dispatchCall(api, [])).toEqual({ ok: false, reason: "bad call: undefined" });
    expect(dispatchCall(api, ["toString"])).toMatchObject({ ok: false });
    expect(dispatchCall(api, ["hasOwnProperty"])).toMatchObject({ ok: false });
    for (const bad of [
      ["on", "explode", () => undefined],
      ["on", "open", "not a function"],
      ["off", "close"],
    ]) {
      expect(dispatchCall(api, bad), JSON.stringify(bad)).toEqual({ ok: false, reason: `bad call: ${String(bad[0])}` });
    }
    expect(calls).toEqual([]);
  });

  it("forwards the frame's calls with their arguments as given: the frame checks them (host-calls.ts)", () => {
    const { api, calls } = recordingApi();
    expect(dispatchCall(api, ["identify", "user-1"])).toEqual({ ok: true });
    expect(dispatchCall(api, ["track", "event", "data"])).toEqual({ ok: true });
    expect(calls).toEqual([
      ["identify", "user-1"],
      ["track", "event", "data"],
    ]);
  });
});

describe("readQueuedCalls", () => {
  it("reads the arguments the documented function stub queued", () => {
    const stub = documentedStub();
    stub("open");
    stub("on", "ready", () => undefined);
    expect(readQueuedCalls(stub).map((call) => Array.from(call)[0])).toEqual(["open", "on"]);
  });

  it("reads an object stub's array entries and skips junk", () => {
    expect(readQueuedCalls({ q: [["open"], "close", null, 7, ["hide"]] })).toEqual([["open"], ["hide"]]);
  });

  it.each([undefined, null, 1, "Parley", {}, { q: "open" }, () => undefined])("finds nothing in %s", (stub) => {
    expect(readQueuedCalls(stub)).toEqual([]);
  });
});

describe("replayQueuedCalls", () => {
  it("replays in order, identify and attributes included, and reports each bad call", () => {
    const stub = documentedStub();
    stub("hide");
    stub("identify", { id: "u-7", name: "Grace" });
    stub("explode");
    stub("setAttributes", { plan: "pro" });
    stub("open");
    const { api, calls } = recordingApi();
    const warn = vi.fn();
    replayQueuedCalls(api, stub, warn);
    expect(calls).toEqual([["hide"], ["identify", { id: "u-7", name: "Grace" }], ["setAttributes", { plan: "pro" }], ["open"]]);
    expect(warn).toHaveBeenCalledExactlyOnceWith("bad call: explode");
  });
});

describe("createEmitter", () => {
  it("calls listeners of the emitted event only, with its data, until unsubscribed", () => {
    const emitter = createEmitter(() => undefined);
    const onUnread = vi.fn();
    const onClose = vi.fn();
    const stop = emitter.on("unread", onUnread);
    emitter.on("close", onClose);
    emitter.emit("unread", { count: 2 });
    stop();
    emitter.emit("unread", { count: 3 });
    expect(onUnread).toHaveBeenCalledExactlyOnceWith({ count: 2 });
    expect(onClose).not.toHaveBeenCalled();
  });

  it("keeps two registrations of one callback apart, and off() removes one", () => {
    const emitter = createEmitter(() => undefined);
    const callback = vi.fn();
    const stopFirst = emitter.on("ready", callback);
    emitter.on("ready", callback);
    emitter.on("ready", callback);
    stopFirst();
    emitter.off("ready", callback);
    emitter.emit("ready");
    expect(callback).toHaveBeenCalledTimes(1);
    emitter.off("ready", callback);
    emitter.off("ready", callback);
    emitter.emit("ready");
    expect(callback).toHaveBeenCalledTimes(1);
  });

  it("reports a throwing listener and still calls the others", () => {
    const report = vi.fn();
    const emitter = createEmitter(report);
    const after = vi.fn();
    const failure = new Error("host bug");
    emitter.on("close", () => {
      throw failure;
    });
    emitter.on("close", after);
    emitter.emit("close");
    expect(report).toHaveBeenCalledWith(failure);
    expect(after).toHaveBeenCalledTimes(1);
  });
});
