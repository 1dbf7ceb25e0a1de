import { describe, expect, it } from "vitest";
import { parseHostCall } from "./host-calls.ts";

describe("parseHostCall", () => {
  it("reads each call the frame carries out", () => {
    const user = { id: "u-1", email: "ada@example.test", hash: "ab12" };
    expect(parseHostCall("identify", [user])).toEqual({ command: "identify", user });
    expect(parseHostCall("setAttributes", [{ plan: "pro" }])).toEqual({ command: "setAttributes", attributes: { plan: "pro" } });
    expect(parseHostCall("track", ["checkout_started", { total: 42 }])).toEqual({
      command: "track",
      event: "checkout_started",
      data: { total: 42 },
    });
    expect(parseHostCall("track", ["viewed_pricing"])).toEqual({ command: "track", event: "viewed_pricing", data: undefined });
    expect(parseHostCall("setLocale", ["pt-BR"])).toEqual({ command: "setLocale", locale: "pt-BR" });
    expect(parseHostCall("reset", [])).toEqual({ command: "reset" });
  });

  it.each([
    ["identify", ["user-1"]],
    ["identify", [null]],
    ["identify", [["a"]]],
    ["setAttributes", [["a"]]],
    ["track", [""]],
    ["track", ["   "]],
    ["track", ["x".repeat(101)]],
    ["track", ["event", "data"]],
    ["setLocale", [42]],
    ["setLocale", []],
  ] as const)("refuses %s with %j", (command, args) => {
    expect(parseHostCall(command, [...args])).toBeNull();
  });
});
