import xss from "xss";

// A CommonJS package: Node only sees some of its exports by name.
const { FilterXSS, getDefaultWhiteList } = xss as unknown as typeof import("xss");

const EMAIL_TAGS = [
  "a",
  "abbr",
  "b",
  "blockquote",
  "br",
  "caption",
  "center",
  "code",
  "col",
  "colgroup",
  "dd",
  "del",
  "div",
  "dl",
  "dt",
  "em",
  "font",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "hr",
  "i",
  "img",
  "ins",
  "li",
  "ol",
  "p",
  "pre",
  "s",
  "small",
  "span",
  "strike",
  "strong",
  "sub",
  "sup",
  "table",
  "tbody",
  "td",
  "tfoot",
  "th",
  "thead",
  "tr",
  "u",
  "ul",
];
const COMMON_ATTRIBUTES = ["style", "title", "align", "dir", "lang", "class"];
const EXTRA_ATTRIBUTES: Record<string, string[]> = {
  a: ["href", "name", "target"],
  img: ["src", "alt", "width", "height"],
  td: ["colspan", "rowspan", "width", "height", "valign", "bgcolor"],
  th: ["colspan", "rowspan", "width", "height", "valign", "bgcolor"],
  table: ["width", "cellpadding", "cellspacing", "border", "bgcolor"],
  font: ["color", "face", "size"],
  col: ["span", "width"],
  ol: ["start", "type"],
};

const defaults = getDefaultWhiteList();
const whiteList = Object.fromEntries(
  EMAIL_TAGS.map((tag) => [
    tag,
    [...new Set([...(defaults[tag as keyof typeof defaults] ?? []), ...COMMON_ATTRIBUTES, ...(EXTRA_ATTRIBUTES[tag] ?? [])])],
  ]),
);

/** Links may go to the web or to mail; images only load from the web (no data: blobs, no local schemes). */
const isAllowedUrl = (attribute: string, value: string): boolean => {
  const url = value.trim().toLowerCase();
  if (attribute === "href") return /^(https?:|mailto:|#)/.test(url);
  return /^https?:/.test(url);
};

const sanitizer = new FilterXSS({
  whiteList,
  stripIgnoreTag: true,
  stripIgnoreTagBody: ["script", "style", "head", "title", "xml", "noscript", "template", "iframe", "object", "svg", "math"],
  allowCommentTag: false,
  onTagAttr: (_tag, name, value) => {
    if ((name === "href" || name === "src") && !isAllowedUrl(name, value)) return "";
    return undefined;
  },
});

/**
 * A customer's HTML mail made safe to show: scripts, styles sheets, event handlers, forms and
 * frames are dropped, links only to the web or mail; the text and layout stay readable.
 */
export const sanitizeEmailHtml = (html: string): string => sanitizer.process(html).trim();

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

const safeHref = (url: string): string | null => {
  try {
    const parsed = new URL(url);
    return ["http:", "https:", "mailto:"].includes(parsed.protocol) ? parsed.href : null;
  } catch {
    return null;
  }
};

/**
 * The markdown subset agents write (**bold**, *italic* or _italic_, ~~strike~~, `code`, ``` blocks,
 * [links](url), bare links, line breaks) as mail HTML. The text is escaped first, so nothing an
 * agent or a customer typed becomes markup.
 */
export const markdownToEmailHtml = (text: string): string => {
  const parts = text.replace(/\r\n?/g, "\n").split("```");
  if (parts.length % 2 === 0) {
    const unclosed = parts.pop() ?? "";
    parts.push(`${parts.pop() ?? ""}\`\`\`${unclosed}`);
  }
  const body = parts
    .map((part, index) =>
      index % 2 === 1
        ? `<pre style="background:#f4f4f5;padding:8px;border-radius:4px"><code>${escapeHtml(part.replace(/^\n/, ""))}</code></pre>`
        : renderInline(part).replace(/\n/g, "<br>\n"),
    )
    .join("");
  return `<div style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;font-size:14px;line-height:1.5">${body}</div>`;
};

const renderInline = (text: string): string => {
  const kept: string[] = [];
  const keep = (markup: string) => {
    kept.push(markup);
    return `\uE000${kept.length - 1}\uE000`;
  };
  let html = text
    .replace(/\uE000/g, "")
    .replace(/`([^`\n]+)`/g, (_match, code: string) => keep(`<code>${escapeHtml(code)}</code>`))
    .replace(/\[([^\]\n]+)\]\((\S+?)\)/g, (match, label: string, url: string) => {
      const href = safeHref(url);
      return href ? keep(`<a href="${escapeHtml(href)}">${escapeHtml(label)}</a>`) : match;
    })
    .replace(/\bhttps?:\/\/[^\s<]+[^\s<.,;:!?)\]'"]/g, (url) => {
      const href = safeHref(url);
      return href ? keep(`<a href="${escapeHtml(href)}">${escapeHtml(url)}</a>`) : url;
    });
  html = escapeHtml(html)
    .replace(/\*\*(?=\S)([^*\n]*?\S)\*\*/g, "<strong>$1</strong>")
    .replace(/(^|[^\w*])\*(?=\S)([^*\n]*?\S)\*(?!\w)/g, "$1<em>$2</em>")
    .replace(/(^|[^\w])_(?=\S)([^_\n]*?\S)_(?!\w)/g, "$1<em>$2</em>")
    .replace(/~~(?=\S)([^~\n]*?\S)~~/g, "<del>$1</del>");
  return html.replace(/\uE000(\d+)\uE000/g, (_match, index: string) => kept[Number(index)] ?? "");
};

/** The same text for plain-text mail readers: markers dropped, links spelled out. */
export const markdownToEmailText = (text: string): string =>
  text
    .replace(/\r\n?/g, "\n")
    .replace(/\[([^\]\n]+)\]\((\S+?)\)/g, (_match, label: string, url: string) => `${label} <${url}>`)
    .replace(/\*\*(?=\S)([^*\n]*?\S)\*\*/g, "$1")
    .replace(/~~(?=\S)([^~\n]*?\S)~~/g, "$1");

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

/** Readable text from (sanitised) HTML, for mail that has no plain-text part. */
export const htmlToPlainText = (html: string): string =>
  html
    .replace(/<(br|hr)\b[^>]*>/gi, "\n")
    .replace(/<\/(p|div|li|tr|h[1-6]|blockquote|pre|table)>/gi, "\n")
    .replace(/<[^>]*>/g, "")
    .replace(/&(#\d+|#x[\da-f]+|\w+);/gi, (match, entity: string) => {
      if (entity.startsWith("#x") || entity.startsWith("#X")) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
      if (entity.startsWith("#")) return String.fromCodePoint(Number(entity.slice(1)));
      return ENTITIES[entity.toLowerCase()] ?? match;
    })
    .replace(/[ \t]+\n/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
