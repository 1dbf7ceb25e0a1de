export type RenderedMail = { subject: string; text: string; html: string };

const escapeHtml = (value: string): string =>
  value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");

/**
 * One layout for every transactional mail: a heading, paragraphs, an optional button and an
 * optional code, in plain text and HTML. Everything interpolated is escaped.
 */
export const renderMail = (input: {
  subject: string;
  heading: string;
  paragraphs: string[];
  action?: { label: string; url: string };
  code?: string;
  footer?: string;
}): RenderedMail => {
  const footer = input.footer ?? "You receive this because of your Parley account. If you did not expect it, you can ignore it.";
  const text = [
    input.heading,
    "",
    ...input.paragraphs.flatMap((paragraph) => [paragraph, ""]),
    ...(input.code ? [input.code, ""] : []),
    ...(input.action ? [`${input.action.label}: ${input.action.url}`, ""] : []),
    "—",
    footer,
  ].join("\n");
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#1a1b1e;max-width:560px;margin:0 auto;padding:24px">
<h1 style="font-size:20px">${escapeHtml(input.heading)}</h1>
${input.paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`).join("\n")}
${input.code ? `<p style="font-size:28px;letter-spacing:6px;font-weight:700">${escapeHtml(input.code)}</p>` : ""}
${input.action ? `<p><a href="${escapeHtml(input.action.url)}" style="display:inline-block;background:#1c7ed6;color:#fff;padding:10px 18px;border-radius:6px;text-decoration:none">${escapeHtml(input.action.label)}</a></p><p style="font-size:12px;color:#868e96">${escapeHtml(input.action.url)}</p>` : ""}
<hr style="border:none;border-top:1px solid #e9ecef"><p style="font-size:12px;color:#868e96">${escapeHtml(footer)}</p>
</body></html>`;
  return { subject: input.subject, text, html };
};
