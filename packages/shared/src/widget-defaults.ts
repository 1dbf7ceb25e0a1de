import type { TWidgetSettings } from "./widget.schemas.ts";

/**
 * A new website inbox's widget settings. Kept apart from the schemas (no zod here), so the widget
 * frame imports the very same defaults without carrying the validation library.
 */
export const DEFAULT_WIDGET_SETTINGS: TWidgetSettings = {
  primaryColor: "#1f6feb",
  colorScheme: "auto",
  position: "right",
  offsetX: 20,
  offsetY: 20,
  launcherIcon: "chat",
  size: "standard",
  title: "",
  subtitle: "",
  avatarUrl: null,
  logoUrl: null,
  locale: "auto",
  hideOnMobile: false,
  hiddenUrlPatterns: [],
  attentionBubble: null,
  showBranding: true,
  preChatForm: {
    isEnabled: false,
    fields: [
      { key: "name", label: "Name", type: "text", required: false },
      { key: "email", label: "Email", type: "email", required: true },
    ],
  },
  offlineForm: {
    isEnabled: true,
    fields: [
      { key: "name", label: "Name", type: "text", required: false },
      { key: "email", label: "Email", type: "email", required: true },
    ],
  },
  requireIdentityVerification: false,
};
