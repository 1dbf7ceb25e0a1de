import { Mark } from "@mantine/core";
import type { ReactNode } from "react";

const ENTITIES: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'", "&#x27;": "'" };
const decodeEntities = (text: string) => text.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (entity) => ENTITIES[entity] ?? entity);

/**
 * The server's highlight is HTML-escaped text with <mark>…</mark> around matches. It is split on
 * those tags and rendered as text nodes, so nothing in a message can become markup here.
 */
export const HighlightedText = ({ html }: { html: string }) => {
  const nodes: ReactNode[] = [];
  let offset = 0;
  for (const part of html.split(/(<mark>.*?<\/mark>)/g)) {
    const match = /^<mark>(.*?)<\/mark>$/.exec(part);
    // The offset in the highlight is a stable key: the same text always splits the same way.
    nodes.push(
      match ? <Mark key={offset}>{decodeEntities(match[1] ?? "")}</Mark> : <span key={offset}>{decodeEntities(part)}</span>,
    );
    offset += part.length;
  }
  return <>{nodes}</>;
};
