import { Badge, type MantineColor, Tooltip } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { type ConnectionStatus, useAgentSocket } from "../hooks/use-agent-socket";

const COLORS: Record<ConnectionStatus, MantineColor> = {
  connecting: "gray",
  connected: "teal",
  reconnecting: "yellow",
  offline: "red",
};

export const ConnectionStatusBadge = () => {
  const { t } = useTranslation();
  const { status } = useAgentSocket();
  return (
    <Tooltip label={t(`realtime.${status}Hint`)} multiline maw={280} withArrow>
      <Badge color={COLORS[status]} variant="light" miw="fit-content" role="status" aria-live="polite" data-status={status}>
        {t(`realtime.${status}`)}
      </Badge>
    </Tooltip>
  );
};
