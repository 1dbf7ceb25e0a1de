import {
  Accordion,
  Anchor,
  Avatar,
  Badge,
  Box,
  Button,
  Center,
  Group,
  Loader,
  ScrollArea,
  Stack,
  TagsInput,
  Text,
  Title,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { QueryErrorAlert } from "../../../components/query-error-alert";
import { useErrorMessage } from "../../../lib/use-error-message";
import { useFormatDateTime } from "../../../lib/use-format-date-time";
import { useHasPermission } from "../../auth/hooks/use-permissions";
import { ConfirmDialog } from "../../conversation/components/confirm-dialog";
import { STATUS_COLORS } from "../../conversation/components/conversation-header";
import { ChannelIcon } from "../../inbox/components/channel-icon";
import { contactDisplayName, initialsOf } from "../../inbox/lib/format";
import { applyContact, contactKeys, fetchContact, setContactBlocked, updateContact } from "../api/contacts-api";
import { ContactAttributes } from "./contact-attributes";
import { ContactNotes } from "./contact-notes";
import { ContactProfileForm } from "./contact-profile-form";
import { ContactVisits } from "./contact-visits";

/** `aside`: the third column on wide screens; `drawer`: the content of a drawer on narrower ones. */
type Props = { contactId: string; currentConversationId: string; variant?: "aside" | "drawer" };

/** The person behind the conversation: profile, identities, attributes, tags and past conversations. */
export const ContactPanel = ({ contactId, currentConversationId, variant = "aside" }: Props) => {
  const { t } = useTranslation();
  const hasPermission = useHasPermission();
  const canView = hasPermission("contacts.view");
  const canEdit = hasPermission("contacts.manage");
  const formatDateTime = useFormatDateTime();
  const describeError = useErrorMessage();
  const queryClient = useQueryClient();
  const [isEditing, setEditing] = useState(false);
  const [isConfirmingBlock, setConfirmingBlock] = useState(false);
  const contact = useQuery({
    queryKey: contactKeys.detail(contactId),
    queryFn: ({ signal }) => fetchContact(contactId, signal),
    enabled: canView,
  });
  const saveTags = useMutation({
    mutationFn: (tags: string[]) => updateContact(contactId, { tags }),
    onSuccess: (updated) => applyContact(queryClient, updated),
    onError: (error) => notifications.show({ color: "red", title: t("contacts.tags.saveFailed"), message: describeError(error) }),
  });
  const block = useMutation({
    mutationFn: (isBlocked: boolean) => setContactBlocked(contactId, isBlocked),
    onSuccess: (updated) => {
      applyContact(queryClient, updated);
      setConfirmingBlock(false);
    },
    onError: (error) =>
      notifications.show({ color: "red", title: t("conversation.actions.failed"), message: describeError(error) }),
  });

  return (
    <Box
      component="aside"
      aria-label={t("contacts.panel.label")}
      w={variant === "aside" ? 280 : "100%"}
      h={variant === "aside" ? undefined : "100%"}
      style={
        variant === "aside" ? { flexShrink: 0, borderInlineStart: "1px solid var(--mantine-color-default-border)" } : undefined
      }
      data-testid="contact-panel"
    >
      <ScrollArea h="100%">
        {!canView && (
          <Text size="sm" c="dimmed" p="md">
            {t("contacts.panel.noPermission")}
          </Text>
        )}
        {canView && contact.isPending && (
          <Center py="xl">
            <Loader size="sm" aria-label={t("common.loading")} />
          </Center>
        )}
        {contact.isError && (
          <Box p="sm">
            <QueryErrorAlert
              title={t("contacts.panel.loadFailed")}
              error={contact.error}
              onRetry={() => void contact.refetch()}
              isRetrying={contact.isRefetching}
            />
          </Box>
        )}
        {contact.data && (
          <Stack gap="sm" p="sm">
            <Group gap="sm" wrap="nowrap">
              <Avatar src={contact.data.avatarUrl} radius="xl" size="lg" color="blue" alt="">
                {initialsOf(contactDisplayName(contact.data, t))}
              </Avatar>
              <Stack gap={0} miw={0}>
                <Title order={3} fz="md" lineClamp={1} data-testid="contact-name">
                  {contactDisplayName(contact.data, t)}
                </Title>
                {contact.data.email && (
                  <Anchor href={`mailto:${contact.data.email}`} size="xs" truncate="end">
                    {contact.data.email}
                  </Anchor>
                )}
                {contact.data.phone && (
                  <Anchor href={`tel:${contact.data.phone}`} size="xs">
                    {contact.data.phone}
                  </Anchor>
                )}
                {contact.data.isBlocked && (
                  <Badge size="xs" color="red" variant="light" mt={4}>
                    {t("contacts.blocked")}
                  </Badge>
                )}
              </Stack>
            </Group>
            {isEditing ? (
              <ContactProfileForm contact={contact.data} onDone={() => setEditing(false)} />
            ) : (
              canEdit && (
                <Group gap="xs">
                  <Button size="compact-xs" variant="light" onClick={() => setEditing(true)}>
                    {t("contacts.edit")}
                  </Button>
                  {contact.data.isBlocked ? (
                    <Button size="compact-xs" variant="subtle" onClick={() => block.mutate(false)} loading={block.isPending}>
                      {t("contacts.unblock")}
                    </Button>
                  ) : (
                    <Button size="compact-xs" variant="subtle" color="red" onClick={() => setConfirmingBlock(true)}>
                      {t("contacts.block")}
                    </Button>
                  )}
                </Group>
              )
            )}
            <Accordion
              multiple
              defaultValue={["identities", "attributes", "tags", "conversations", "visitor", "notes"]}
              variant="contained"
              chevronPosition="right"
            >
              <Accordion.Item value="visitor">
                <Accordion.Control>{t("contacts.visitor.title")}</Accordion.Control>
                <Accordion.Panel>
                  <Stack gap={4}>
                    <ContactVisits contactId={contactId} />
                    <Text size="xs" c="dimmed">
                      {t("contacts.visitor.firstSeen", { time: formatDateTime(contact.data.createdAt) })}
                    </Text>
                    {contact.data.lastSeenAt && (
                      <Text size="xs" c="dimmed">
                        {t("contacts.visitor.lastSeen", { time: formatDateTime(contact.data.lastSeenAt) })}
                      </Text>
                    )}
                  </Stack>
                </Accordion.Panel>
              </Accordion.Item>
              <Accordion.Item value="identities">
                <Accordion.Control>{t("contacts.identities.title", { count: contact.data.identities.length })}</Accordion.Control>
                <Accordion.Panel>
                  <Stack gap={6}>
                    {contact.data.identities.length === 0 && (
                      <Text size="xs" c="dimmed">
                        {t("contacts.identities.none")}
                      </Text>
                    )}
                    {contact.data.identities.map((identity) => (
                      <Group key={identity.id} gap={6} wrap="nowrap">
                        <ChannelIcon type={identity.inbox.type} label={t(`inbox.channels.${identity.inbox.type}`)} />
                        <Stack gap={0} miw={0}>
                          <Text size="xs" fw={500} truncate="end">
                            {identity.inbox.name}
                          </Text>
                          <Text size="xs" c="dimmed" truncate="end" title={identity.sourceId}>
                            {identity.sourceId}
                          </Text>
                        </Stack>
                      </Group>
                    ))}
                  </Stack>
                </Accordion.Panel>
              </Accordion.Item>
              <Accordion.Item value="attributes">
                <Accordion.Control>{t("contacts.attributes.title")}</Accordion.Control>
                <Accordion.Panel>
                  <ContactAttributes contact={contact.data} canEdit={canEdit} />
                </Accordion.Panel>
              </Accordion.Item>
              <Accordion.Item value="tags">
                <Accordion.Control>{t("contacts.tags.title")}</Accordion.Control>
                <Accordion.Panel>
                  <TagsInput
                    size="xs"
                    aria-label={t("contacts.tags.title")}
                    placeholder={canEdit ? t("contacts.tags.placeholder") : undefined}
                    value={contact.data.tags}
                    onChange={(tags) => saveTags.mutate(tags)}
                    disabled={!canEdit || saveTags.isPending}
                    maxTags={50}
                    clearable={canEdit}
                  />
                </Accordion.Panel>
              </Accordion.Item>
              <Accordion.Item value="notes">
                <Accordion.Control>{t("contacts.notes.title")}</Accordion.Control>
                <Accordion.Panel>
                  <ContactNotes contactId={contactId} />
                </Accordion.Panel>
              </Accordion.Item>
              <Accordion.Item value="conversations">
                <Accordion.Control>
                  {t("contacts.conversations.title", { count: contact.data.conversations.length })}
                </Accordion.Control>
                <Accordion.Panel>
                  <Stack gap={4}>
                    {contact.data.conversations.map((past) => (
                      <Group key={past.id} gap={6} wrap="nowrap" justify="space-between">
                        <Anchor
                          component={Link}
                          to={`/inbox/conversations/${past.id}`}
                          size="xs"
                          fw={past.id === currentConversationId ? 700 : 400}
                          aria-current={past.id === currentConversationId ? "page" : undefined}
                        >
                          {`#${past.number} · ${past.inbox.name}`}
                        </Anchor>
                        <Badge size="xs" variant="light" color={STATUS_COLORS[past.status]}>
                          {t(`conversation.status.${past.status}`)}
                        </Badge>
                      </Group>
                    ))}
                  </Stack>
                </Accordion.Panel>
              </Accordion.Item>
            </Accordion>
          </Stack>
        )}
      </ScrollArea>
      <ConfirmDialog
        opened={isConfirmingBlock}
        title={t("conversation.actions.blockTitle", {
          name: contact.data ? contactDisplayName(contact.data, t) : "",
        })}
        body={t("conversation.actions.blockBody")}
        confirmLabel={t("contacts.block")}
        isPending={block.isPending}
        onClose={() => setConfirmingBlock(false)}
        onConfirm={() => block.mutate(true)}
      />
    </Box>
  );
};
