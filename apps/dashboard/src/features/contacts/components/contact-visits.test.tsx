// @vitest-environment happy-dom
import type { TVisitorVisit } from "@parley/shared";
import { cleanup, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { en } from "../../../i18n/locales/en";
import { apiRequest } from "../../../lib/api-client";
import { renderWithProviders } from "../../conversation/components/test-providers";
import { ContactVisits } from "./contact-visits";

vi.mock("../../../lib/api-client", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../../lib/api-client")>()),
  apiRequest: vi.fn(),
}));

const v = en.contacts.visitor;
const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

const visit = (overrides: Partial<TVisitorVisit>): TVisitorVisit => ({
  id: "00000000-0000-4000-8000-00000000000a",
  inboxId: "00000000-0000-4000-8000-00000000000b",
  contactId: "00000000-0000-4000-8000-00000000000c",
  visitNumber: 1,
  ip: null,
  location: { country: null, region: null, city: null, timezone: null },
  device: { browser: "Firefox", browserVersion: null, os: "Linux", deviceType: "desktop", screen: null },
  timezone: "UTC",
  language: "en",
  referrer: null,
  landingUrl: "https://shop.example.com/",
  utm: {},
  currentPage: { url: "https://shop.example.com/cart", title: "Cart" },
  pages: [{ url: "https://shop.example.com/cart", title: "Cart", enteredAt: minutesAgo(40), leftAt: null, seconds: 2400 }],
  events: [],
  timeOnSiteSeconds: 2400,
  startedAt: minutesAgo(40),
  lastSeenAt: minutesAgo(1),
  ...overrides,
});

/** The value next to a fact's label. */
const factValue = (label: string) => screen.getByText(label).nextElementSibling?.textContent;

afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

describe("ContactVisits", () => {
  it("shows the page a visitor is on, with the time on site running until now", async () => {
    vi.mocked(apiRequest).mockResolvedValue({ items: [visit({})], nextCursor: null });
    renderWithProviders(<ContactVisits contactId="00000000-0000-4000-8000-00000000000c" />);
    expect(await screen.findByText(v.now)).toBeTruthy();
    expect(screen.getByTestId("visitor-current-page").textContent).toBe("Cart");
    expect(factValue(v.timeOnSite)).toBe("40m");
  });

  it("shows a visit that ended without a current page, its time stopped when the visitor left", async () => {
    const ended = visit({
      currentPage: { url: null, title: null },
      pages: [
        { url: "https://shop.example.com/cart", title: "Cart", enteredAt: minutesAgo(40), leftAt: minutesAgo(35), seconds: 300 },
      ],
      timeOnSiteSeconds: 300,
      lastSeenAt: minutesAgo(35),
    });
    vi.mocked(apiRequest).mockResolvedValue({ items: [ended], nextCursor: null });
    renderWithProviders(<ContactVisits contactId="00000000-0000-4000-8000-00000000000c" />);
    expect(await screen.findByText(v.timeOnSite)).toBeTruthy();
    expect(screen.queryByText(v.now)).toBeNull();
    expect(factValue(v.timeOnSite)).toBe("5m");
  });
});
