import i18next from "i18next";
import { describe, expect, it } from "vitest";
import { en } from "../../../i18n/locales/en";
import { contactDisplayName } from "./format";

describe("a contact's display name", () => {
  const i18n = i18next.createInstance();
  // Inline resources: init finishes before it returns.
  void i18n.init({ lng: "en", resources: { en: { translation: en } } });
  const translate = () => i18n.t;

  it("is their name, else their email, else their phone", () => {
    const id = "01a1fe57-d3d6-7746-9363-0f85896bc594";
    expect(contactDisplayName({ id, name: "Ada", email: "ada@example.test", phone: "+15550100" }, translate())).toBe("Ada");
    expect(contactDisplayName({ id, name: null, email: "ada@example.test", phone: "+15550100" }, translate())).toBe(
      "ada@example.test",
    );
    expect(contactDisplayName({ id, name: null, email: null, phone: "+15550100" }, translate())).toBe("+15550100");
  });

  it("tells anonymous visitors apart by the end of their id", () => {
    const first = contactDisplayName(
      { id: "01a1fe57-d3d6-7746-9363-0f85896bc594", name: null, email: null, phone: null },
      translate(),
    );
    const second = contactDisplayName({ id: "01a1fe57-d3d6-7746-9363-3af0c2d1e07b", name: null }, translate());
    expect(first).toBe("Visitor C594");
    expect(second).toBe("Visitor E07B");
  });
});
