import { describe, expect, it } from "vitest";
import { escapeHtml, renderMarkdown, safeHref } from "./markdown.ts";

describe("renderMarkdown", () => {
  it("formats the chat subset", () => {
    expect(renderMarkdown("**bold** and *italic* and _also_ and ~~gone~~")).toBe(
      "<strong>bold</strong> and <em>italic</em> and <em>also</em> and <del>gone</del>",
    );
    expect(renderMarkdown("run `npm start`")).toBe("run <code>npm start</code>");
    expect(renderMarkdown("line one\nline two")).toBe("line one<br>line two");
    expect(renderMarkdown("```\nconst a = 1;\n```")).toBe("<pre><code>const a = 1;\n</code></pre>");
  });

  it("escapes every piece of HTML in the text", () => {
    expect(renderMarkdown('<img src=x onerror="alert(1)">')).toBe("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
    expect(renderMarkdown("<script>alert('x')</script>")).toBe("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
    expect(renderMarkdown("**<b>nested</b>**")).toBe("<strong>&lt;b&gt;nested&lt;/b&gt;</strong>");
    expect(renderMarkdown("`<i>`")).toBe("<code>&lt;i&gt;</code>");
  });

  it("links only web and mail addresses, opening them safely", () => {
    expect(renderMarkdown("[docs](https://example.com/a?b=1&c=2)")).toBe(
      '<a href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer nofollow">docs</a>',
    );
    expect(renderMarkdown("see https://example.com/x.")).toBe(
      'see <a href="https://example.com/x" target="_blank" rel="noopener noreferrer nofollow">https://example.com/x</a>.',
    );
    expect(renderMarkdown("[click](javascript:alert(1))")).toBe("[click](javascript:alert(1))");
    expect(renderMarkdown('[x](https://a.example/"onmouseover="alert(1))')).not.toContain('"onmouseover');
  });

  it("does not format inside code or across an unclosed fence", () => {
    expect(renderMarkdown("`**not bold**`")).toBe("<code>**not bold**</code>");
    expect(renderMarkdown("a ``` b **c**")).toBe("a ``` b <strong>c</strong>");
    expect(renderMarkdown("2*3*4 and snake_case_name")).toBe("2*3*4 and snake_case_name");
  });

  it("drops the characters it uses internally", () => {
    expect(renderMarkdown("a\uE000b\uE001c")).toBe("abc");
  });
});

describe("helpers", () => {
  it("escapeHtml escapes the five special characters", () => {
    expect(escapeHtml(`&<>"'`)).toBe("&amp;&lt;&gt;&quot;&#39;");
  });

  it("safeHref keeps http(s) and mailto only", () => {
    expect(safeHref("https://a.example/")).toBe("https://a.example/");
    expect(safeHref("mailto:a@b.example")).toBe("mailto:a@b.example");
    expect(safeHref("javascript:alert(1)")).toBeNull();
    expect(safeHref("data:text/html,x")).toBeNull();
    expect(safeHref("not a url")).toBeNull();
  });
});
