import { createTheme } from "@mantine/core";

/** Labels Mantine would otherwise render in English (icon-only buttons read by screen readers). */
export type BuiltInLabels = { close: string; togglePasswordVisibility: string };

export const createAppTheme = (labels: BuiltInLabels) =>
  createTheme({
    primaryColor: "blue",
    defaultRadius: "md",
    fontFamily:
      "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Noto Sans Arabic', 'Helvetica Neue', Arial, sans-serif",
    headings: { fontWeight: "700" },
    // Dialogs, drawers and menus open without sliding for people who ask their system for less motion.
    respectReducedMotion: true,
    components: {
      // Plain objects rather than `Component.extend`, which would pull lazily loaded components into the entry chunk.
      Drawer: { defaultProps: { closeButtonProps: { "aria-label": labels.close } } },
      Modal: { defaultProps: { closeButtonProps: { "aria-label": labels.close } } },
      Notification: { defaultProps: { closeButtonProps: { "aria-label": labels.close } } },
      PasswordInput: { defaultProps: { visibilityToggleButtonProps: { "aria-label": labels.togglePasswordVisibility } } },
    },
  });
