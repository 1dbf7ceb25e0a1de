/**
 * The small Markdown subset chat messages use: **bold**, *italic* / _italic_, ~~strike~~,
 * `code`, ``` blocks ```, [links](https://…), bare http(s) links and line breaks. Everything
 * else is text: the input is HTML-escaped first, so no markup from a message can reach the DOM.
 */

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character);

/** Only web and mail links; `javascript:` and friends stay text. */
export const safeHref = (url: string): string | null => {
  try {
    const parsed = new URL(url);
    return ["http:", "https:", "mailto:"].includes(parsed.protocol) ? parsed.href : null;
  } catch {
    return null;
  }
};

const link = (href: string, label: string) =>
  `<a href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer nofollow">${label}</a>`;

/** Inline rules on already-escaped text; code spans are cut out first so nothing inside them is formatted. */
const renderInline = (escaped: string): string => {
  const codes: string[] = [];
  let html = escaped.replace(/`([^`\n]+)`/g, (_match, code: string) => {
    codes.push(`<code>${code}</code>`);
    return `\uE000${codes.length - 1}\uE000`;
  });
  const links: string[] = [];
  const keep = (markup: string) => {
    links.push(markup);
    return `\uE001${links.length - 1}\uE001`;
  };
  // [label](url): the URL was escaped with the rest, so un-escape &amp; before checking it.
  html = html.replace(/\[([^\]\n]+)\]\((\S+?)\)/g, (match, label: string, url: string) => {
    const href = safeHref(url.replace(/&amp;/g, "&"));
    return href ? keep(link(href, label)) : match;
  });
  html = html.replace(/\bhttps?:\/\/[^\s<]+[^\s<.,;:!?)\]'"]/g, (url) => {
    const href = safeHref(url.replace(/&amp;/g, "&"));
    return href ? keep(link(href, url)) : url;
  });
  html = html
    .replace(/\*\*(?=\S)([^*\n]*?\S)\*\*/g, "<strong>$1</strong>")
    .replace(/(^|[^\w*])\*(?=\S)([^*\n]*?\S)\*(?!\w)/g, "$1<em>$2</em>")
    .replace(/(^|[^\w])_(?=\S)([^_\n]*?\S)_(?!\w)/g, "$1<em>$2</em>")
    .replace(/~~(?=\S)([^~\n]*?\S)~~/g, "<del>$1</del>");
  return html
    .replace(/\uE001(\d+)\uE001/g, (_match, index: string) => links[Number(index)] ?? "")
    .replace(/\uE000(\d+)\uE000/g, (_match, index: string) => codes[Number(index)] ?? "");
};

/** Renders a message's text to HTML that is safe to insert. */
export const renderMarkdown = (text: string): string => {
  // Two private-use characters are our placeholders; they have no business in a chat message anyway.
  const escaped = escapeHtml(text.replace(/[\uE000\uE001]/g, ""));
  const parts = escaped.split("```");
  // An unclosed fence is literal text, not the start of a block that swallows the rest.
  if (parts.length % 2 === 0) {
    const unclosed = parts.pop() ?? "";
    parts.push(`${parts.pop() ?? ""}\`\`\`${unclosed}`);
  }
  return parts
    .map((part, index) => {
      if (index % 2 === 1) return `<pre><code>${part.replace(/^\n/, "")}</code></pre>`;
      return renderInline(part).replace(/\n/g, "<br>");
    })
    .join("");
};
