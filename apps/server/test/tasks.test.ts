import { describe, expect, it } from "vitest";
import { allCronItems, allTasks } from "../src/tasks.ts";

describe("background tasks", () => {
  it("schedules only tasks that exist, each name once", () => {
    const names = allTasks().map((task) => task.name);
    expect(new Set(names).size).toBe(names.length);
    for (const item of allCronItems()) expect(names, item.task).toContain(item.task);
  });

  it("runs the anonymous visitors' retention purge every day", () => {
    expect(allCronItems()).toContainEqual(
      expect.objectContaining({ task: "contacts.purge_anonymous_visitors", match: expect.stringMatching(/^\d+ \d+ \* \* \*$/) }),
    );
  });
});
