import { Anchor, Box, Center, Group, Paper, Stack, Text, Title } from "@mantine/core";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link, useLocation } from "react-router";
import { LanguageSwitch } from "../../preferences/components/language-switch";

type AuthLayoutProps = {
  pageTitle: string;
  title: string;
  subtitle: string;
  footerText: string;
  footerLinkLabel: string;
  footerLinkTo: string;
  children: ReactNode;
};

export const AuthLayout = ({
  pageTitle,
  title,
  subtitle,
  footerText,
  footerLinkLabel,
  footerLinkTo,
  children,
}: AuthLayoutProps) => {
  const { t } = useTranslation();
  // Keeps the page RequireSession came from when switching between sign-in and sign-up.
  const { state } = useLocation();
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
          <Text ta="center" size="sm">
            {footerText}{" "}
            <Anchor component={Link} to={footerLinkTo} state={state} fw={600}>
              {footerLinkLabel}
            </Anchor>
          </Text>
        </Stack>
      </Center>
    </Box>
  );
};
