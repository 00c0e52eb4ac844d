/**
 * Local-only pages (`npm start`, `deps.local` set): the index of connected accounts, and viewers of
 * what the app put in a sandbox mailbox (a follow-up draft, an event email sent to the owner), read
 * through the sandbox's /_control API because the real Gmail and Outlook web links need the internet.
 * Never mounted on AWS.
 */
import type { Hono } from "hono";
import { html } from "hono/html";
import { type AccountRecord, listAccounts, loadAccount } from "@followthrough/core/accounts";
import PostalMime from "postal-mime";
import { type AppDeps, latestDigestWeek } from "./kit";
import type { Markup, PageKit } from "./pages";

/** The header the event emails carry (core/eventmail), naming their kind. */
const EVENT_MAIL_HEADER = "x-followthrough-event-mail";
const KIND_LABEL: Record<string, string> = { "morning-of": "Morning of", "morning-after": "Morning after" };

/** One event email as the sandbox holds it in the owner's sent mail. */
export interface SentEventMail {
  /** The Message-ID without its angle brackets: the viewer's key. */
  id: string;
  kind: string;
  subject: string;
  to: string;
  /** The text of the message, links written out. */
  text: string;
}

/** Mounts the local-only routes (nothing when `deps.local` is unset). */
export function mountLocal(app: Hono, deps: AppDeps, kit: PageKit): void {
  const local = deps.local;
  if (!local) return;
  const { page, say, linkFor } = kit;
  const base = deps.baseUrl.replace(/\/$/, "");
  /** The way back to the index: at the foot of the viewers, and from their 404s (helper-238 #12: those had no link at all). */
  const toIndex = { href: `${base}/`, text: "Back to your accounts" };
  const back = html`<a href="${toIndex.href}">${toIndex.text}</a>`;
  const viewerUrl = (account: string, id: string) => `${base}/local/sent/${encodeURIComponent(account.toLowerCase())}/${encodeURIComponent(id)}`;

  app.get("/", async (c) => {
    const accounts = await listAccounts(deps.repo);
    const rows = await Promise.all(
      accounts.map(async (a) => {
        const [week, mails] = await Promise.all([latestDigestWeek(deps.repo, a.email), sandboxEventMails(local.sandboxUrl, a).catch(() => [])]);
        return html`<li><span class="who">${a.email}</span> <span class="muted">(${a.provider}${a.status === "active" ? "" : `, ${a.status}`})</span><br>
${week ? html`<a href="${linkFor(c, a.email, "view")}?week=${week}">Digest ${week}</a> · ` : html`<span class="muted">No digest yet</span> · `}<a href="${linkFor(c, a.email, "events")}">Your events</a> · <a href="${linkFor(c, a.email, "settings")}">Settings</a>
${mails.length
  ? html`<br>Event emails sent:<ul>${mails.map((m) => html`<li><a href="${viewerUrl(a.email, m.id)}">${KIND_LABEL[m.kind] ?? m.kind}: ${m.subject}</a></li>`)}</ul>`
  : ""}</li>`;
      }),
    );
    // Each demo mailbox's date said: its digest's week ran Wednesday to Wednesday against settings'
    // "every Monday 8:00", unexplained (helper-208 #7).
    return page(
      c,
      200,
      "Local",
      html`<h1>Followthrough (local)</h1>
${accounts.length ? html`<ul>${rows}</ul>` : html`<p>No account is connected yet.</p>`}
<p><a class="button" href="${base}/connect">Connect an account</a></p>
<p class="muted">Here the provider sandbox plays Google and Microsoft: connecting picks one of its mailboxes. Sandbox: ${local.sandboxUrl}</p>
<p class="muted">Each demo mailbox lives at its own date (its fixture's "now"): its digest is the week up to that date, made when the demo started, whatever day its settings name. The demo sets a goal for each demo's mixer and sends the event emails at their due hours, as the dispatcher would: an email due after the demo's "this week" is a preview of what comes next.</p>`,
    );
  });

  app.get("/local/drafts/:account/:draftId", async (c) => {
    const account = await loadAccount(deps.repo, c.req.param("account"));
    if (!account) return say(c, 404, "Account not found", "We couldn't find this account.", toIndex);
    const draft = await sandboxDraft(local.sandboxUrl, account, c.req.param("draftId"));
    if (!draft) return say(c, 404, "Draft not found", "This draft is not in the mailbox any more.", toIndex);
    return page(
      c,
      200,
      "Draft",
      html`<h1>Draft in ${account.email}</h1>
<p class="muted">As it sits in the sandbox mailbox (${account.provider === "google" ? "Gmail" : "Outlook"} drafts).</p>
<dl><dt>To</dt><dd>${draft.to}</dd><dt>Subject</dt><dd>${draft.subject}</dd></dl>
<pre>${draft.body}</pre>
<h2>What next</h2>
<p>Open it in your Drafts folder, add a line only you could write (something you talked about, a link you promised), and send it.</p>
${kit.nav(c, account.email, { omit: ["events"], first: back })}`,
    );
  });

  app.get("/local/sent/:account/:id", async (c) => {
    const account = await loadAccount(deps.repo, c.req.param("account"));
    if (!account) return say(c, 404, "Account not found", "We couldn't find this account.", toIndex);
    const mail = (await sandboxEventMails(local.sandboxUrl, account)).find((m) => m.id === c.req.param("id"));
    if (!mail) return say(c, 404, "Email not found", "This event email is not in the mailbox's sent mail.", toIndex);
    return page(
      c,
      200,
      mail.subject || "Event email",
      html`<h1>${KIND_LABEL[mail.kind] ?? "Event"} email</h1>
<p class="muted">As sent through ${account.email}'s own mailbox (the sandbox's ${account.provider === "google" ? "Gmail" : "Outlook"} sent mail).</p>
<dl><dt>To</dt><dd>${mail.to}</dd><dt>Subject</dt><dd>${mail.subject}</dd></dl>
<pre>${linkify(mail.text, base)}</pre>
<p class="muted">In the demo this email went at its due hour, which can be after the demo's "this week": a preview.</p>
${kit.nav(c, account.email, { omit: ["settings"], first: back })}`,
    );
  });
}

