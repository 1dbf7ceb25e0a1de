// @vitest-environment happy-dom
import type { TWorkspaceSettings } from "@parley/shared";
import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { apiRequest } from "../../../lib/api-client";
import { renderWithProviders } from "../../conversation/components/test-providers";
import { settingsEn } from "../i18n/settings.en";
import { RegionalSettingsSection } from "./regional-settings-form";

vi.mock("../../../lib/api-client", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../../lib/api-client")>()),
  apiRequest: vi.fn(),
}));

const g = settingsEn.general;

/** The language field the member types in (the select also keeps a hidden input with the value). */
const languageInput = async () =>
  (await screen.findAllByLabelText(g.defaultLanguage)).find(
    (element): element is HTMLInputElement => element instanceof HTMLInputElement && element.type !== "hidden",
  );

const workspaceSettings = (defaultLanguage: string): TWorkspaceSettings => ({
  id: "00000000-0000-4000-8000-0000000000aa",
  name: "Acme",
  slug: "acme",
  logoUrl: null,
  timezone: "UTC",
  defaultLanguage,
  dateFormat: "YYYY-MM-DD",
  timeFormat: "24h",
  weekStart: 1,
  updatedAt: "2026-01-05T10:00:00.000Z",
});

afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

describe("RegionalSettingsSection", () => {
  it("offers Parley's languages by their own names and saves the chosen code", async () => {
    vi.mocked(apiRequest).mockImplementation(async (_path, _schema, options) =>
      options?.method === "PATCH" ? { ...workspaceSettings("de"), ...(options.body as object) } : workspaceSettings("de"),
    );
    renderWithProviders(<RegionalSettingsSection />);
    const language = await languageInput();
    expect(language?.value).toBe("Deutsch");

    if (language) fireEvent.click(language);
    fireEvent.click(await screen.findByRole("option", { name: "Français" }));
    fireEvent.click(screen.getByRole("button", { name: g.save }));
    await waitFor(() =>
      expect(apiRequest).toHaveBeenCalledWith(
        "/workspaces/current/settings",
        expect.anything(),
        expect.objectContaining({ method: "PATCH", body: expect.objectContaining({ defaultLanguage: "fr" }) }),
      ),
    );
  });

  it("keeps a language code saved earlier that is not one of Parley's", async () => {
    vi.mocked(apiRequest).mockResolvedValue(workspaceSettings("nb"));
    renderWithProviders(<RegionalSettingsSection />);
    expect((await languageInput())?.value).toBe("nb");
  });
});
