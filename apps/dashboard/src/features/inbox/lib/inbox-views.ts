import { CONVERSATION_VIEWS, type TConversationListFilter } from "@parley/shared";

/** A view of the inbox as it appears in the address: a built-in view, one inbox, team or label, or a saved view. */
export type InboxView =
  | { kind: "view"; view: (typeof CONVERSATION_VIEWS)[number] }
  | { kind: "inbox"; id: string }
  | { kind: "team"; id: string }
  | { kind: "label"; name: string }
  | { kind: "saved"; id: string };

export const DEFAULT_VIEW: InboxView = { kind: "view", view: "mine" };

export const viewToSegment = (view: InboxView): string => {
  switch (view.kind) {
    case "view":
      return view.view;
    case "inbox":
      return `inbox-${view.id}`;
    case "team":
      return `team-${view.id}`;
    case "label":
      return `label-${encodeURIComponent(view.name)}`;
    case "saved":
      return `saved-${view.id}`;
  }
};

export const parseViewSegment = (segment: string | undefined): InboxView | null => {
  if (segment === undefined) return null;
  const builtIn = CONVERSATION_VIEWS.find((view) => view === segment);
  if (builtIn) return { kind: "view", view: builtIn };
  if (segment.startsWith("inbox-")) return { kind: "inbox", id: segment.slice("inbox-".length) };
  if (segment.startsWith("team-")) return { kind: "team", id: segment.slice("team-".length) };
  if (segment.startsWith("saved-")) return { kind: "saved", id: segment.slice("saved-".length) };
  if (segment.startsWith("label-")) {
    try {
      return { kind: "label", name: decodeURIComponent(segment.slice("label-".length)) };
    } catch {
      return null;
    }
  }
  return null;
};

/** The view's own filter; a saved view's comes from the server (see `splitSavedFilter`), so here it adds nothing. */
export const viewFilter = (view: InboxView): TConversationListFilter => {
  switch (view.kind) {
    case "view":
      return { view: view.view };
    case "inbox":
      return { inboxId: view.id };
    case "team":
      return { teamId: view.id };
    case "label":
      return { label: view.name };
    case "saved":
      return {};
  }
};

const LAST_VIEW_KEY = "parley.inbox.lastView";

/** The list beside an opened conversation keeps showing the view it was opened from. */
export const rememberView = (view: InboxView) => {
  try {
    window.sessionStorage.setItem(LAST_VIEW_KEY, viewToSegment(view));
  } catch {
    // Without storage the list falls back to the default view.
  }
};

export const recallView = (): InboxView => {
  try {
    return parseViewSegment(window.sessionStorage.getItem(LAST_VIEW_KEY) ?? undefined) ?? DEFAULT_VIEW;
  } catch {
    return DEFAULT_VIEW;
  }
};
