/**
 * Calls `onChange` after every client-side navigation: history.pushState/replaceState (wrapped),
 * back/forward (popstate) and fragment changes (hashchange).
 */
export const trackRoutes = (win: Window, onChange: () => void): void => {
  // Deferred: single-page apps usually set document.title just after they push the new URL.
  const notify = () => {
    win.setTimeout(onChange, 0);
  };
  const { history } = win;
  const { pushState, replaceState } = history;
  history.pushState = function (this: History, ...args: Parameters<History["pushState"]>) {
    pushState.apply(this, args);
    notify();
  };
  history.replaceState = function (this: History, ...args: Parameters<History["replaceState"]>) {
    replaceState.apply(this, args);
    notify();
  };
  win.addEventListener("popstate", notify);
  win.addEventListener("hashchange", notify);
};
