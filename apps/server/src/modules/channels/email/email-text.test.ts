import { describe, expect, it } from "vitest";
import { createSecretBox } from "../../../platform/crypto.ts";
import { emailDedupeKey, messageIdsIn, readHeaderFields } from "./email-headers.ts";
import { htmlToPlainText, markdownToEmailHtml, markdownToEmailText, sanitizeEmailHtml } from "./email-html.ts";
import { extractReplyText } from "./email-reply-text.ts";
import { makeReplyToken, readReplyToken, replyAddressFor, replyTokenIn } from "./email-reply-token.ts";

describe("reply text: what the customer wrote, without history or signature", () => {
  it("cuts Gmail's wrapped 'On … wrote:' and the quote under it", () => {
    const text =
      "Yes, Tuesday works.\n\nOn Tue, 3 Mar 2026 at 10:00, Acme Support <support+abc@acme.test>\nwrote:\n> Does Tuesday work?\n";
    expect(extractReplyText(text)).toBe("Yes, Tuesday works.");
  });

  it("cuts Outlook's header block and separator line", () => {
    const outlook =
      "Thanks!\r\n\r\n________________________________\r\nFrom: Acme Support <support@acme.test>\r\nSent: Tuesday, March 3, 2026 10:00\r\nTo: Ada\r\nSubject: Re: Order\r\n\r\nOld text";
    expect(extractReplyText(outlook)).toBe("Thanks!");
    const noLine = "Merci\n\nDe : Acme <support@acme.test>\nEnvoyé : mardi 3 mars 2026\nÀ : Ada\nObjet : Re: Commande\n\nvieux";
    expect(extractReplyText(noLine)).toBe("Merci");
  });

  it("cuts other languages' quote headers and forwarded-message separators", () => {
    expect(extractReplyText("Danke!\n\nAm 03.03.2026 um 10:00 schrieb Acme Support <support@acme.test>:\n> alt")).toBe("Danke!");
    expect(extractReplyText("Gracias\n\nEl mar, 3 mar 2026 a las 10:00, Acme escribió:\n> viejo")).toBe("Gracias");
    expect(extractReplyText("See below\n\n-----Original Message-----\nFrom: x")).toBe("See below");
  });

  it("drops the '-- ' signature, mobile signatures and inline '>' lines", () => {
    expect(extractReplyText("Hello\n-- \nAda Lovelace\nAnalytical Engines Ltd")).toBe("Hello");
    expect(extractReplyText("On my way\n\nSent from my iPhone")).toBe("On my way");
    expect(extractReplyText("> Is it red?\nYes, red.\n> And big?\nVery.")).toBe("Yes, red.\nVery.");
  });

  it("keeps a message that is all quote rather than showing nothing", () => {
    expect(extractReplyText("> only a quote")).toBe("> only a quote");
  });

  it("leaves ordinary text alone, including lines that merely start with 'On'", () => {
    const text = "On second thought, I'd like the blue one.\nThanks";
    expect(extractReplyText(text)).toBe(text);
  });
});

describe("reply tokens in plus-addresses", () => {
  const secrets = createSecretBox(Buffer.alloc(32, 3).toString("base64"));
  const conversationId = "01a1fc20-0357-7269-a73b-ecd3a96be7c6";

  it("round-trips, fits the local part and survives lowercasing", () => {
    const token = makeReplyToken(secrets, conversationId);
    expect(token).toMatch(/^[a-z2-7]{36}$/);
    expect(readReplyToken(secrets, token)).toBe(conversationId);
    const address = replyAddressFor("support@acme.test", token);
    expect(address).toBe(`support+${token}@acme.test`);
    expect(replyTokenIn("Support@Acme.test", ["someone@else.test", (address ?? "").toUpperCase()])).toBe(token);
  });

  it("refuses forged or tampered tokens and other keys' tokens", () => {
    const token = makeReplyToken(secrets, conversationId);
    const tampered = `${token.slice(0, 35)}${token.endsWith("a") ? "b" : "a"}`;
    expect(readReplyToken(secrets, tampered)).toBeNull();
    const other = createSecretBox(Buffer.alloc(32, 4).toString("base64"));
    expect(readReplyToken(other, token)).toBeNull();
    expect(readReplyToken(secrets, "short")).toBeNull();
  });

  it("leaves the token out when the address's local part is too long for it", () => {
    expect(replyAddressFor(`${"x".repeat(40)}@acme.test`, makeReplyToken(secrets, conversationId))).toBeNull();
  });
});

describe("mail HTML", () => {
  it("sanitises: no scripts, handlers, styles sheets, frames or unsafe links", () => {
    const html = sanitizeEmailHtml(
      '<style>body{}</style><p style="color:#333" onmouseover="x()">Hi <a href="javascript:alert(1)">a</a> <a href="https://ok.test">b</a></p><iframe src="https://evil.test"></iframe><img src="data:image/png;base64,AAA"><form><input></form>',
    );
    expect(html).toBe('<p style="color:#333;">Hi <a>a</a> <a href="https://ok.test">b</a></p><img>');
  });

  it("renders the markdown subset escaped, and a readable text twin", () => {
    const text = "**Bold** <i>not html</i> `a<b` [docs](https://acme.test/d?a=1&b=2) https://acme.test/x";
    const html = markdownToEmailHtml(text);
    expect(html).toContain("<strong>Bold</strong> &#60;i&#62;not html&#60;/i&#62; <code>a&#60;b</code>");
    expect(html).toContain('<a href="https://acme.test/d?a=1&#38;b=2">docs</a>');
    expect(html).toContain('<a href="https://acme.test/x">https://acme.test/x</a>');
    expect(markdownToEmailHtml("[x](javascript:alert(1))")).not.toContain("href");
    expect(markdownToEmailText(text)).toBe("Bold <i>not html</i> `a<b` docs <https://acme.test/d?a=1&b=2> https://acme.test/x");
  });

  it("turns HTML-only mail into text", () => {
    expect(htmlToPlainText("<p>Hello&nbsp;there &amp; bye</p><div>Line 2<br>Line 3</div>")).toBe(
      "Hello there & bye\nLine 2\nLine 3",
    );
  });
});

describe("headers read before parsing", () => {
  it("unfolds headers and keys a message by its Message-ID, or by its bytes", () => {
    const raw = Buffer.from(
      "From: a@b.test\r\nMessage-ID:\r\n <x1@b.test>\r\nReferences: <r1@b.test>\r\n <r2@b.test>\r\n\r\nMessage-ID: <not-a-header@b.test>\r\n",
    );
    const fields = readHeaderFields(raw);
    expect(emailDedupeKey(raw, fields)).toBe("message-id:x1@b.test");
    expect(messageIdsIn(fields.find((field) => field.name === "references")?.value)).toEqual(["r1@b.test", "r2@b.test"]);
    const anonymous = Buffer.from("From: a@b.test\r\n\r\nhi");
    expect(emailDedupeKey(anonymous, readHeaderFields(anonymous))).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});
