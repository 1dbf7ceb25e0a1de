import { ActionIcon, Button, Group, Loader, Menu, Paper, Stack, Text, Textarea } from "@mantine/core";
import type { TContactNote } from "@parley/shared";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { FormErrorAlert } from "../../../components/form-error-alert";
import { QueryErrorAlert } from "../../../components/query-error-alert";
import { useFormatDateTime } from "../../../lib/use-format-date-time";
import { useSession } from "../../auth/hooks/use-session";
import { ConfirmDialog } from "../../conversation/components/confirm-dialog";
import { IconDots } from "../../inbox/components/nav-icons";
import { contactKeys, createContactNote, deleteContactNote, fetchContactNotes, updateContactNote } from "../api/contacts-api";

type NoteList = { items: TContactNote[]; nextCursor: string | null };

const NoteItem = ({ contactId, note }: { contactId: string; note: TContactNote }) => {
  const { t } = useTranslation();
  const { user } = useSession();
  const formatDateTime = useFormatDateTime();
  const queryClient = useQueryClient();
  const [isEditing, setEditing] = useState(false);
  const [isConfirming, setConfirming] = useState(false);
  const [draft, setDraft] = useState(note.body);
  const replace = (next: NoteList["items"]) =>
    queryClient.setQueryData<NoteList>(contactKeys.notes(contactId), (data) => (data ? { ...data, items: next } : data));
  const items = () => queryClient.getQueryData<NoteList>(contactKeys.notes(contactId))?.items ?? [];
  const save = useMutation({
    mutationFn: () => updateContactNote(contactId, note.id, draft.trim()),
    onSuccess: (updated) => {
      replace(items().map((item) => (item.id === updated.id ? updated : item)));
      setEditing(false);
    },
  });
  const remove = useMutation({
    mutationFn: () => deleteContactNote(contactId, note.id),
    onSuccess: () => {
      replace(items().filter((item) => item.id !== note.id));
      setConfirming(false);
    },
  });
  return (
    <Paper withBorder p="xs" radius="sm" data-testid="contact-note">
      <Group justify="space-between" gap={4} wrap="nowrap" align="flex-start">
        <Text size="xs" c="dimmed">
          {`${note.author?.name ?? t("contacts.notes.formerMember")} · ${formatDateTime(note.createdAt)}`}
        </Text>
        {note.author?.id === user.id && !isEditing && (
          <Menu withinPortal position="bottom-end">
            <Menu.Target>
              <ActionIcon size="xs" variant="subtle" color="gray" aria-label={t("contacts.notes.actions")}>
                <IconDots size={14} />
              </ActionIcon>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Item onClick={() => setEditing(true)}>{t("conversation.message.edit")}</Menu.Item>
              <Menu.Item color="red" onClick={() => setConfirming(true)}>
                {t("conversation.message.delete")}
              </Menu.Item>
            </Menu.Dropdown>
          </Menu>
        )}
      </Group>
      {isEditing ? (
        <Stack gap={4} mt={4}>
          <Textarea
            size="xs"
            value={draft}
            onChange={(event) => setDraft(event.currentTarget.value)}
            autosize
            minRows={2}
            aria-label={t("contacts.notes.editLabel")}
          />
          {save.isError && <FormErrorAlert error={save.error} />}
          <Group gap={4} justify="flex-end">
            <Button size="compact-xs" variant="default" onClick={() => setEditing(false)}>
              {t("common.cancel")}
            </Button>
            <Button size="compact-xs" onClick={() => save.mutate()} loading={save.isPending} disabled={draft.trim() === ""}>
              {t("contacts.save")}
            </Button>
          </Group>
        </Stack>
      ) : (
        <Text size="sm" dir="auto" style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>
          {note.body}
        </Text>
      )}
      <ConfirmDialog
        opened={isConfirming}
        title={t("contacts.notes.deleteTitle")}
        body={t("contacts.notes.deleteBody")}
        confirmLabel={t("conversation.message.delete")}
        isPending={remove.isPending}
        onClose={() => setConfirming(false)}
        onConfirm={() => remove.mutate()}
      />
    </Paper>
  );
};

/** Agents' notes about the person (not the conversation), newest first. */
export const ContactNotes = ({ contactId }: { contactId: string }) => {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState("");
  const notes = useQuery({
    queryKey: contactKeys.notes(contactId),
    queryFn: ({ signal }) => fetchContactNotes(contactId, signal),
  });
  const add = useMutation({
    mutationFn: () => createContactNote(contactId, draft.trim()),
    onSuccess: (note) => {
      queryClient.setQueryData<NoteList>(contactKeys.notes(contactId), (data) =>
        data ? { ...data, items: [note, ...data.items] } : data,
      );
      setDraft("");
    },
  });
  return (
    <Stack gap="xs">
      <Textarea
        size="xs"
        value={draft}
        onChange={(event) => setDraft(event.currentTarget.value)}
        placeholder={t("contacts.notes.placeholder")}
        aria-label={t("contacts.notes.newLabel")}
        autosize
        minRows={2}
        maxLength={10_000}
      />
      {add.isError && <FormErrorAlert error={add.error} />}
      <Group justify="flex-end">
        <Button size="compact-xs" onClick={() => add.mutate()} loading={add.isPending} disabled={draft.trim() === ""}>
          {t("contacts.notes.add")}
        </Button>
      </Group>
      {notes.isPending && <Loader size="xs" aria-label={t("common.loading")} />}
      {notes.isError && (
        <QueryErrorAlert title={t("contacts.notes.loadFailed")} error={notes.error} onRetry={() => void notes.refetch()} />
      )}
      {notes.isSuccess && notes.data.items.length === 0 && (
        <Text size="xs" c="dimmed">
          {t("contacts.notes.none")}
        </Text>
      )}
      {notes.data?.items.map((note) => (
        <NoteItem key={note.id} contactId={contactId} note={note} />
      ))}
    </Stack>
  );
};
