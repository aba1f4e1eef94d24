// Intercom keeps a note's body as HTML: text becomes paragraphs (a blank line apart) with <br> line breaks, and a
// note read back becomes text again, so a call's "Label: value" lines can be found and parsed.
const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
const UNESC: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", nbsp: ' ' };

export function textToNoteHtml(text: string): string {
  return text.split(/\n{2,}/).map((p) => `<p>${p.replace(/[&<>"]/g, (c) => ESC[c]).replace(/\n/g, '<br>')}</p>`).join('');
}

export function noteHtmlToText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/p>\s*<p[^>]*>/gi, '\n\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_m, k: string) => UNESC[k])
    .trim();
}
