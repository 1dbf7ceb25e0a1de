// @vitest-environment happy-dom
import type { TAccountSession } from "@parley/shared";
import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { apiRequest, apiSend } from "../../../lib/api-client";
import { renderWithProviders } from "../../conversation/components/test-providers";
import { settingsEn } from "../i18n/settings.en";
import { SessionsPanel } from "./sessions-panel";

vi.mock("../../../lib/api-client", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../../lib/api-client")>()),
  apiRequest: vi.fn(),
  apiSend: vi.fn(),
}));

const s = settingsEn.sessions;

const sessionOn = (id: string, browser: string, isCurrent: boolean): TAccountSession => ({
  id,
  workspaceId: "00000000-0000-4000-8000-000000000001",
  method: "password",
  browser,
  os: "Linux",
  device: null,
  deviceType: "desktop",
  ip: "203.0.113.7",
  createdAt: "2025-01-02T10:00:00.000Z",
  lastSeenAt: "2025-01-03T10:00:00.000Z",
  expiresAt: "2025-02-02T10:00:00.000Z",
  isCurrent,
});

afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

describe("SessionsPanel", () => {
  it("lists every session under labelled columns, and signs out another one after asking", async () => {
    let sessions = [sessionOn("this", "Firefox", true), sessionOn("phone", "Safari", false)];
    vi.mocked(apiRequest).mockImplementation(async () => ({ items: sessions }));
    vi.mocked(apiSend).mockImplementation(async () => {
      sessions = sessions.filter((session) => session.isCurrent);
      return undefined;
    });
    renderWithProviders(<SessionsPanel />);

    const table = await screen.findByRole("table", { name: s.tableLabel });
    expect(
      within(table)
        .getAllByRole("columnheader")
        .map((cell) => cell.textContent),
    ).toEqual([s.columns.device, s.columns.ip, s.columns.started, s.columns.lastSeen, settingsEn.common.actions]);
    const rows = screen.getAllByTestId("account-session");
    expect(rows).toHaveLength(2);
    // This browser cannot sign itself out from here; the other one can.
    expect(within(rows[0] as HTMLElement).queryByRole("button", { name: s.end })).toBeNull();
    expect(screen.getByRole("button", { name: s.endOthers }).hasAttribute("disabled")).toBe(false);

    fireEvent.click(within(rows[1] as HTMLElement).getByRole("button", { name: s.end }));
    const dialog = await screen.findByRole("dialog", { name: s.endTitle });
    fireEvent.click(within(dialog).getByRole("button", { name: s.end }));

    await waitFor(() => expect(screen.getAllByTestId("account-session")).toHaveLength(1));
    expect(apiSend).toHaveBeenCalledWith("/me/sessions/phone", { method: "DELETE" });
    expect(screen.getByRole("button", { name: s.endOthers }).hasAttribute("disabled")).toBe(true);
  });

  it("shows why the sessions could not be loaded", async () => {
    vi.mocked(apiRequest).mockRejectedValue(new Error("offline"));
    renderWithProviders(<SessionsPanel />);
    expect((await screen.findByRole("alert")).textContent).toContain(settingsEn.common.loadFailed);
    expect(screen.queryByRole("table")).toBeNull();
  });
});
