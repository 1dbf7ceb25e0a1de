/**
 * What the customer actually wrote: their reply without the quoted history their mail client
 * appends and without their signature. Agents read the full message in `content.html`.
 */

/** Lines that start the quoted original in the common clients and languages. */
const QUOTE_HEADER_PATTERNS: readonly RegExp[] = [
  /^On\b.+\bwrote:?$/i,
  /^Le\b.+\ba écrit\s*:?$/i,
  /^Am\b.+\bschrieb\b.*:?$/i,
  /^El\b.+\bescribió\s*:?$/i,
  /^Il\b.+\bha scritto\s*:?$/i,
  /^Op\b.+\bschreef\b.*:?$/i,
  /^Em\b.+\bescreveu\s*:?$/i,
  /^.{0,80}\b(написал|написала|napisał|napisała|skrev|kirjoitti)\b.*:$/i,
  /^-{2,}\s*(Original Message|Ursprüngliche Nachricht|Message d'origine|Mensaje original|Messaggio originale|Forwarded message)\s*-{2,}$/i,
  /^_{10,}$/,
];

/** An Outlook-style header block: "From: …" followed within a few lines by "Sent:"/"Date:" and "To:"/"Subject:". */
const isOutlookHeaderBlock = (lines: readonly string[], index: number): boolean => {
  // French typography puts a space before the colon ("De : …").
  if (!/^\*?(From|Von|De|Da|Van)\s?:\*?\s/i.test(lines[index] ?? "")) return false;
  const following = lines.slice(index + 1, index + 6).join("\n");
  return (
    /^\*?(Sent|Date|Gesendet|Envoyé|Enviado|Inviato|Verzonden)\s?:/im.test(following) &&
    /^\*?(To|Subject|An|À|Para|A|Aan|Betreff|Objet|Asunto|Oggetto|Onderwerp)\s?:/im.test(following)
  );
};

/** "On Tue, 3 Mar 2026 at 10:00, Ada <ada@example.com> wrote:" is often wrapped over two or three lines. */
const quoteHeaderAt = (lines: readonly string[], index: number): boolean => {
  const line = (lines[index] ?? "").trim();
  if (QUOTE_HEADER_PATTERNS.some((pattern) => pattern.test(line))) return true;
  if (isOutlookHeaderBlock(lines, index)) return true;
  if (/^(On|Le|Am|El|Il|Op|Em)\s/i.test(line)) {
    const joined = lines
      .slice(index, index + 3)
      .map((part) => part.trim())
      .join(" ");
    const upTo = joined.search(/(wrote|a écrit|schrieb|escribió|ha scritto|schreef|escreveu)\s*:?/i);
    return upTo !== -1 && upTo < 300;
  }
  return false;
};

/** Mobile clients' one-line signatures. */
const MOBILE_SIGNATURE =
  /^(Sent from my \w+|Sent from (Mail|Outlook|Yahoo Mail) for \w+|Get Outlook for \w+|Envoyé de mon \w+|Von meinem \w+ gesendet)/i;

export const extractReplyText = (text: string): string => {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  let end = lines.length;
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] ?? "";
    // RFC 3676 signature delimiter ("-- "); many clients trim the space.
    if (/^--\s?$/.test(line) || quoteHeaderAt(lines, index)) {
      end = index;
      break;
    }
  }
  const kept = lines.slice(0, end).filter((line) => !/^\s*>/.test(line));
  while (kept.length > 0 && (kept.at(-1)?.trim() === "" || MOBILE_SIGNATURE.test(kept.at(-1)?.trim() ?? ""))) kept.pop();
  while (kept.length > 0 && kept[0]?.trim() === "") kept.shift();
  const reply = kept.join("\n").trimEnd();
  // A message that is all quote (a forward with no comment) is better shown whole than empty.
  return reply === "" ? text.trim() : reply;
};
