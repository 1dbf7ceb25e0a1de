import { Anchor, Badge, Group, Loader, Stack, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { QueryErrorAlert } from "../../../components/query-error-alert";
import { useFormatDateTime } from "../../../lib/use-format-date-time";
import { useNow } from "../../inbox/hooks/use-now";
import { formatElapsed } from "../../inbox/lib/format";
import { useContactVisits } from "../../visitors/api/visitors-api";
import { describeDevice, describeLocation } from "../../visitors/components/visitors-page";

const Fact = ({ label, value }: { label: string; value: string | null }) =>
  value ? (
    <Group gap={6} wrap="nowrap" align="flex-start">
      <Text size="xs" c="dimmed" w={90} style={{ flexShrink: 0 }}>
        {label}
      </Text>
      <Text size="xs" style={{ overflowWrap: "anywhere" }}>
        {value}
      </Text>
    </Group>
  ) : null;

/** The latest website visit (live: `visitor.updated` events move the current page) and the visits before it. */
export const ContactVisits = ({ contactId }: { contactId: string }) => {
  const { t, i18n } = useTranslation();
  const formatDateTime = useFormatDateTime();
  const now = useNow(15_000);
  const visits = useContactVisits(contactId, true);
  if (visits.isPending) return <Loader size="xs" aria-label={t("common.loading")} />;
  if (visits.isError)
    return (
      <QueryErrorAlert title={t("contacts.visitor.loadFailed")} error={visits.error} onRetry={() => void visits.refetch()} />
    );
  const [latest, ...earlier] = visits.data.items;
  if (!latest) {
    return (
      <Text size="xs" c="dimmed">
        {t("contacts.visitor.none")}
      </Text>
    );
  }
  const utm = Object.entries(latest.utm)
    .map(([key, value]) => `${key.replace(/^utm_/, "")}: ${value}`)
    .join(" · ");
  return (
    <Stack gap={6} data-testid="contact-visits">
      {latest.currentPage.url && (
        <Group gap={6} wrap="nowrap">
          <Badge size="xs" color="teal" variant="dot">
            {t("contacts.visitor.now")}
          </Badge>
          <Anchor
            href={latest.currentPage.url}
            target="_blank"
            rel="noopener noreferrer"
            size="xs"
            lineClamp={1}
            data-testid="visitor-current-page"
          >
            {latest.currentPage.title || latest.currentPage.url}
          </Anchor>
        </Group>
      )}
      <Fact label={t("contacts.visitor.location")} value={describeLocation(latest)} />
      {/* The browser's own zone is the better guess (VPNs, travel); GeoIP's, from the city's coordinates, fills in. */}
      <Fact label={t("contacts.visitor.timezone")} value={latest.timezone ?? latest.location.timezone} />
      <Fact label={t("contacts.visitor.device")} value={describeDevice(latest)} />
      <Fact
        label={t("contacts.visitor.timeOnSite")}
        value={formatElapsed(latest.startedAt, latest.currentPage.url ? now : Date.parse(latest.lastSeenAt), i18n.language)}
      />
      <Fact label={t("contacts.visitor.referrer")} value={latest.referrer} />
      <Fact label={t("contacts.visitor.utm")} value={utm || null} />
      <Fact label={t("contacts.visitor.visits")} value={String(latest.visitNumber)} />
      {latest.pages.length > 0 && (
        <Stack gap={2}>
          <Text size="xs" fw={600}>
            {t("contacts.visitor.pages")}
          </Text>
          {[...latest.pages]
            .reverse()
            .slice(0, 10)
            .map((page) => (
              <Text key={`${page.url}-${page.enteredAt}`} size="xs" lineClamp={1} title={page.url}>
                {`${formatDateTime(page.enteredAt)} · ${page.title || page.url}`}
              </Text>
            ))}
        </Stack>
      )}
      {earlier.length > 0 && (
        <Text size="xs" c="dimmed">
          {t("contacts.visitor.earlier", { time: formatDateTime(earlier[0]?.startedAt ?? latest.startedAt) })}
        </Text>
      )}
    </Stack>
  );
};
