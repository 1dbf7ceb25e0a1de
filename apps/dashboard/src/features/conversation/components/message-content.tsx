import { Anchor, Badge, Button, Card, Group, Image, Paper, Stack, Text } from "@mantine/core";
import {
  type TAttachment,
  type TMessage,
  type TMessageButton,
  ZButtonsContent,
  ZCardsContent,
  ZContactCardContent,
  ZFormContent,
  ZLocationContent,
  ZPostbackContent,
} from "@parley/shared";
import { useTranslation } from "react-i18next";
import { MarkdownText } from "./markdown-text";

const formatBytes = (bytes: number, language: string) =>
  new Intl.NumberFormat(language, {
    style: "unit",
    unit: bytes >= 1_048_576 ? "megabyte" : "kilobyte",
    maximumFractionDigits: 1,
  }).format(bytes >= 1_048_576 ? bytes / 1_048_576 : Math.max(1, bytes / 1024));

const AttachmentView = ({ attachment }: { attachment: TAttachment }) => {
  const { t, i18n } = useTranslation();
  const kind = attachment.contentType.split("/")[0];
  if (kind === "image") {
    return (
      <Anchor href={attachment.url} target="_blank" rel="noopener noreferrer">
        <Image
          src={attachment.thumbnailUrl ?? attachment.url}
          alt={attachment.fileName}
          maw={280}
          mah={280}
          fit="contain"
          radius="sm"
        />
      </Anchor>
    );
  }
  if (kind === "audio") {
    // biome-ignore lint/a11y/useMediaCaption: customer voice notes have no captions to offer.
    return <audio controls src={attachment.url} aria-label={attachment.fileName} style={{ maxWidth: 280 }} />;
  }
  if (kind === "video") {
    // biome-ignore lint/a11y/useMediaCaption: customer videos have no captions to offer.
    return <video controls src={attachment.url} aria-label={attachment.fileName} style={{ maxWidth: 320, maxHeight: 240 }} />;
  }
  return (
    <Paper withBorder p="xs" radius="sm">
      <Group gap="xs" wrap="nowrap">
        <Text size="sm" truncate="end" maw={200}>
          {attachment.fileName}
        </Text>
        <Text size="xs" c="dimmed">
          {formatBytes(attachment.byteSize, i18n.language)}
        </Text>
        <Anchor
          size="sm"
          href={attachment.url}
          download={attachment.fileName}
          aria-label={t("conversation.message.download", { name: attachment.fileName })}
        >
          {t("conversation.message.downloadShort")}
        </Anchor>
      </Group>
    </Paper>
  );
};

const ButtonsView = ({ buttons }: { buttons: TMessageButton[] }) => (
  <Group gap={6}>
    {buttons.map((button) =>
      button.url ? (
        <Button
          key={`${button.title}|${button.url}`}
          size="compact-xs"
          variant="default"
          component="a"
          href={button.url}
          target="_blank"
          rel="noopener noreferrer"
        >
          {button.title}
        </Button>
      ) : (
        // Postback buttons are for the contact to press; agents see what was offered.
        <Badge key={`${button.title}|${button.payload}`} variant="outline" size="lg" radius="sm" tt="none">
          {button.title}
        </Badge>
      ),
    )}
  </Group>
);

