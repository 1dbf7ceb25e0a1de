import { describe, expect, it, vi } from "vitest";
import { createEmitter, dispatchCall, type HostApi, readQueuedCalls, replayQueuedCalls } from "./commands.ts";

const recordingApi = () => {
  const calls: string[] = [];
  const unsubscribe = () => undefined;
  const api: HostApi = {
    open: () => calls.push("open"),
    close: () => calls.push("close"),
    toggle: () => calls.push("toggle"),
    show: () => calls.push("show"),
    hide: () => calls.push("hide"),
    on: (event) => {
      calls.push(`on:${event}`);
      return unsubscribe;
    },
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
  it("runs each command", () => {
    const { api, calls } = recordingApi();
    for (const command of ["open", "close", "toggle", "show", "hide"]) expect(dispatchCall(api, [command])).toEqual({ ok: true });
    expect(calls).toEqual(["open", "close", "toggle", "show", "hide"]);
  });

  it("subscribes with on() and hands back the unsubscribe function", () => {
    const { api, calls, unsubscribe } = recordingApi();
    expect(dispatchCall(api, ["on", "ready", () => undefined])).toEqual({ ok: true, unsubscribe });
    expect(calls).toEqual(["on:ready"]);
  });

  it("explains what is wrong with a bad call instead of throwing", () => {
    const { api, calls } = recordingApi();
    expect(dispatchCall(api, ["destroy"])).toEqual({ ok: false, reason: "unknown command destroy" });
    expect(dispatchCall(api, [])).toEqual({ ok: false, reason: "unknown command undefined" });
    expect(dispatchCall(api, ["on", "message", () => undefined])).toMatchObject({ ok: false });
    expect(dispatchCall(api, ["on", "open", "not a function"])).toEqual({ ok: false, reason: "on() needs a callback function" });
    expect(dispatchCall(api, ["toString"])).toMatchObject({ ok: false });
    expect(calls).toEqual([]);
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
  it("replays in order and reports each bad call", () => {
    const stub = documentedStub();
    stub("hide");
    stub("explode");
    stub("open");
    const { api, calls } = recordingApi();
    const warn = vi.fn();
    replayQueuedCalls(api, stub, warn);
    expect(calls).toEqual(["hide", "open"]);
    expect(warn).toHaveBeenCalledExactlyOnceWith("unknown command explode");
  });
});

describe("createEmitter", () => {
  it("calls listeners of the emitted event only, until unsubscribed", () => {
    const emitter = createEmitter(() => undefined);
    const onOpen = vi.fn();
    const onClose = vi.fn();
    const stop = emitter.on("open", onOpen);
    emitter.on("close", onClose);
    emitter.emit("open");
    stop();
    emitter.emit("open");
    expect(onOpen).toHaveBeenCalledTimes(1);
    expect(onClose).not.toHaveBeenCalled();
  });

  it("keeps two registrations of one callback apart", () => {
    const emitter = createEmitter(() => undefined);
    const callback = vi.fn();
    const stopFirst = emitter.on("ready", callback);
    emitter.on("ready", callback);
    stopFirst();
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