/**
 * Builds the local draft landing: the app's own viewer of a sandbox draft (web links of Gmail/Outlook
 * need the internet), as a path on the origin the tap came to. An absolute URL named the printed
 * origin (http://localhost:…), and a page opened at http://127.0.0.1:… (the address the server binds)
 * then never got there: browsers apply the page's CSP form-action to the redirect after the tap's
 * POST, and another origin over http is neither 'self' nor https (kit APP_CSP; helper-275).
 */
export function localDraftLanding(): (account: AccountRecord, draft: { draftId: string; webLink: string }) => string {
  return (account, draft) => `/local/drafts/${encodeURIComponent(account.email.toLowerCase())}/${encodeURIComponent(draft.draftId)}`;
}

/** The app's own links in a text made clickable; everything else stays text (escaped when shown). */
function linkify(text: string, base: string): Markup[] {
  return text.split(/(https?:\/\/[^\s<>"]+)/).map((part, i) =>
    i % 2 === 1 && part.startsWith(`${base}/`) ? html`<a href="${part}">${part}</a>` : html`${part}`,
  );
}

const controlUrl = (sandboxUrl: string, account: AccountRecord, what: "drafts" | "sent") =>
  new URL(`/_control/accounts/${encodeURIComponent(account.email)}/${account.provider === "google" ? "gmail" : "graph"}/${what}`, sandboxUrl);

/** The event emails in the account's sandbox sent mail, oldest first. */
export async function sandboxEventMails(sandboxUrl: string, account: AccountRecord): Promise<SentEventMail[]> {
  const res = await fetch(controlUrl(sandboxUrl, account, "sent"));
  if (!res.ok) throw new Error(`sandbox sent mail: HTTP ${res.status}`);
  const bare = (id: string | undefined) => (id ?? "").trim().replace(/^<|>$/g, "");
  if (account.provider === "google") {
    const list = (await res.json()) as { headers: Record<string, string>; raw: string }[];
    const out: SentEventMail[] = [];
    for (const m of list) {
      const h = Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k.toLowerCase(), v]));
      if (!h[EVENT_MAIL_HEADER]) continue;
      const parsed = await PostalMime.parse(m.raw);
      out.push({ id: bare(h["message-id"]), kind: h[EVENT_MAIL_HEADER], subject: h.subject ?? "", to: h.to ?? "", text: parsed.text ?? htmlText(parsed.html ?? "") });
    }
    return out;
  }
  type GraphSent = {
    subject?: string;
    internetMessageId?: string;
    internetMessageHeaders?: { name: string; value: string }[];
    toRecipients?: { emailAddress: { name?: string; address: string } }[];
    body?: { contentType?: string; content?: string };
  };
  const list = (await res.json()) as GraphSent[];
  return list.flatMap((m) => {
    const kind = (m.internetMessageHeaders ?? []).find((x) => x.name.toLowerCase() === EVENT_MAIL_HEADER)?.value;
    if (!kind) return [];
    const content = m.body?.content ?? "";
    return [{ id: bare(m.internetMessageId), kind, subject: m.subject ?? "", to: recipients(m.toRecipients), text: m.body?.contentType?.toLowerCase() === "html" ? htmlText(content) : content }];
  });
}

