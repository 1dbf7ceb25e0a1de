import { Box, Paper, Stack, Text } from "@mantine/core";
import type { TWidgetSettings } from "@parley/shared";
import { useTranslation } from "react-i18next";

/** Outline paths on a 24-unit grid, one per launcher icon the widget offers. */
const LAUNCHER_PATHS: Record<TWidgetSettings["launcherIcon"], readonly string[]> = {
  chat: ["M21 11.5a8.4 8.4 0 0 1-9 8.4 9 9 0 0 1-4-.9L3 20l1.1-4A8 8 0 0 1 3 11.5 8.4 8.4 0 0 1 12 3a8.4 8.4 0 0 1 9 8.5z"],
  help: ["M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z", "M9.1 9a3 3 0 0 1 5.8 1c0 2-3 3-3 3", "M12 17h.01"],
  message: ["M4 4h16a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z", "M22 6l-10 7L2 6"],
  headset: ["M3 18v-6a9 9 0 0 1 18 0v6", "M21 19a2 2 0 0 1-2 2h-1v-6h3z", "M3 19a2 2 0 0 0 2 2h1v-6H3z"],
};

const LauncherIcon = ({ icon }: { icon: TWidgetSettings["launcherIcon"] }) => (
  <svg
    width={22}
    height={22}
    viewBox="0 0 24 24"
    fill="none"
    stroke="currentColor"
    strokeWidth={2}
    strokeLinecap="round"
    strokeLinejoin="round"
    aria-hidden="true"
  >
    {LAUNCHER_PATHS[icon].map((d) => (
      <path key={d} d={d} />
    ))}
  </svg>
);

/** A grey bar standing for a line of message text. */
const TextLine = ({ width, color }: { width: number; color: string }) => (
  <Box h={6} w={width} style={{ borderRadius: 3, background: color, opacity: 0.5 }} />
);
const PANEL_WIDTHS: Record<TWidgetSettings["size"], number> = { compact: 200, standard: 230, large: 260 };
// The preview is drawn at about half scale, so offsets are halved too.
const SCALE = 0.5;

/**
 * The widget's look as the settings describe it, redrawn on every change: launcher, panel header,
 * attention bubble, colours and placement. Drawn here rather than in a live frame, so editing does
 * not open visitor sessions.
 */
export const WidgetPreview = ({ settings }: { settings: TWidgetSettings }) => {
  const { t } = useTranslation();
  const isDark = settings.colorScheme === "dark";
  const side = settings.position === "left" ? "left" : "right";
  const offsetX = settings.offsetX * SCALE;
  const offsetY = settings.offsetY * SCALE;
  const surface = isDark ? "#1f2328" : "#ffffff";
  const text = isDark ? "#f0f3f6" : "#1f2328";
  return (
    <Box
      role="img"
      aria-label={t("settings.inboxes.widget.previewLabel")}
      data-testid="widget-preview"
      pos="relative"
      h={420}
      // A page-like backdrop; physical left/right because the widget sits where the host page puts it.
      style={{
        borderRadius: 8,
        overflow: "hidden",
        background: "repeating-linear-gradient(0deg, #f1f3f5 0 18px, #e9ecef 18px 20px)",
        direction: "ltr",
      }}
    >
      <Paper
        shadow="md"
        radius="md"
        w={PANEL_WIDTHS[settings.size]}
        pos="absolute"
        style={{ [side]: offsetX, bottom: offsetY + 60, background: surface, color: text, overflow: "hidden" }}
      >
        <Stack gap={2} p="sm" style={{ background: settings.primaryColor, color: "#fff" }}>
          <Text fw={700} size="sm" data-testid="widget-preview-title">
            {settings.title || "Parley"}
          </Text>
          {settings.subtitle && (
            <Text size="xs" style={{ opacity: 0.9 }}>
              {settings.subtitle}
            </Text>
          )}
        </Stack>
        <Stack gap={6} p="sm" mih={120}>
          <Stack
            gap={4}
            style={{ alignSelf: "flex-start", background: isDark ? "#2d333b" : "#f1f3f5", borderRadius: 10, padding: "8px 10px" }}
          >
            <TextLine width={110} color={text} />
            <TextLine width={70} color={text} />
          </Stack>
          <Stack
            gap={4}
            style={{ alignSelf: "flex-end", background: settings.primaryColor, borderRadius: 10, padding: "8px 10px" }}
          >
            <TextLine width={80} color="#ffffff" />
          </Stack>
        </Stack>
        {settings.showBranding && (
          <Text size="10px" ta="center" pb={4} c="dimmed">
            Powered by Parley
          </Text>
        )}
      </Paper>
      {settings.attentionBubble && (
        <Paper
          shadow="sm"
          radius="md"
          px="xs"
          py={4}
          maw={180}
          pos="absolute"
          style={{ [side]: offsetX + 56, bottom: offsetY + 8, background: surface, color: text }}
        >
          <Text size="xs">{settings.attentionBubble.text}</Text>
        </Paper>
      )}
      <Box
        pos="absolute"
        w={48}
        h={48}
        style={{
          [side]: offsetX,
          bottom: offsetY,
          borderRadius: "50%",
          background: settings.primaryColor,
          color: "#fff",
          display: "grid",
          placeItems: "center",
          boxShadow: "0 4px 12px rgba(0,0,0,.2)",
        }}
      >
        <LauncherIcon icon={settings.launcherIcon} />
      </Box>
    </Box>
  );
};
