import { createHash, createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createSecretBox } from "./crypto.ts";

const newKey = () => randomBytes(32).toString("base64");

describe("signed tokens", () => {
  it("verify for their own purpose only, and not once tampered with", () => {
    const box = createSecretBox(newKey());
    const token = box.sign("widget-visitor", { inboxId: "inbox-1", visitorId: "v-1" });
    // Twice: the second verify reuses the derived subkey and must answer the same.
    expect(box.verify("widget-visitor", token)).toEqual({ inboxId: "inbox-1", visitorId: "v-1" });
    expect(box.verify("widget-visitor", token)).toEqual({ inboxId: "inbox-1", visitorId: "v-1" });
    expect(box.verify("attachment", token)).toBeNull();

    const [body, keyId, signature] = token.split(".");
    const forged = Buffer.from(JSON.stringify({ inboxId: "inbox-2", visitorId: "v-1" })).toString("base64url");
    expect(box.verify("widget-visitor", `${forged}.${keyId}.${signature}`)).toBeNull();
    expect(box.verify("widget-visitor", `${body}.${keyId}.${signature?.slice(1)}x`)).toBeNull();
    expect(box.verify("widget-visitor", `${body}.${keyId}`)).toBeNull();
  });

  it("made with a previous key still verify after rotation; an unrelated key never verifies them", () => {
    const oldKey = newKey();
    const before = createSecretBox(oldKey);
    const token = before.sign("attachment", { id: "file-1" });
    const rotated = createSecretBox(newKey(), [oldKey]);
    expect(rotated.verify("attachment", token)).toEqual({ id: "file-1" });
    const fresh = rotated.sign("attachment", { id: "file-2" });
    expect(rotated.verify("attachment", fresh)).toEqual({ id: "file-2" });
    // Both keys' subkeys are held side by side.
    expect(rotated.verify("attachment", token)).toEqual({ id: "file-1" });
    expect(before.verify("attachment", fresh)).toBeNull();
    expect(createSecretBox(newKey()).verify("attachment", token)).toBeNull();
  });

  it("still verify when issued before subkeys were cached (widgets hold theirs for months)", () => {
    const key = newKey();
    const raw = Buffer.from(key, "base64");
    // The signature exactly as Parley has always computed it, built here without crypto.ts.
    const body = Buffer.from(JSON.stringify({ inboxId: "inbox-1", visitorId: "v-9" })).toString("base64url");
    const keyId = createHash("sha256").update(raw).digest("hex").slice(0, 8);
    const subkey = createHmac("sha256", raw).update("parley:widget-visitor").digest();
    const signature = createHmac("sha256", subkey).update(body).digest("base64url");
    const issued = `${body}.${keyId}.${signature}`;
    const box = createSecretBox(key);
    expect(box.verify("widget-visitor", issued)).toEqual({ inboxId: "inbox-1", visitorId: "v-9" });
    expect(box.sign("widget-visitor", { inboxId: "inbox-1", visitorId: "v-9" })).toBe(issued);
  });
});
