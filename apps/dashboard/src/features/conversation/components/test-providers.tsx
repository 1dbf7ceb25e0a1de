import { MantineProvider } from "@mantine/core";
import { DEFAULT_NOTIFICATION_PREFERENCES, type TMeResponse } from "@parley/shared";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import i18next from "i18next";
import type { ReactElement } from "react";
import { I18nextProvider, initReactI18next } from "react-i18next";
import { en, type Translation } from "../../../i18n/locales/en";
import { SessionContext } from "../../auth/hooks/use-session";
import { AgentSocketContext, type AgentSocketState } from "../../realtime/hooks/use-agent-socket";
import { settingsEn } from "../../settings/i18n/settings.en";

/** Helpers for component tests that opt in to a DOM with `// @vitest-environment happy-dom`. */

// happy-dom lacks a few layout APIs Mantine calls; they only need to exist, not to measure anything.
const installLayoutStubs = () => {
  if (typeof window.matchMedia !== "function") {
    window.matchMedia = (query: string) => {
      const list = new EventTarget();
      return Object.assign(list, {
        matches: false,
        media: query,
        onchange: null,
        addListener: () => undefined,
        removeListener: () => undefined,
      });
    };
  }
  // Mantine's autosizing textarea re-measures when web fonts finish loading.
  if (!("fonts" in document)) Object.defineProperty(document, "fonts", { value: new EventTarget(), configurable: true });
  if (typeof Element.prototype.scrollIntoView !== "function") Element.prototype.scrollIntoView = () => undefined;
};
installLayoutStubs();

/** English as the app has it once the settings route has added its strings. */
const english: Translation = { ...en, settings: settingsEn };

/**
 * English, plus one other language when a test reads as a member of it would, initialised
 * synchronously like the app's `setUpI18n` does for its bundled language.
 */
export const createTestI18n = (other?: { language: string; translation: Translation }) => {
  const instance = i18next.createInstance();
  void instance.use(initReactI18next).init({
    resources: { en: { translation: english }, ...(other ? { [other.language]: { translation: other.translation } } : {}) },
    lng: other?.language ?? "en",
    fallbackLng: "en",
    initAsync: false,
    interpolation: { escapeValue: false },
  });
  return instance;
};

export const TEST_USER_ID = "00000000-0000-4000-8000-000000000001";

const NOW = "2026-01-05T10:00:00.000Z";
const WORKSPACE = { id: "00000000-0000-4000-8000-0000000000aa", name: "Acme", slug: "acme", createdAt: NOW };
const ROLE = { id: "00000000-0000-4000-8000-0000000000bb", key: "agent", name: "Agent" };

/** The signed-in member the components see through `useSession`. */
export const TEST_SESSION: TMeResponse = {
  user: {
    id: TEST_USER_ID,
    name: "Alan Turing",
    email: "alan@acme.test",
    emailVerified: true,
    twoFactorEnabled: false,
    avatarUrl: null,
    createdAt: NOW,
  },
  workspace: WORKSPACE,
  role: ROLE,
  permissions: [],
  restriction: null,
  isPlatformAdmin: false,
  memberships: [{ workspace: WORKSPACE, role: ROLE }],
  preferences: { language: "en", notifications: DEFAULT_NOTIFICATION_PREFERENCES },
};

/** No socket: the dashboard then sends over HTTP, which the tests answer through a stubbed `fetch`. */
const OFFLINE_SOCKET: AgentSocketState = { status: "offline", socket: null };

type Seed = ReadonlyArray<readonly [queryKey: readonly unknown[], data: unknown]>;

/** Renders inside the providers the dashboard's shell gives every page, with the query cache seeded. */
export const renderWithProviders = (ui: ReactElement, { seed = [] }: { seed?: Seed } = {}) => {
  const queryClient = new QueryClient({
    defaultOptions: { queries: { retry: false, staleTime: Number.POSITIVE_INFINITY }, mutations: { retry: false } },
  });
  for (const [queryKey, data] of seed) queryClient.setQueryData(queryKey, data);
  const result = render(
    <I18nextProvider i18n={createTestI18n()}>
      <MantineProvider env="test">
        <QueryClientProvider client={queryClient}>
          <SessionContext.Provider value={TEST_SESSION}>
            <AgentSocketContext.Provider value={OFFLINE_SOCKET}>{ui}</AgentSocketContext.Provider>
          </SessionContext.Provider>
        </QueryClientProvider>
      </MantineProvider>
    </I18nextProvider>,
  );
  return { ...result, queryClient };
};
