import { lazy, Suspense, useState } from "react";
import { useNavigate } from "react-router";
import { useShortcut } from "../hooks/use-shortcut";

// The header's inbox tools load after the first paint, keeping them out of the initial download.
const PresenceSwitcher = lazy(() =>
  import("../../presence/components/presence-switcher").then((module) => ({ default: module.PresenceSwitcher })),
);
const NotificationsMenu = lazy(() =>
  import("../../notifications/components/notifications-menu").then((module) => ({ default: module.NotificationsMenu })),
);
const ShortcutsCheatSheet = lazy(() =>
  import("./shortcuts-cheat-sheet").then((module) => ({ default: module.ShortcutsCheatSheet })),
);

export const HeaderPresence = () => (
  <Suspense fallback={null}>
    <PresenceSwitcher />
  </Suspense>
);

export const HeaderNotifications = () => (
  <Suspense fallback={null}>
    <NotificationsMenu />
  </Suspense>
);

/** `?` opens the keyboard shortcut list anywhere in the signed-in dashboard; `/` jumps to search. */
export const GlobalShortcuts = () => {
  const navigate = useNavigate();
  const [isCheatSheetOpen, setCheatSheetOpen] = useState(false);
  useShortcut("?", () => setCheatSheetOpen(true));
  useShortcut("/", () => navigate("/search"));
  if (!isCheatSheetOpen) return null;
  return (
    <Suspense fallback={null}>
      <ShortcutsCheatSheet onClose={() => setCheatSheetOpen(false)} />
    </Suspense>
  );
};
