import { useDirection } from "@mantine/core";
import { useEffect } from "react";
import { directionOf } from "../../../i18n/i18n";
import { useCurrentLanguage } from "../hooks/use-language";

/** Keeps Mantine's direction (and so every mirrored layout) in step with the interface language. */
export const DirectionSync = () => {
  const language = useCurrentLanguage();
  const { setDirection } = useDirection();
  useEffect(() => {
    setDirection(directionOf(language));
  }, [language, setDirection]);
  return null;
};
