import { Anchor, Box, Center, Group, Paper, Stack, Text, Title } from "@mantine/core";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link, useLocation } from "react-router";
import { LanguageSwitch } from "../../preferences/components/language-switch";

type AuthLayoutProps = {
  pageTitle: string;
  title: string;
  subtitle: string;
  /** A line under the card that leads to a sibling page (sign-in ↔ sign-up); left out where none fits. */
  footer?: { text: string; linkLabel: string; linkTo: string };
  children: ReactNode;
};

/** Keeps a `?next=` return path when moving between the sign-in pages. */
const withNextOf = (linkTo: string, search: string): string => {
  const next = new URLSearchParams(search).get("next");
  if (next === null || linkTo.includes("?")) return linkTo;
  return `${linkTo}?${new URLSearchParams({ next })}`;
};

export const AuthLayout = ({ pageTitle, title, subtitle, footer, children }: AuthLayoutProps) => {
  const { t } = useTranslation();
  // Keeps the page RequireSession came from when switching between sign-in and sign-up.
  const { state, search } = useLocation();
  return (
    <Box mih="100vh" bg="var(--mantine-color-body)">
      <title>{`${pageTitle} · ${t("app.name")}`}</title>
      <Group justify="flex-end" p="md">
        <LanguageSwitch />
      </Group>
      <Center px="md" pb="xl">
        <Stack w="100%" maw={420} gap="lg">
          <Stack gap={4} align="center" ta="center">
            <Text fw={800} fz="xl" c="blue">
              {t("app.name")}
            </Text>
            <Title order={1} fz="h2">
              {title}
            </Title>
            <Text c="dimmed" size="sm">
              {subtitle}
            </Text>
          </Stack>
          <Paper withBorder shadow="sm" radius="md" p="xl">
            {children}
          </Paper>
          {footer && (
            <Text ta="center" size="sm">
              {footer.text}{" "}
              <Anchor component={Link} to={withNextOf(footer.linkTo, search)} state={state} fw={600}>
                {footer.linkLabel}
              </Anchor>
            </Text>
          )}
        </Stack>
      </Center>
    </Box>
  );
};