const recipients = (list: { emailAddress: { name?: string; address: string } }[] | undefined) =>
  (list ?? []).map((r) => (r.emailAddress.name && r.emailAddress.name !== r.emailAddress.address ? `${r.emailAddress.name} <${r.emailAddress.address}>` : r.emailAddress.address)).join(", ");

/** A draft as the sandbox holds it: To, Subject and the body text. */
async function sandboxDraft(sandboxUrl: string, account: AccountRecord, draftId: string): Promise<{ to: string; subject: string; body: string } | undefined> {
  const google = account.provider === "google";
  const res = await fetch(controlUrl(sandboxUrl, account, "drafts"));
  if (!res.ok) throw new Error(`sandbox drafts: HTTP ${res.status}`);
  if (google) {
    const list = (await res.json()) as { draftId?: string; headers: Record<string, string>; raw: string }[];
    const d = list.find((x) => x.draftId === draftId);
    if (!d) return undefined;
    const parsed = await PostalMime.parse(d.raw);
    return { to: d.headers.To ?? "", subject: d.headers.Subject ?? "", body: parsed.text ?? stripTags(parsed.html ?? "") };
  }
  const list = (await res.json()) as { id: string; subject?: string; toRecipients?: { emailAddress: { name?: string; address: string } }[]; body?: { contentType?: string; content?: string } }[];
  const m = list.find((x) => x.id === draftId);
  if (!m) return undefined;
  const content = m.body?.content ?? "";
  return { to: recipients(m.toRecipients), subject: m.subject ?? "", body: m.body?.contentType?.toLowerCase() === "html" ? stripTags(content) : content };
}

/** Text of an HTML body with each link's target written after its words, for display only. */
const htmlText = (s: string) => stripTags(s.replace(/<a\s[^>]*href="([^"]*)"[^>]*>([\s\S]*?)<\/a>/gi, "$2: $1").replace(/<\/(h1|h2|li|ul)>/gi, "$&\n"));

/** Text of an HTML body, for display only (the result is escaped when shown). */
const stripTags = (s: string) =>
  s
    .replace(/<(script|style|title)[\s\S]*?<\/\1>/gi, "")
    .replace(/<br\s*\/?>|<\/p>/gi, "\n")
    .replace(/<[^>]*>/g, "")
    .replace(/&nbsp;/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
