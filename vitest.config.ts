import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        extends: false,
        test: {
          name: "server",
          root: "apps/server",
          include: ["src/**/*.test.ts", "test/**/*.test.ts"],
          globalSetup: ["test/global-setup.ts"],
          pool: "forks",
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: false,
        test: {
          name: "widget",
          root: "apps/widget",
          include: ["src/**/*.test.ts"],
        },
      },
      {
        extends: false,
        test: {
          name: "dashboard",
          root: "apps/dashboard",
          include: ["src/**/*.test.{ts,tsx}"],
        },
      },
      {
        extends: false,
        test: {
          name: "e2e",
          include: ["apps/*/e2e/**/*.e2e.test.ts"],
          // Each file starts its own server and browser; two at once is what two cores carry.
          maxWorkers: 2,
          // Runs after the fast projects, in its own group, so its worker limit applies to it alone.
          sequence: { groupOrder: 1 },
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // A poll often spans a navigation, a fetch and a render: 1 s (Vitest's default) fails under
          // CI's load what a person would see in two. The same patience as the suites' locators.
          expect: { poll: { timeout: 15_000 } },
        },
      },
    ],
  },
});
