/**
 * Browser notifications belong to the host page: Chrome refuses notification permission to
 * cross-origin iframes, so the frame only says what to show (`parley:notify`) and the loader asks and shows.
 */
export type NotifierWindow = Pick<typeof globalThis, "Notification" | "focus">;

export type Notifier = {
  /** Asks once per page, and only while the permission is undecided. */
  ask: () => void;
  show: (title: string, body: string, icon: string) => void;
};

export const createNotifier = (win: NotifierWindow, onClick: () => void): Notifier => {
  let hasAsked = false;
  return {
    // Called synchronously from the launcher's click: without user activation Firefox and Safari refuse, Chrome mutes the prompt.
    ask: () => {
      if (hasAsked || win.Notification?.permission !== "default") return;
      hasAsked = true;
      void win.Notification.requestPermission();
    },
    show: (title, body, icon) => {
      try {
        if (win.Notification?.permission !== "granted") return;
        const notification = new win.Notification(title, { body, tag: "parley-reply", icon: icon || undefined });
        notification.onclick = () => {
          win.focus();
          onClick();
          notification.close();
        };
      } catch {
        // Chrome on Android shows notifications only through a service worker; the badge and the sound remain.
      }
    },
  };
};
