import { Paper, Text, UnstyledButton } from "@mantine/core";

export type Suggestion = { id: string; label: string; description?: string };

type Props = { id: string; label: string; items: Suggestion[]; activeIndex: number; onPick: (item: Suggestion) => void };

/** The popup of canned responses ("/") or members ("@") above the composer; the textarea keeps focus and drives it. */
export const SuggestionList = ({ id, label, items, activeIndex, onPick }: Props) => (
  <Paper
    withBorder
    shadow="md"
    radius="md"
    p={4}
    mah={240}
    style={{ overflowY: "auto" }}
    role="listbox"
    id={id}
    aria-label={label}
  >
    {items.map((item, index) => (
      <UnstyledButton
        key={item.id}
        id={`${id}-${index}`}
        role="option"
        aria-selected={index === activeIndex}
        onMouseDown={(event) => event.preventDefault()}
        onClick={() => onPick(item)}
        px="xs"
        py={4}
        w="100%"
        style={{
          borderRadius: 4,
          display: "block",
          background: index === activeIndex ? "var(--mantine-color-blue-light)" : undefined,
        }}
      >
        <Text size="sm" fw={600}>
          {item.label}
        </Text>
        {item.description && (
          <Text size="xs" c="dimmed" lineClamp={1}>
            {item.description}
          </Text>
        )}
      </UnstyledButton>
    ))}
  </Paper>
);
