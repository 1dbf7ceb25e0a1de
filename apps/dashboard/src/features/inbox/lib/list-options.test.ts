import { describe, expect, it } from "vitest";
import { DEFAULT_LIST_OPTIONS, optionsFilter, splitSavedFilter } from "./list-options";

describe("a saved view's filter on the list's controls", () => {
  it("puts status, priority and unread on the controls and keeps the rest underneath", () => {
    const { options, base } = splitSavedFilter(
      { status: ["pending", "open"], priority: ["urgent"], unread: true, view: "mine", label: "vip" },
      "priority",
    );
    expect(options).toEqual({ status: "active", priority: ["urgent"], isUnreadOnly: true, sort: "priority" });
    expect(base).toEqual({ view: "mine", label: "vip" });
    // Saving the list again gives back the same filter.
    expect({ ...optionsFilter(options), ...base }).toEqual({
      status: ["open", "pending"],
      priority: ["urgent"],
      unread: true,
      view: "mine",
      label: "vip",
    });
  });

  it("shows no status filter as every status, and one status as itself", () => {
    expect(splitSavedFilter({}, "latest")).toEqual({ options: { ...DEFAULT_LIST_OPTIONS, status: "all" }, base: {} });
    expect(splitSavedFilter({ status: ["resolved"] }, "latest").options.status).toBe("resolved");
  });

  it("keeps what the controls cannot show in the view's own filter", () => {
    const { options, base } = splitSavedFilter({ status: ["open"], unread: false }, "latest");
    expect(options.status).toBe("all");
    expect(options.isUnreadOnly).toBe(false);
    expect(base).toEqual({ status: ["open"], unread: false });
    expect({ ...optionsFilter(options), ...base }).toEqual({ status: ["open"], unread: false });
  });
});
