import { MantineProvider } from "@mantine/core";
import type { ReactNode } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { HighlightedText } from "../../search/components/highlighted-text";
import { findTrigger } from "./composer";
import { MarkdownText } from "./markdown-text";

const render = (node: ReactNode) => renderToStaticMarkup(<MantineProvider>{node}</MantineProvider>);

describe("message text rendering", () => {
  it("renders the markdown subset as elements", () => {
    const html = render(<MarkdownText text={"**bold** and _soft_ and `code`\nsecond line [docs](https://example.test/a)"} />);
    expect(html).toContain("<strong>bold</strong>");
    expect(html).toContain("<em>soft</em>");
    expect(html).toMatch(/<code[^>]*>code<\/code>/);
    expect(html).toContain("<br/>");
    expect(html).toMatch(/<a[^>]*href="https:\/\/example.test\/a"[^>]*rel="noopener noreferrer nofollow"[^>]*>docs<\/a>/);
  });

  it("never turns message text into markup or a script link", () => {
    const html = render(<MarkdownText text={'<img src=x onerror="alert(1)"> [click](javascript:alert(1)) **<b>x</b>**'} />);
    expect(html).not.toContain("<img");
    expect(html).not.toContain('href="javascript');
    expect(html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
    expect(html).toContain("<strong>&lt;b&gt;x&lt;/b&gt;</strong>");
  });

  it("shows search highlights as <mark> and everything else as text", () => {
    const html = render(<HighlightedText html={"a &lt;script&gt; <mark>parcel</mark> &amp; more"} />);
    expect(html).toMatch(/<mark[^>]*>parcel<\/mark>/);
    expect(html).toContain("&lt;script&gt;");
    expect(html).not.toContain("<script");
  });
});

describe("composer triggers", () => {
  it('opens canned responses on "/" at the start of a reply or a note', () => {
    expect(findTrigger("/ref", 4, "reply")).toEqual({ kind: "canned", query: "ref", start: 0 });
    expect(findTrigger("see /ref", 8, "reply")).toBeNull();
  });

  it('offers members after "@" in private notes only', () => {
    expect(findTrigger("ping @Ala", 9, "note")).toEqual({ kind: "mention", query: "ala", start: 5 });
    expect(findTrigger("ping @Ala", 9, "reply")).toBeNull();
    expect(findTrigger("mail me@example.test", 20, "note")).toBeNull();
  });
});
