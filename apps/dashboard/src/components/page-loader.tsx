import { Center, Loader } from "@mantine/core";
import { useTranslation } from "react-i18next";

/** Shown while a lazily loaded page's code arrives. */
export const PageLoader = () => {
  const { t } = useTranslation();
  return (
    <Center py="xl" role="status" aria-label={t("common.loading")}>
      <Loader />
    </Center>
  );
};
