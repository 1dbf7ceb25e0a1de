import {
  Button,
  ColorInput,
  Divider,
  Grid,
  Group,
  NumberInput,
  SegmentedControl,
  Select,
  Skeleton,
  Stack,
  Switch,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import {
  type TInboxDetail,
  type TWidgetSettings,
  WIDGET_COLOR_SCHEMES,
  WIDGET_LAUNCHER_ICONS,
  WIDGET_SIZES,
} from "@parley/shared";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { FormErrorAlert } from "../../../components/form-error-alert";
import { QueryErrorAlert } from "../../../components/query-error-alert";
import { isApiError } from "../../../lib/api-client";
import { useHasPermission } from "../../auth/hooks/use-permissions";
import { useNotifySaved } from "../lib/use-notify";
import { WidgetFormFieldsEditor } from "./widget-form-fields-editor";
import { WidgetPreview } from "./widget-preview";
import { useSetWidgetBranding, useUpdateWidgetSettings, useWidgetBranding, useWidgetSettings } from "./widget-settings-api";

const oneOf =
  <T extends string>(values: readonly T[]) =>
  (value: string | null): value is T =>
    values.some((candidate) => candidate === value);
const isColorScheme = oneOf(WIDGET_COLOR_SCHEMES);
const isLauncherIcon = oneOf(WIDGET_LAUNCHER_ICONS);
const isSize = oneOf(WIDGET_SIZES);
const asNumber = (value: string | number, fallback: number) => (typeof value === "number" ? value : fallback);

const SettingsForm = ({ inboxId, initial }: { inboxId: string; initial: TWidgetSettings }) => {
  const { t } = useTranslation();
  const w = "settings.inboxes.widget" as const;
  const notify = useNotifySaved();
  const canSetBranding = useHasPermission()("settings.manage");
  const update = useUpdateWidgetSettings(inboxId);
  const branding = useWidgetBranding();
  const setBranding = useSetWidgetBranding();
  const [draft, setDraft] = useState(initial);
  const [fieldErrors, setFieldErrors] = useState<Readonly<Record<string, string>>>({});
  const [formError, setFormError] = useState<unknown>(null);
  const set = <Key extends keyof TWidgetSettings>(key: Key, value: TWidgetSettings[Key]) =>
    setDraft((previous) => ({ ...previous, [key]: value }));
  const errorFor = (prefix: string) =>
    Object.entries(fieldErrors).find(([path]) => path === prefix || path.startsWith(`${prefix}.`))?.[1];
  const canRemoveBranding = branding.data?.canRemoveBranding ?? false;

  const handleSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setFormError(null);
    setFieldErrors({});
    // Blank lines in the page patterns box are not patterns.
    const hiddenUrlPatterns = draft.hiddenUrlPatterns.map((line) => line.trim()).filter(Boolean);
    update.mutate(
      { ...draft, hiddenUrlPatterns },
      {
        onSuccess: (answer) => {
          setDraft(answer.settings);
          notify(t("settings.common.saved"), t(`${w}.savedMessage`));
        },
        onError: (error) => {
          // Field problems show next to their fields; the alert above says the save did not happen.
          setFieldErrors(isApiError(error) ? error.fieldErrors : {});
          setFormError(error);
        },
      },
    );
  };

  return (
    <Grid gap="xl">
      <Grid.Col span={{ base: 12, lg: 7 }}>
        <form onSubmit={handleSubmit} noValidate aria-label={t(`${w}.customiseTitle`)}>
          <Stack gap="md">
            {formError !== null && <FormErrorAlert error={formError} />}
            <Group grow align="flex-start">
              <ColorInput
                label={t(`${w}.primaryColor`)}
                value={draft.primaryColor}
                onChange={(value) => set("primaryColor", value)}
                error={errorFor("primaryColor")}
                format="hex"
                dir="ltr"
              />
              <Select
                label={t(`${w}.colorScheme`)}
                data={WIDGET_COLOR_SCHEMES.map((value) => ({ value, label: t(`${w}.colorSchemes.${value}`) }))}
                value={draft.colorScheme}
                onChange={(value) => isColorScheme(value) && set("colorScheme", value)}
                allowDeselect={false}
              />
            </Group>
            <Stack gap={4}>
              <Text size="sm" fw={500} id="widget-position-label">
                {t(`${w}.position`)}
              </Text>
              <SegmentedControl
                aria-labelledby="widget-position-label"
                value={draft.position}
                onChange={(value) => set("position", value === "left" ? "left" : "right")}
                data={(["left", "right"] as const).map((value) => ({ value, label: t(`${w}.positions.${value}`) }))}
              />
            </Stack>
            <Group grow align="flex-start">
              <NumberInput
                label={t(`${w}.offsetX`)}
                value={draft.offsetX}
                onChange={(value) => set("offsetX", asNumber(value, 0))}
                min={0}
                max={200}
                allowDecimal={false}
                error={errorFor("offsetX")}
              />
              <NumberInput
                label={t(`${w}.offsetY`)}
                value={draft.offsetY}
                onChange={(value) => set("offsetY", asNumber(value, 0))}
                min={0}
                max={200}
                allowDecimal={false}
                error={errorFor("offsetY")}
              />
            </Group>
            <Group grow align="flex-start">
              <Select
                label={t(`${w}.launcherIcon`)}
                data={WIDGET_LAUNCHER_ICONS.map((value) => ({ value, label: t(`${w}.launcherIcons.${value}`) }))}
                value={draft.launcherIcon}
                onChange={(value) => isLauncherIcon(value) && set("launcherIcon", value)}
                allowDeselect={false}
              />
              <Select
                label={t(`${w}.size`)}
                data={WIDGET_SIZES.map((value) => ({ value, label: t(`${w}.sizes.${value}`) }))}
                value={draft.size}
                onChange={(value) => isSize(value) && set("size", value)}
                allowDeselect={false}
              />
            </Group>
            <TextInput
              label={t(`${w}.widgetTitle`)}
              value={draft.title}
              onChange={(event) => set("title", event.currentTarget.value)}
              error={errorFor("title")}
              maxLength={80}
            />
            <Textarea
              label={t(`${w}.subtitle`)}
              value={draft.subtitle}
              onChange={(event) => set("subtitle", event.currentTarget.value)}
              error={errorFor("subtitle")}
              maxLength={300}
              autosize
              minRows={2}
            />
            <Group grow align="flex-start">
              <TextInput
                type="url"
                label={t(`${w}.avatarUrl`)}
                value={draft.avatarUrl ?? ""}
                onChange={(event) => set("avatarUrl", event.currentTarget.value.trim() || null)}
                error={errorFor("avatarUrl")}
                dir="ltr"
              />
              <TextInput
                type="url"
                label={t(`${w}.logoUrl`)}
                value={draft.logoUrl ?? ""}
                onChange={(event) => set("logoUrl", event.currentTarget.value.trim() || null)}
                error={errorFor("logoUrl")}
                dir="ltr"
              />
            </Group>
            <TextInput
              label={t(`${w}.locale`)}
              description={t(`${w}.localeHint`)}
              value={draft.locale}
              onChange={(event) => set("locale", event.currentTarget.value.trim())}
              error={errorFor("locale")}
              dir="ltr"
              maw={240}
            />
            <Switch
              label={t(`${w}.hideOnMobile`)}
              checked={draft.hideOnMobile}
              onChange={(event) => set("hideOnMobile", event.currentTarget.checked)}
            />
            <Textarea
              label={t(`${w}.hiddenUrlPatterns`)}
              description={t(`${w}.hiddenUrlPatternsHint`)}
              value={draft.hiddenUrlPatterns.join("\n")}
              onChange={(event) => set("hiddenUrlPatterns", event.currentTarget.value.split("\n"))}
              onBlur={() => set("hiddenUrlPatterns", draft.hiddenUrlPatterns.map((line) => line.trim()).filter(Boolean))}
              error={errorFor("hiddenUrlPatterns")}
              autosize
              minRows={2}
              dir="ltr"
            />
            <Switch
              label={t(`${w}.attentionBubble`)}
              checked={draft.attentionBubble !== null}
              onChange={(event) => set("attentionBubble", event.currentTarget.checked ? { text: "", delaySeconds: 10 } : null)}
            />
            {draft.attentionBubble && (
              <Group grow align="flex-start" pl="md">
                <TextInput
                  label={t(`${w}.bubbleText`)}
                  value={draft.attentionBubble.text}
                  onChange={(event) => {
                    const text = event.currentTarget.value;
                    setDraft((previous) => ({
                      ...previous,
                      attentionBubble: { text, delaySeconds: previous.attentionBubble?.delaySeconds ?? 10 },
                    }));
                  }}
                  error={errorFor("attentionBubble.text")}
                  maxLength={200}
                />
                <NumberInput
                  label={t(`${w}.bubbleDelay`)}
                  value={draft.attentionBubble.delaySeconds}
                  onChange={(value) =>
                    setDraft((previous) => ({
                      ...previous,
                      attentionBubble: { text: previous.attentionBubble?.text ?? "", delaySeconds: asNumber(value, 0) },
                    }))
                  }
                  min={0}
                  max={3600}
                  allowDecimal={false}
                  error={errorFor("attentionBubble.delaySeconds")}
                />
              </Group>
            )}
            <Switch
              label={t(`${w}.showBranding`)}
              description={canRemoveBranding ? undefined : t(`${w}.brandingLocked`)}
              checked={draft.showBranding}
              disabled={!canRemoveBranding && draft.showBranding}
              onChange={(event) => set("showBranding", event.currentTarget.checked)}
              error={errorFor("showBranding")}
            />
            {canSetBranding && branding.data && (
              <Switch
                label={t(`${w}.allowBrandingRemoval`)}
                checked={branding.data.canRemoveBranding}
                disabled={setBranding.isPending}
                onChange={(event) => setBranding.mutate(event.currentTarget.checked)}
              />
            )}
            <Divider />
            <Title order={3} fz="h5">
              {t(`${w}.forms.title`)}
            </Title>
            <WidgetFormFieldsEditor
              label={t(`${w}.forms.preChat`)}
              form={draft.preChatForm}
              onChange={(form) => set("preChatForm", form)}
              errorAt={(index) =>
                errorFor(`preChatForm.fields.${index}`) ?? (index === 0 ? errorFor("preChatForm.fields") : undefined)
              }
            />
            <WidgetFormFieldsEditor
              label={t(`${w}.forms.offline`)}
              form={draft.offlineForm}
              onChange={(form) => set("offlineForm", form)}
              errorAt={(index) =>
                errorFor(`offlineForm.fields.${index}`) ?? (index === 0 ? errorFor("offlineForm.fields") : undefined)
              }
            />
            <Divider />
            <Switch
              label={t(`${w}.requireIdentityVerification`)}
              description={t(`${w}.requireIdentityVerificationHint`)}
              checked={draft.requireIdentityVerification}
              onChange={(event) => set("requireIdentityVerification", event.currentTarget.checked)}
            />
            <Group>
              <Button type="submit" loading={update.isPending}>
                {t("settings.common.save")}
              </Button>
            </Group>
          </Stack>
        </form>
      </Grid.Col>
      <Grid.Col span={{ base: 12, lg: 5 }}>
        <Stack gap="xs" pos="sticky" top={72}>
          <Text fw={600} size="sm">
            {t(`${w}.preview`)}
          </Text>
          <WidgetPreview settings={draft} />
        </Stack>
      </Grid.Col>
    </Grid>
  );
};

/** The website widget's look, forms and rules, with a preview that follows every change. */
export const WidgetSettingsSection = ({ inbox }: { inbox: TInboxDetail }) => {
  const { t } = useTranslation();
  const settings = useWidgetSettings(inbox.id);
  return (
    <Stack gap="md">
      <Title order={2} fz="h4">
        {t("settings.inboxes.widget.customiseTitle")}
      </Title>
      {settings.isPending && <Skeleton height={320} />}
      {settings.isError && (
        <QueryErrorAlert
          title={t("settings.inboxes.widget.loadFailed")}
          error={settings.error}
          onRetry={() => void settings.refetch()}
          isRetrying={settings.isFetching}
        />
      )}
      {settings.data && <SettingsForm inboxId={inbox.id} initial={settings.data} />}
    </Stack>
  );
};
