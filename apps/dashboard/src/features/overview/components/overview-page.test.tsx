// @vitest-environment happy-dom
import type { TAgentPresence } from "@parley/shared";
import { act, cleanup, screen, waitFor } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { apiRequest } from "../../../lib/api-client";
import { renderWithProviders } from "../../conversation/components/test-providers";
import { conversationKeys } from "../../inbox/api/conversations-api";
import { directoryKeys } from "../../inbox/api/directory-api";
import { visitorsOnlineQueryKey } from "../../visitors/api/visitors-api";
import { OverviewPage } from "./overview-page";

vi.mock("../../../lib/api-client", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../../lib/api-client")>()),
  apiRequest: vi.fn(),
}));

const member = (name: string, status: TAgentPresence["status"]): TAgentPresence => ({
  userId: `00000000-0000-4000-8000-${String(name.length).padStart(12, "0")}`,
  name,
  avatarUrl: null,
  status,
  maxConcurrent: null,
  connectedSockets: status === "online" ? 1 : 0,
  lastAssignedAt: null,
  updatedAt: null,
});

afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

const renderOverview = (seed: Parameters<typeof renderWithProviders>[1]) =>
  renderWithProviders(
    <MemoryRouter>
      <OverviewPage />
    </MemoryRouter>,
    seed,
  );

describe("OverviewPage", () => {
  it("shows what is going on now, each figure leading to its list, and follows the live cache", async () => {
    const { queryClient } = renderOverview({
      seed: [
        [conversationKeys.counts, { mine: 2, unassigned: 3, all: 7, mentions: 1 }],
        [directoryKeys.presence, { items: [member("Ada", "online"), member("Grace", "away"), member("Linus", "online")] }],
        [visitorsOnlineQueryKey, { items: [], total: 4, visitors: [] }],
      ],
    });
    expect((await screen.findByTestId("overview-count-mine")).textContent).toBe("2");
    expect(screen.getByTestId("overview-count-unassigned").textContent).toBe("3");
    expect(screen.getByTestId("overview-count-all").textContent).toBe("7");
    expect(screen.getByTestId("overview-team-online").textContent).toBe("2 of 3");
    expect(screen.getByTestId("overview-visitors").textContent).toBe("4");
    expect(screen.getByTestId("overview-count-unassigned").closest("a")?.getAttribute("href")).toBe("/inbox/unassigned");
    expect(screen.getByTestId("overview-visitors").closest("a")?.getAttribute("href")).toBe("/visitors");

    // A conversation is taken: the socket's events update the cache, and the figures follow.
    act(() => queryClient.setQueryData(conversationKeys.counts, { mine: 3, unassigned: 2, all: 7, mentions: 1 }));
    await waitFor(() => expect(screen.getByTestId("overview-count-mine").textContent).toBe("3"));
    expect(screen.getByTestId("overview-count-unassigned").textContent).toBe("2");
  });

  it("shows a dash for a figure that could not be loaded, never a made-up zero", async () => {
    vi.mocked(apiRequest).mockRejectedValue(new Error("offline"));
    renderOverview({ seed: [[visitorsOnlineQueryKey, { items: [], total: 0, visitors: [] }]] });
    expect((await screen.findByTestId("overview-count-mine")).textContent).toBe("—");
    expect((await screen.findByTestId("overview-team-online")).textContent).toBe("—");
    expect(screen.getByTestId("overview-visitors").textContent).toBe("0");
  });
});
