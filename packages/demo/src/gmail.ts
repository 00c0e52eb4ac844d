// Renders a Mailbox's messages as Gmail API v1 Message resources in the
// shape `users.messages.get?format=metadata` returns.

import type { Addr, Mailbox, Message } from "./model.ts";
import { ALNUM, HEX, escapeHtml, headerAddress, local, mailDate, rand } from "./util.ts";

interface Header {
  name: string;
  value: string;
}

const addrText = (a: Addr) => headerAddress(a.name === null ? undefined : (a.name ?? a.p.name), a.email ?? a.p.email, a.encoded ? "encoded" : undefined);
const listText = (xs: Addr[]) => xs.map(addrText).join(", ");
const domainOf = (email: string) => email.split("@")[1].toLowerCase();

export function renderGmail(mb: Mailbox): unknown[] {
  const id = mb.cfg.id;
  const byTime = [...mb.messages].sort((a, b) => a.at.getTime() - b.at.getTime() || a.key.localeCompare(b.key));

  // Gmail ids carry the time in their high bits; history ids only grow.
  const gid = new Map<string, string>();
  const hist = new Map<string, string>();
  let history = 4_180_000 + rand(id, "history").int(0, 400_000);
  for (const m of byTime) {
    const low = BigInt(rand(id, m.key, "id").int(0, 0xfffff));
    gid.set(m.key, ((BigInt(m.at.getTime()) << 20n) | low).toString(16));
    history += rand(id, m.key, "h").int(35, 1900);
    hist.set(m.key, String(history));
  }
  const threads = new Map<string, Message[]>();
  for (const m of byTime) threads.set(m.thread, [...(threads.get(m.thread) ?? []), m]);

  const messageId = new Map<string, string>();
  for (const m of byTime) {
    const r = rand(id, m.key, "msgid");
    const sender = (m.from.email ?? m.from.p.email).toLowerCase();
    const domain = domainOf(sender);
    if (m.from.p.kind === "owner" || domain === "gmail.com" || domain === "googlemail.com")
      messageId.set(m.key, `<CA${r.text(2, "ABCDEFGHJKLMNPQRSTUVWXYZ")}${r.text(44, ALNUM + "+_-")}@mail.gmail.com>`);
    else if (sender.startsWith("calendar-notification@"))
      messageId.set(m.key, `<calendar-${r.text(8, HEX)}-${r.text(4, HEX)}-${r.text(4, HEX)}-${r.text(4, HEX)}-${r.text(12, HEX)}@google.com>`);
    else messageId.set(m.key, `<${r.text(24, HEX)}.${r.int(1000, 99999)}@${domain}>`);
  }

  const rendered = byTime.map((m) => {
    const r = rand(id, m.key, "render");
    const H: Header[] = [];
    const h = (name: string, value: string | undefined) => {
      if (value) H.push({ name, value });
    };
    const zone = m.from.p.kind === "owner" ? mb.zone : (m.from.p.zone ?? mb.zone);
    const earlier = (threads.get(m.thread) ?? []).filter((x) => x.at.getTime() < m.at.getTime());
    const boundary = `0000000000${r.text(18, HEX)}`;
    const base = m.contentType ?? "multipart/alternative";
    const contentType = base.startsWith("multipart/") && !base.includes(";") ? `${base}; boundary="${boundary}"` : base;
    const inbound = m.folder === "inbox";
    if (inbound) {
      h("Delivered-To", mb.owner.email);
      const rcvd = new Date(m.at.getTime() + r.int(1, 4) * 1000);
      const pacific = local(rcvd, "America/Los_Angeles").off === -420 ? "PDT" : "PST";
      h("Received", `by 2002:a17:${r.text(3, HEX)}:${r.text(4, HEX)}:b0:${r.text(4, HEX)} with SMTP id ${r.text(2, "abcdefghijklmnopqrstuvwxyz")}${r.int(10, 99)}csp${r.int(100000, 999999)}${r.text(3, "abcdefghijklmnopqrstuvwxyz")};        ${mailDate(rcvd, "America/Los_Angeles")} (${pacific})`);
      h("Return-Path", `<${m.from.email ?? m.from.p.email}>`);
      h("MIME-Version", "1.0");
      h("From", addrText(m.from));
      h("Date", mailDate(m.at, zone));
    } else {
      h("MIME-Version", "1.0");
      h("Date", mailDate(m.at, zone));
    }
    if (earlier.length) {
      h("References", earlier.map((x) => messageId.get(x.key)).join(" "));
      h("In-Reply-To", messageId.get(earlier[earlier.length - 1].key));
    }
    h("Message-ID", messageId.get(m.key));
    h("Subject", m.subject);
    if (!inbound) h("From", addrText(m.from));
    h("To", listText(m.to));
    h("Cc", listText(m.cc));
    if (!inbound) h("Bcc", listText(m.bcc));
    h("Content-Type", contentType);

    let labels: string[];
    if (m.folder === "sent") labels = ["SENT"];
    else if (m.folder === "draft") labels = ["DRAFT"];
    else {
      const unread = mb.now.getTime() - m.at.getTime() < 3 * 86_400_000 && r.next() < 0.7;
      const cat = m.category === "updates" ? ["CATEGORY_UPDATES"] : m.category === "promotions" ? ["CATEGORY_PROMOTIONS"]
        : m.category === "forums" ? ["CATEGORY_FORUMS"] : ["IMPORTANT", "CATEGORY_PERSONAL"];
      labels = [...(unread ? ["UNREAD"] : []), ...cat, "INBOX"];
    }
    const headerBytes = H.reduce((n, x) => n + x.name.length + x.value.length + 4, 0);
    return {
      id: gid.get(m.key),
      threadId: gid.get((threads.get(m.thread) ?? [m])[0].key),
      labelIds: labels,
      snippet: escapeHtml((m.text || "").replace(/\s+/g, " ").trim().slice(0, 140)),
      payload: { partId: "", mimeType: contentType.split(";")[0], filename: "", headers: H },
      sizeEstimate: headerBytes + m.text.length * 3 + r.int(1200, 7400),
      historyId: hist.get(m.key),
      internalDate: String(m.at.getTime()),
    };
  });
  // messages.list returns the newest first
  return rendered.reverse();
}
