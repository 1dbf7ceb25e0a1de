import { NativeSelect } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { isLanguage, LANGUAGE_NAMES, LANGUAGES } from "../../../i18n/i18n";
import { useLanguage } from "../hooks/use-language";

/** Compact language choice for pages without the user menu (sign-in, sign-up). */
export const LanguageSwitch = () => {
  const { t } = useTranslation();
  const { language, setLanguage } = useLanguage();
  return (
    <NativeSelect
      size="xs"
      aria-label={t("shell.userMenu.language")}
      value={language}
      onChange={(event) => {
        const value = event.currentTarget.value;
        if (isLanguage(value)) setLanguage(value);
      }}
      data={LANGUAGES.map((option) => ({ value: option, label: LANGUAGE_NAMES[option] }))}
    />
  );
};
