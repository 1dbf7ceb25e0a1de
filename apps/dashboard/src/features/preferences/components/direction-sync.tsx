import { useDirection } from "@mantine/core";
import { useEffect } from "react";
import { directionOf } from "../../../i18n/i18n";
import { useLanguage } from "../hooks/use-language";

/** Keeps Mantine's direction (and so every mirrored layout) in step with the interface language. */
export const DirectionSync = () => {
  const { language } = useLanguage();
  const { setDirection } = useDirection();
  useEffect(() => {
    setDirection(directionOf(language));
  }, [language, setDirection]);
  return null;
};
