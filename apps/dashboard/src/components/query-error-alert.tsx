import { Alert, Button, Stack, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { useErrorMessage } from "../lib/use-error-message";
import { IconAlertTriangle } from "./icons";

type QueryErrorAlertProps = {
  title: string;
  error: unknown;
  onRetry: () => void;
  isRetrying?: boolean;
};

/** The error state of a query: what failed, why, and a way to try again. */
export const QueryErrorAlert = ({ title, error, onRetry, isRetrying = false }: QueryErrorAlertProps) => {
  const { t } = useTranslation();
  const describeError = useErrorMessage();
  return (
    <Alert color="red" title={title} icon={<IconAlertTriangle />} role="alert">
      <Stack gap="sm" align="flex-start">
        <Text size="sm">{describeError(error)}</Text>
        <Button size="xs" variant="outline" color="red" onClick={onRetry} loading={isRetrying}>
          {t("common.retry")}
        </Button>
      </Stack>
    </Alert>
  );
};
