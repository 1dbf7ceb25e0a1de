import { Anchor, Code } from "@mantine/core";
import { Fragment, type ReactNode } from "react";

/**
 * The markdown subset messages use — **bold**, _italic_ / *italic*, ~~strike~~, `code`, links and
 * line breaks — rendered as React elements, never as HTML, so message text cannot inject markup.
 * Only http(s) and mailto links become links.
 */
const TOKEN =
  /(\*\*[^*\n]+\*\*|~~[^~\n]+~~|`[^`\n]+`|\[[^\]\n]+\]\([^)\s]+\)|https?:\/\/[^\s<]+[^\s<.,:;"')\]!?]|(?<![\w*])\*[^*\n]+\*(?!\w)|(?<![\w_])_[^_\n]+_(?![\w]))/g;

const isSafeHref = (href: string) => /^(https?:\/\/|mailto:)/i.test(href);

const renderInline = (text: string, keyPrefix: string): ReactNode[] => {
  const nodes: ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(TOKEN)) {
    const token = match[0];
    const start = match.index ?? 0;
    if (start > last) nodes.push(text.slice(last, start));
    const key = `${keyPrefix}-${start}`;
    if (token.startsWith("**")) nodes.push(<strong key={key}>{renderInline(token.slice(2, -2), key)}</strong>);
    else if (token.startsWith("~~")) nodes.push(<s key={key}>{renderInline(token.slice(2, -2), key)}</s>);
    else if (token.startsWith("`")) nodes.push(<Code key={key}>{token.slice(1, -1)}</Code>);
    else if (token.startsWith("[")) {
      const label = token.slice(1, token.indexOf("]("));
      const href = token.slice(token.indexOf("](") + 2, -1);
      nodes.push(
        isSafeHref(href) ? (
          <Anchor key={key} href={href} target="_blank" rel="noopener noreferrer nofollow" inherit>
            {label}
          </Anchor>
        ) : (
          token
        ),
      );
    } else if (/^https?:\/\//i.test(token)) {
      nodes.push(
        <Anchor
          key={key}
          href={token}
          target="_blank"
          rel="noopener noreferrer nofollow"
          inherit
          style={{ wordBreak: "break-all" }}
        >
          {token}
        </Anchor>,
      );
    } else nodes.push(<em key={key}>{renderInline(token.slice(1, -1), key)}</em>);
    last = start + token.length;
  }
  if (last < text.length) nodes.push(text.slice(last));
  return nodes;
};

export const MarkdownText = ({ text }: { text: string }) => {
  const lines = text.split("\n");
  return (
    <>
      {lines.map((line, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: lines have no identity beyond their position.
        <Fragment key={index}>
          {renderInline(line, String(index))}
          {index < lines.length - 1 && <br />}
        </Fragment>
      ))}
    </>
  );
};
