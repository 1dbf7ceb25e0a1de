import { describe, expect, it } from "vitest";
import { cleanValues, serverFieldErrors, validateForm } from "./forms.ts";

const fields = [
  { key: "name", label: "Name", type: "text", required: true },
  { key: "email", label: "Email", type: "email", required: true },
  { key: "phone", label: "Phone", type: "tel", required: false },
  { key: "terms", label: "I agree", type: "checkbox", required: true },
  { key: "note", label: "Note", type: "textarea", required: false },
];

describe("validateForm", () => {
  it("flags missing required answers, including an unticked required box", () => {
    expect(validateForm(fields, { name: "  " })).toEqual({ name: "required", email: "required", terms: "required" });
  });

  it("checks email and phone formats, and lets optional fields stay empty", () => {
    expect(validateForm(fields, { name: "Ada", email: "ada@", phone: "call me", terms: true })).toEqual({
      email: "email",
      phone: "tel",
    });
    expect(validateForm(fields, { name: "Ada", email: "ada@example.test", phone: "+44 20 7946 0958", terms: true })).toEqual({});
  });
});

describe("cleanValues", () => {
  it("trims answers and leaves out empty ones", () => {
    expect(cleanValues(fields, { name: " Ada ", email: "", note: "  ", terms: false, unknown: "x" })).toEqual({
      name: "Ada",
      terms: false,
    });
  });
});

describe("serverFieldErrors", () => {
  it("reads the server's validation details in each shape it uses", () => {
    expect(serverFieldErrors([{ path: "fields.email", message: "not an email" }])).toEqual({ email: "not an email" });
    expect(serverFieldErrors([{ path: ["fields", "phone"], message: "bad phone" }])).toEqual({ phone: "bad phone" });
    expect(serverFieldErrors({ fields: { name: "required" } })).toEqual({ name: "required" });
    expect(serverFieldErrors({ issues: [{ path: ["email"], message: "taken" }] })).toEqual({ email: "taken" });
    expect(serverFieldErrors(null)).toEqual({});
    expect(serverFieldErrors("oops")).toEqual({});
  });
});
