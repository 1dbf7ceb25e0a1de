import {
  Anchor,
  Badge,
  Button,
  Card,
  EmptyState,
  Group,
  Loader,
  SegmentedControl,
  Select,
  Stack,
  Text,
  TextInput,
  Title,
  UnstyledButton,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { SEARCH_TYPES } from "@parley/shared";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useSearchParams } from "react-router";
import { IconInbox } from "../../../components/icons";
import { QueryErrorAlert } from "../../../components/query-error-alert";
import { useFormatDateTime } from "../../../lib/use-format-date-time";
import { useHasPermission } from "../../auth/hooks/use-permissions";
import { useInboxes } from "../../inbox/hooks/use-directory";
import { contactDisplayName } from "../../inbox/lib/format";
import { type SearchParams, useSearch } from "../api/search-api";
import { HighlightedText } from "./highlighted-text";

const ALL = "__all__";

/** `/search?q=`: messages (with private notes) and contacts, newest first; a hit opens the conversation at that message. */
export const SearchPage = () => {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const formatDateTime = useFormatDateTime();
  const canSeeContacts = useHasPermission()("contacts.view");
  const inboxes = useInboxes();
  const [searchParams, setSearchParams] = useSearchParams();
  const [text, setText] = useState(searchParams.get("q") ?? "");
  const [debounced] = useDebouncedValue(text.trim(), 300);
  const inputRef = useRef<HTMLInputElement>(null);
  const typeParam = searchParams.get("type");
  const type = SEARCH_TYPES.find((value) => value === typeParam) ?? "all";
  const inboxId = searchParams.get("inbox") ?? undefined;
  const senderParam = searchParams.get("sender");
  const sender = senderParam === "contact" || senderParam === "agent" ? senderParam : undefined;

  // The address carries the search, so it can be shared and the back button returns to it.
  useEffect(() => {
    setSearchParams(
      (previous) => {
        const next = new URLSearchParams(previous);
        if (debounced) next.set("q", debounced);
        else next.delete("q");
        return next;
      },
      { replace: true },
    );
  }, [debounced, setSearchParams]);
  useEffect(() => inputRef.current?.focus(), []);

  const setParam = (key: string, value: string | undefined) =>
    setSearchParams((previous) => {
      const next = new URLSearchParams(previous);
      if (value) next.set(key, value);
      else next.delete(key);
      return next;
    });

  const params: SearchParams = { q: debounced, type, inboxId, sender };
  const results = useSearch(params);
  const messages = results.data?.pages.flatMap((page) => page.messages) ?? [];
  const contacts = results.data?.pages.flatMap((page) => page.contacts) ?? [];
  const isEmpty = results.isSuccess && messages.length === 0 && contacts.length === 0;

  return (
    <Stack gap="md" maw={900}>
      <title>{`${t("search.pageTitle")} · ${t("app.name")}`}</title>
      <Title order={1} fz="h2">
        {t("search.pageTitle")}
      </Title>
      <TextInput
        ref={inputRef}
        type="search"
        size="md"
        value={text}
        onChange={(event) => setText(event.currentTarget.value)}
        placeholder={t("search.placeholder")}
        aria-label={t("search.label")}
        maxLength={200}
        rightSection={results.isFetching ? <Loader size="xs" /> : undefined}
        data-testid="search-input"
      />
      <Group gap="sm">
        <SegmentedControl
          size="xs"
          value={type}
          onChange={(value) => setParam("type", value === "all" ? undefined : value)}
          data={SEARCH_TYPES.filter((value) => canSeeContacts || value === "messages").map((value) => ({
            value,
            label: t(`search.types.${value}`),
          }))}
          aria-label={t("search.typeLabel")}
        />
        <Select
          size="xs"
          aria-label={t("search.inbox")}
          data={[
            { value: ALL, label: t("search.allInboxes") },
            ...(inboxes.data?.items ?? []).map((inbox) => ({ value: inbox.id, label: inbox.name })),
          ]}
          value={inboxId ?? ALL}
          onChange={(value) => setParam("inbox", value === ALL ? undefined : (value ?? undefined))}
          allowDeselect={false}
          w={180}
        />
        <Select
          size="xs"
          aria-label={t("search.sender")}
          data={[
            { value: ALL, label: t("search.anySender") },
            { value: "contact", label: t("search.fromContacts") },
            { value: "agent", label: t("search.fromAgents") },
          ]}
          value={sender ?? ALL}
          onChange={(value) => setParam("sender", value === ALL ? undefined : (value ?? undefined))}
          allowDeselect={false}
          w={160}
        />
      </Group>
      {debounced === "" && (
        <Text c="dimmed" size="sm">
          {t("search.hint")}
        </Text>
      )}
      {results.isError && (
        <QueryErrorAlert
          title={t("search.failed")}
          error={results.error}
          onRetry={() => void results.refetch()}
          isRetrying={results.isRefetching}
        />
      )}
      {isEmpty && (
        <EmptyState
          icon={<IconInbox size={28} />}
          withIndicatorBackground
          title={t("search.emptyTitle")}
          description={t("search.emptyBody", { query: debounced })}
          py="xl"
        />
      )}
      {contacts.length > 0 && (
        <Stack gap="xs" component="section" aria-label={t("search.contacts")}>
          <Title order={2} fz="sm" c="dimmed" tt="uppercase">
            {t("search.contacts")}
          </Title>
          {contacts.map((contact) => (
            <Card key={contact.id} withBorder padding="sm" radius="md">
              <Group justify="space-between">
                <Stack gap={0}>
                  <Text fw={600} size="sm">
                    {contactDisplayName({ id: contact.id, name: contact.name }, t)}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {[contact.email, contact.phone].filter(Boolean).join(" · ")}
                  </Text>
                </Stack>
                <Text size="xs" c="dimmed">
                  {formatDateTime(contact.createdAt)}
                </Text>
              </Group>
            </Card>
          ))}
        </Stack>
      )}
      {messages.length > 0 && (
        <Stack gap="xs" component="section" aria-label={t("search.messages")}>
          <Title order={2} fz="sm" c="dimmed" tt="uppercase">
            {t("search.messages")}
          </Title>
          {messages.map((hit) => (
            <UnstyledButton
              key={hit.messageId}
              onClick={() => navigate(`/inbox/conversations/${hit.conversation.id}?message=${hit.messageId}`)}
              data-testid="search-message-hit"
              aria-label={t("search.openHit", { number: hit.conversation.number })}
            >
              <Card withBorder padding="sm" radius="md">
                <Group justify="space-between" gap="xs" mb={4}>
                  <Group gap={6}>
                    <Text size="xs" fw={600}>
                      {contactDisplayName(hit.contact, t)}
                    </Text>
                    <Text size="xs" c="dimmed">{`#${hit.conversation.number} · ${hit.inbox.name}`}</Text>
                    {hit.isPrivate && (
                      <Badge size="xs" color="yellow" variant="light">
                        {t("conversation.message.privateNote")}
                      </Badge>
                    )}
                  </Group>
                  <Text size="xs" c="dimmed">
                    {formatDateTime(hit.createdAt)}
                  </Text>
                </Group>
                <Text size="sm" lineClamp={3} dir="auto">
                  <HighlightedText html={hit.highlight} />
                </Text>
              </Card>
            </UnstyledButton>
          ))}
        </Stack>
      )}
      {results.hasNextPage && (
        <Group justify="center">
          <Button variant="default" onClick={() => void results.fetchNextPage()} loading={results.isFetchingNextPage}>
            {t("search.loadMore")}
          </Button>
        </Group>
      )}
      {results.isSuccess && !isEmpty && (
        <Anchor component={Link} to="/inbox" size="xs" c="dimmed">
          {t("search.backToInbox")}
        </Anchor>
      )}
    </Stack>
  );
};
