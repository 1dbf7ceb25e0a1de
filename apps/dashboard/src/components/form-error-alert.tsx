import { Alert } from "@mantine/core";
import { useErrorMessage } from "../lib/use-error-message";
import { IconAlertTriangle } from "./icons";

/** A failed submit whose problem is not about one field (wrong password, rate limit, server down). */
export const FormErrorAlert = ({ error }: { error: unknown }) => {
  const describeError = useErrorMessage();
  return (
    <Alert color="red" icon={<IconAlertTriangle />} role="alert">
      {describeError(error)}
    </Alert>
  );
};