/** Buttons, cards, location, contact card and form content, parsed with the shared schemas; anything else shows as its text. */
const StructuredContent = ({ message }: { message: TMessage }) => {
  const { t } = useTranslation();
  const { content } = message;
  const postback = ZPostbackContent.safeParse(content);
  if (postback.success) {
    return (
      <Badge variant="light" tt="none">
        {t("conversation.message.chose", { title: postback.data.postback.title })}
      </Badge>
    );
  }
  switch (message.contentType) {
    case "location": {
      const parsed = ZLocationContent.safeParse(content);
      if (!parsed.success) return null;
      const { latitude, longitude, name, address } = parsed.data;
      const mapUrl = `https://www.openstreetmap.org/?mlat=${latitude}&mlon=${longitude}#map=16/${latitude}/${longitude}`;
      return (
        <Stack gap={2}>
          <Text size="sm" fw={600}>
            📍 {name ?? t("conversation.message.location")}
          </Text>
          {address && <Text size="xs">{address}</Text>}
          <Text size="xs" c="dimmed">{`${latitude}, ${longitude}`}</Text>
          <Anchor size="xs" href={mapUrl} target="_blank" rel="noopener noreferrer">
            {t("conversation.message.openMap")}
          </Anchor>
        </Stack>
      );
    }
    case "contact_card": {
      const parsed = ZContactCardContent.safeParse(content);
      if (!parsed.success) return null;
      return (
        <Paper withBorder p="xs" radius="sm">
          <Text size="sm" fw={600}>
            👤 {parsed.data.name}
          </Text>
          {parsed.data.phones.map((phone) => (
            <Anchor key={phone} href={`tel:${phone}`} size="xs" display="block">
              {phone}
            </Anchor>
          ))}
          {parsed.data.emails.map((email) => (
            <Anchor key={email} href={`mailto:${email}`} size="xs" display="block">
              {email}
            </Anchor>
          ))}
        </Paper>
      );
    }
    case "buttons": {
      const parsed = ZButtonsContent.safeParse(content);
      return parsed.success ? <ButtonsView buttons={parsed.data.buttons} /> : null;
    }
    case "cards": {
      const parsed = ZCardsContent.safeParse(content);
      if (!parsed.success) return null;
      return (
        <Group gap="xs" align="stretch" wrap="wrap">
          {parsed.data.cards.map((card, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: cards are a fixed list within one message.
            <Card key={index} withBorder padding="xs" radius="sm" w={200}>
              {card.imageUrl && (
                <Card.Section>
                  <Image src={card.imageUrl} alt={card.title} h={100} fit="cover" />
                </Card.Section>
              )}
              <Text size="sm" fw={600} mt={card.imageUrl ? "xs" : 0}>
                {card.url ? (
                  <Anchor href={card.url} target="_blank" rel="noopener noreferrer" inherit>
                    {card.title}
                  </Anchor>
                ) : (
                  card.title
                )}
              </Text>
              {card.subtitle && (
                <Text size="xs" c="dimmed">
                  {card.subtitle}
                </Text>
              )}
              <ButtonsView buttons={card.buttons} />
            </Card>
          ))}
        </Group>
      );
    }
    case "form": {
      if (content.kind === "csat") {
        return (
          <Badge variant="light" color="grape" tt="none">
            {t("conversation.message.csatRequest")}
          </Badge>
        );
      }
      const parsed = ZFormContent.safeParse(content);
      if (!parsed.success) return null;
      return (
        <Stack gap={2}>
          {parsed.data.fields.map((field) => (
            <Text key={field.key} size="xs">
              {`• ${field.label}${field.required ? " *" : ""}`}
            </Text>
          ))}
        </Stack>
      );
    }
    default:
      return null;
  }
};

/** A message's body by content type: text (markdown subset), attachments, then any structured content. */
export const MessageContent = ({ message }: { message: TMessage }) => {
  const { t } = useTranslation();
  if (message.deletedAt !== null) {
    return (
      <Text size="sm" fs="italic" c="dimmed">
        {t("conversation.message.deleted")}
      </Text>
    );
  }
  return (
    <Stack gap={6}>
      {message.text !== "" && (
        <Text size="sm" component="div" dir="auto" style={{ overflowWrap: "anywhere" }}>
          <MarkdownText text={message.text} />
        </Text>
      )}
      {message.attachments.map((attachment) => (
        <AttachmentView key={attachment.id} attachment={attachment} />
      ))}
      <StructuredContent message={message} />
    </Stack>
  );
};
