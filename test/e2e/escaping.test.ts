import { appHomeOpenedEvent } from '../support/fake-slack.js';
import { asanaTask, completedEvent } from '../support/fake-asana.js';
import { mrkdwnProblems, mrkdwnTexts } from '../support/mrkdwn.js';
import { startHarness, APPROVER, BILLING_CHANNEL, CLIENTS_YAML, type Harness } from '../support/harness.js';
import { findInvoiceBySource } from '../../src/store/invoices.js';
import { APPROVE_INVOICE } from '../../blocks/ids.js';

/**
 * Hostile names from outside reach Slack escaped, through the real app: a client named `<!channel>` in
 * the clients file and an Asana milestone named `Design <!here>` whose permalink is a `javascript:` URL.
 * The tests run in order: the last one approves the draft the first one made.
 */

const EVIL_CLIENT = `
  - id: evil
    name: "<!channel>"
    emails: [ap@evil.example]
    currency: USD
    paymentTermsDays: 7
    asanaProjects: ["1400"]
    finalMode: pause
`;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ clientsYaml: CLIENTS_YAML + EVIL_CLIENT });
});
afterAll(async () => h.stop());

/** Every problem in the mrkdwn of a Slack payload (no mention, command or link duebot did not make). */
const problemsIn = (payload: unknown) => mrkdwnTexts(payload).flatMap(({ at, text }) => mrkdwnProblems(text).map((p) => `${at}: ${p}`));

test('the draft of a hostile milestone for a hostile client is escaped, and the javascript: permalink is neither stored nor linked', async () => {
  h.asana.addTask({
    ...asanaTask({ gid: '7001', name: 'Design <!here>', completed: true, billing: true, amount: 1500, projectGid: '1400' }),
    permalink_url: 'javascript:alert(1)',
  });
  expect((await h.deliverAsana([completedEvent('7001')])).status).toBe(200);

  const draft = await h.slack.waitFor(() => h.slack.messages(BILLING_CHANNEL).find((m) => JSON.stringify(m.args).includes('Design')));
  const invoice = (await findInvoiceBySource(h.bot.services.db.pool, 'asana', '7001'))!;
  expect(invoice.milestone).toBe('Design <!here>');
  expect(invoice.sourceUrl).toBeNull();

  const payload = JSON.stringify(draft.args);
  expect(String(draft.args.text)).toContain(`Invoice ${invoice.number} · &lt;!channel&gt; · $1,500.00`);
  expect(payload).toContain('*Milestone*\\nDesign &lt;!here&gt;');
  expect(payload).not.toMatch(/javascript/i);
  expect(problemsIn(draft.args)).toEqual([]);
  // plain_text is not parsed by Slack: the header shows the name as written.
  expect((draft.args.blocks as { text: { type: string; text: string } }[])[0]!.text).toEqual({ type: 'plain_text', text: `Invoice ${invoice.number} · <!channel>`, emoji: true });
});

test('the Home tab and `/invoices client` show the client escaped', async () => {
  expect((await h.deliverSlackEvent(appHomeOpenedEvent(APPROVER))).status).toBe(200);
  const home = await h.slack.waitFor(() => h.slack.publishedHomes(APPROVER)[0]);
  const homeText = JSON.stringify(home.args.view);
  expect(homeText).toContain('*&lt;!channel&gt;*');
  expect(problemsIn(home.args.view)).toEqual([]);

  const before = h.slack.responses.length;
  expect((await h.slashCommand('client evil', APPROVER)).status).toBe(200);
  const answer = await h.slack.waitFor(() => h.slack.responses[before]);
  expect(answer.body.text).toMatch(/^&lt;!channel&gt;: /);
  expect(JSON.stringify(answer.body.blocks)).toContain('Client id `evil`');
  expect(problemsIn(answer.body)).toEqual([]);
});

test('a milestone nobody can invoice is reported escaped, its planted link percent-encoded so it cannot end early', async () => {
  h.asana.addTask({
    ...asanaTask({ gid: '7002', name: 'Setup <!channel>', completed: true, billing: true, amount: 100, projectGid: '9999' }),
    permalink_url: 'https://x.example/a>b<!here>',
  });
  expect((await h.deliverAsana([completedEvent('7002')])).status).toBe(200);
  const note = await h.slack.waitFor(() => h.slack.messages(BILLING_CHANNEL).find((m) => String(m.args.text).includes('cannot be invoiced')));
  expect(String(note.args.text)).toContain('Billing milestone Setup &lt;!channel&gt; was completed');
  expect(JSON.stringify(note.args.blocks)).toContain('*<https://x.example/a%3Eb%3C!here%3E|Setup &lt;!channel&gt;>*');
  expect(problemsIn(note.args)).toEqual([]);
});

test.each(['show <!channel>', 'list <!here>', 'client <@U123>', 'remind <!channel>', 'template friendly <@U123>', 'template <!here>', 'import <!here>', '<!channel>'])(
  '`/invoices %s` answers with the typed text escaped',
  async (command) => {
    const before = h.slack.responses.length;
    expect((await h.slashCommand(command, APPROVER)).status).toBe(200);
    const answer = await h.slack.waitFor(() => h.slack.responses[before]);
    expect(String(answer.body.text)).toMatch(/&lt;[!@]/);
    expect(problemsIn(answer.body)).toEqual([]);
  },
);

test('a payment link that is not http(s) is not stored: the email goes without it and Slack links nothing', async () => {
  h.stripe.hostInvoicesAt(() => 'javascript:alert(1)');
  const draft = (await findInvoiceBySource(h.bot.services.db.pool, 'asana', '7001'))!;
  await h.clickButton(APPROVE_INVOICE, draft.id, APPROVER);
  const email = await h.smtp.waitFor((m) => m.subject.includes(draft.number));
  const sent = await h.waitForStatus(draft.id, 'sent');
  expect(String([...h.stripe.invoices.values()][0]!.hosted_invoice_url)).toBe('javascript:alert(1)');
  expect(sent.paymentUrl).toBeNull();
  expect(`${email.text}${email.html}`).not.toMatch(/javascript/i);
  const note = await h.slack.waitFor(() => h.slack.calls.find((c) => String(c.args.text).startsWith(`:email: Invoice ${draft.number} sent`)));
  expect(String(note.args.text)).not.toContain('Payment link');
  expect(JSON.stringify(h.slack.calls)).not.toMatch(/javascript/i);
});
