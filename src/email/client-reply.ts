/** The email a person writes back to a client from Slack: their words, signed with the business name. */
export function renderClientReply(o: { text: string; businessName: string }): { text: string; html: string } {
  const body = o.text.replace(/\r\n?/g, '\n').trim();
  const text = `${body}\n\n--\n${o.businessName}\n`;
  const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const html = `<div>${escape(body).replace(/\n/g, '<br>')}</div><p>--<br>${escape(o.businessName)}</p>`;
  return { text, html };
}
