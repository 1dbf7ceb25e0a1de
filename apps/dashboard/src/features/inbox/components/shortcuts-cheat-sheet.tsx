import { Group, Kbd, Modal, Table, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { SHORTCUTS } from "../hooks/use-shortcut";

/** The list of keyboard shortcuts (opened with `?`). */
export const ShortcutsCheatSheet = ({ onClose }: { onClose: () => void }) => {
  const { t } = useTranslation();
  return (
    <Modal opened onClose={onClose} title={t("shortcuts.title")} centered>
      <Table verticalSpacing={6} aria-label={t("shortcuts.title")} data-testid="shortcuts-cheat-sheet">
        <Table.Tbody>
          {SHORTCUTS.map((shortcut) => (
            <Table.Tr key={shortcut.action}>
              <Table.Td w={80}>
                <Group gap={4}>
                  <Kbd>{shortcut.keys}</Kbd>
                </Group>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{t(`shortcuts.actions.${shortcut.action}`)}</Text>
              </Table.Td>
            </Table.Tr>
          ))}
          <Table.Tr>
            <Table.Td>
              <Kbd>Enter</Kbd>
            </Table.Td>
            <Table.Td>
              <Text size="sm">{t("shortcuts.actions.send")}</Text>
            </Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Td>
              <Group gap={4} wrap="nowrap">
                <Kbd>Shift</Kbd>+<Kbd>Enter</Kbd>
              </Group>
            </Table.Td>
            <Table.Td>
              <Text size="sm">{t("shortcuts.actions.newline")}</Text>
            </Table.Td>
          </Table.Tr>
        </Table.Tbody>
      </Table>
    </Modal>
  );
};
