import { Button, Code, Group, Modal, SegmentedControl, Select, Stack, Text, Textarea, TextInput } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import type { TVisitorBan } from "@parley/shared";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { FormErrorAlert } from "../../../components/form-error-alert";
import { useFormatDateTime } from "../../../lib/use-format-date-time";
import { ConfirmItemModal } from "../components/confirm-modal";
import { SettingsPage } from "../components/settings-page";
import { SettingsTable } from "../components/settings-table";
import { useNotifySaved } from "../lib/use-notify";
import { useServerErrors } from "../lib/use-server-errors";
import { useContactName, useContactSearch, useCreateVisitorBan, useLiftVisitorBan, useVisitorBans } from "./visitor-bans-api";

const FIELDS = ["ipRange", "contactId", "reason", "expiresAt"] as const;

const BanForm = ({ onDone }: { onDone: () => void }) => {
  const { t } = useTranslation();
  const p = "settings.visitorBans" as const;
  const notify = useNotifySaved();
  const create = useCreateVisitorBan();
  const errors = useServerErrors(FIELDS);
  const [kind, setKind] = useState<"ip" | "contact">("ip");
  const [ipRange, setIpRange] = useState("");
  const [contactId, setContactId] = useState<string | null>(null);
  const [search, setSearch] = useState("");
  const [debouncedSearch] = useDebouncedValue(search, 250);
  const contacts = useContactSearch(debouncedSearch);
  const [reason, setReason] = useState("");
  const [expiresOn, setExpiresOn] = useState("");

  const handleSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    create.mutate(
      {
        ...(kind === "ip" ? { ipRange } : { contactId: contactId ?? "" }),
        reason,
        expiresAt: expiresOn ? `${expiresOn}T00:00:00Z` : null,
      },
      {
        onSuccess: () => {
          notify(t(`${p}.created`));
          onDone();
        },
        onError: errors.handleError,
      },
    );
  };

  return (
    <form onSubmit={handleSubmit} noValidate>
      <Stack gap="md">
        {errors.formError !== null && <FormErrorAlert error={errors.formError} />}
        <SegmentedControl
          aria-label={t(`${p}.kind`)}
          value={kind}
          onChange={(value) => setKind(value === "contact" ? "contact" : "ip")}
          data={(["ip", "contact"] as const).map((value) => ({ value, label: t(`${p}.kinds.${value}`) }))}
        />
        {kind === "ip" ? (
          <TextInput
            label={t(`${p}.ipRange`)}
            description={t(`${p}.ipRangeHint`)}
            value={ipRange}
            onChange={(event) => {
              setIpRange(event.currentTarget.value);
              errors.clearField("ipRange");
            }}
            error={errors.fieldErrors.ipRange}
            required
            dir="ltr"
            data-autofocus
          />
        ) : (
          <Select
            label={t(`${p}.contact`)}
            placeholder={t(`${p}.contactSearch`)}
            data={(contacts.data?.items ?? []).map((contact) => ({
              value: contact.id,
              label: [contact.name, contact.email].filter(Boolean).join(" · ") || contact.id,
            }))}
            value={contactId}
            onChange={(value) => {
              setContactId(value);
              errors.clearField("contactId");
            }}
            searchValue={search}
            onSearchChange={setSearch}
            error={errors.fieldErrors.contactId}
            searchable
            filter={({ options }) => options}
            nothingFoundMessage={debouncedSearch ? t(`${p}.noContacts`) : undefined}
            required
            comboboxProps={{ withinPortal: true }}
          />
        )}
        <Textarea
          label={t(`${p}.reason`)}
          value={reason}
          onChange={(event) => setReason(event.currentTarget.value)}
          error={errors.fieldErrors.reason}
          maxLength={500}
          autosize
          minRows={2}
        />
        <TextInput
          type="date"
          label={t(`${p}.expiresAt`)}
          description={t(`${p}.expiresAtHint`)}
          value={expiresOn}
          onChange={(event) => setExpiresOn(event.currentTarget.value)}
          error={errors.fieldErrors.expiresAt}
          maw={240}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone} disabled={create.isPending}>
            {t("common.cancel")}
          </Button>
          <Button type="submit" color="red" loading={create.isPending}>
            {t(`${p}.ban`)}
          </Button>
        </Group>
      </Stack>
    </form>
  );
};

/** Who a ban keeps out: an address range as written, or the contact's name once it loads. */
const BanTarget = ({ ban }: { ban: TVisitorBan }) => {
  const contact = useContactName(ban.ipRange ? null : ban.contactId);
  if (ban.ipRange) return <Code dir="ltr">{ban.ipRange}</Code>;
  return <Text size="sm">{contact.data ?? ban.contactId ?? ""}</Text>;
};

export const VisitorBansPage = () => {
  const { t } = useTranslation();
  const p = "settings.visitorBans" as const;
  const formatDateTime = useFormatDateTime();
  const bans = useVisitorBans();
  const lift = useLiftVisitorBan();
  const [isCreating, setIsCreating] = useState(false);
  const [lifting, setLifting] = useState<TVisitorBan | null>(null);
  const liftingContact = useContactName(lifting?.contactId ?? null);
  const liftingWho = lifting?.ipRange ?? liftingContact.data ?? lifting?.contactId ?? "";

  return (
    <SettingsPage
      title={t(`${p}.pageTitle`)}
      description={t(`${p}.description`)}
      actions={
        <Button color="red" variant="light" onClick={() => setIsCreating(true)}>
          {t(`${p}.add`)}
        </Button>
      }
    >
      <SettingsTable
        query={bans}
        label={t(`${p}.tableLabel`)}
        empty={{ title: t(`${p}.empty.title`), description: t(`${p}.empty.description`) }}
        minWidth={640}
        rowTestId="visitor-ban-row"
        columns={[
          { header: t(`${p}.columns.who`), cell: (ban) => <BanTarget ban={ban} /> },
          {
            header: t(`${p}.columns.reason`),
            maw: 280,
            cell: (ban) => (
              <Text size="sm" lineClamp={2}>
                {ban.reason || "—"}
              </Text>
            ),
          },
          { header: t(`${p}.columns.created`), cell: (ban) => <Text size="sm">{formatDateTime(ban.createdAt)}</Text> },
          {
            header: t(`${p}.columns.expires`),
            cell: (ban) => <Text size="sm">{ban.expiresAt ? formatDateTime(ban.expiresAt) : t("settings.common.never")}</Text>,
          },
          {
            header: t("settings.common.actions"),
            cell: (ban) => (
              <Button size="xs" variant="subtle" onClick={() => setLifting(ban)}>
                {t(`${p}.lift`)}
              </Button>
            ),
          },
        ]}
      />
      <Modal opened={isCreating} onClose={() => setIsCreating(false)} title={t(`${p}.createTitle`)} centered>
        {isCreating && <BanForm onDone={() => setIsCreating(false)} />}
      </Modal>
      <ConfirmItemModal
        item={lifting}
        title={t(`${p}.liftTitle`, { who: liftingWho })}
        body={t(`${p}.liftBody`)}
        confirmLabel={t(`${p}.lift`)}
        color="blue"
        mutation={lift}
        doneMessage={t(`${p}.lifted`)}
        onClose={() => setLifting(null)}
      />
    </SettingsPage>
  );
};
