import { ZSafeRedirectPath } from "@parley/shared";
import { useLocation } from "react-router";

const pathFromState = (state: unknown): string | null => {
  if (typeof state !== "object" || state === null || !("from" in state)) return null;
  const parsed = ZSafeRedirectPath.safeParse(state.from);
  return parsed.success ? parsed.data : null;
};

/**
 * Where to go after signing in: the page RequireSession sent the user from, or a `?next=` path
 * (links from other pages, e.g. an invitation). Only paths inside the dashboard: "//host" would leave it.
 */
export const useReturnPath = (): string => {
  const { state, search } = useLocation();
  const fromState = pathFromState(state);
  if (fromState !== null) return fromState;
  const next = ZSafeRedirectPath.safeParse(new URLSearchParams(search).get("next"));
  return next.success ? next.data : "/";
};
