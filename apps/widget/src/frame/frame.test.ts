import { describe, expect, it } from "vitest";
import { refusalReason, stateAfterConnectError } from "./connection-state.ts";
import { parseFrameParams } from "./frame-params.ts";

describe("parseFrameParams", () => {
  it("reads the inbox token and the host origin the loader sent", () => {
    expect(parseFrameParams("?inbox=demo&host=https%3A%2F%2Fshop.example")).toEqual({
      inboxToken: "demo",
      hostOrigin: "https://shop.example",
      lang: null,
    });
  });

  it("drops a host that is not an http(s) origin", () => {
    expect(parseFrameParams("?inbox=demo&host=null").hostOrigin).toBeNull();
    expect(parseFrameParams("?inbox=demo&host=https%3A%2F%2Fshop.example%2Fpath").hostOrigin).toBeNull();
    expect(parseFrameParams("").hostOrigin).toBeNull();
    expect(parseFrameParams("").inboxToken).toBeNull();
  });
});

describe("connect errors", () => {
  const refusal = Object.assign(new Error("This widget's inbox token is not recognised."), {
    data: { code: "unauthorized", message: "This widget's inbox token is not recognised." },
  });

  it("shows the server's own refusal message", () => {
    expect(refusalReason(refusal)).toBe("This widget's inbox token is not recognised.");
    expect(stateAfterConnectError(refusal, false)).toEqual({
      status: "refused",
      reason: "This widget's inbox token is not recognised.",
    });
  });

  it("treats an error the client is retrying as a reconnect, not a refusal", () => {
    expect(stateAfterConnectError(new Error("websocket error"), true)).toEqual({ status: "reconnecting" });
  });

  it("has no reason when the server sent none", () => {
    expect(refusalReason(new Error("xhr poll error"))).toBeNull();
    expect(refusalReason(Object.assign(new Error("x"), { data: "nope" }))).toBeNull();
    expect(refusalReason(Object.assign(new Error("x"), { data: { message: "  " } }))).toBeNull();
  });
});
