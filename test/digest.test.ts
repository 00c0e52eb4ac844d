import { randomBytes } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIGEST_BODY_MAX_BYTES, digestBodyFor, digestMail, digestMessageId, EMAIL_LIST_MAX, isoWeek, packDigestBody, renderDigest, sendDigestOnce, unpackDigest } from "@followthrough/core/digest";
import { digestHasBody, loadDigest, type StoredDigest } from "@followthrough/core/digest-store";
import { setGoal } from "@followthrough/core/events";
import { composeFollowUp, dismissFollowUp, draftFollowUp, humanDate, undoDismiss } from "@followthrough/core/followup";
import { normalizeAddress } from "@followthrough/core/identity";
import { openLink } from "@followthrough/core/links";
import { scan } from "@followthrough/core/scan";
import { keys, Repository } from "@followthrough/core/storage";
import { prepareDigest, runWeekly, withLearnedIdentity } from "@followthrough/core/weekly";
import PostalMime from "postal-mime";
import { sharedPresent, ownFixture, root, sharedFixture } from "./support/fixtures";
import { type ScanHarness, startScanHarness } from "./support/scan-harness";

/** Joins folded header lines (RFC 5322 2.2.3). */
const unfold = (head: string) => head.replace(/\r?\n[ \t]+/g, " ");
const links = { baseUrl: "https://app.followthrough.test", key: "test-link-key" };
const mailboxes = [ownFixture("demo-google"), ownFixture("demo-microsoft"), ...(sharedPresent() ? [sharedFixture("google-founder"), sharedFixture("outlook-consultant")] : [])];

/** Messages the sandbox holds as sent through the API, with their subjects and raw headers. */
async function sentThroughApi(h: ScanHarness): Promise<{ subject: string; raw: string }[]> {
  const enc = encodeURIComponent(h.email);
  if (h.fixture.account.provider === "google") {
    const list = await h.control<{ headers: Record<string, string>; raw: string }[]>("GET", `/_control/accounts/${enc}/gmail/sent`);
    return list.map((m) => ({ subject: m.headers.Subject ?? "", raw: m.raw }));
  }
  const list = await h.control<{ subject?: string; internetMessageHeaders?: { name: string; value: string }[] }[]>("GET", `/_control/accounts/${enc}/graph/sent`);
  return list.map((m) => ({ subject: m.subject ?? "", raw: (m.internetMessageHeaders ?? []).map((x) => `${x.name}: ${x.value}`).join("\r\n") }));
}

describe.each(mailboxes)("weekly digest of %s", (dir) => {
  let h: ScanHarness;
  let now: number;
  beforeAll(async () => {
    h = await startScanHarness({ fixture: dir, pageSize: 50 });
    now = Date.parse(h.expected.now);
    await h.setClock(now);
  });
  afterAll(() => h?.close());

  it("names exactly the expected missing follow-ups, newest first, each with its own draft and dismiss links", async () => {
    const scanned = await h.scan(now);
    const { digest, rendered } = await prepareDigest({ repo: h.repo, account: h.account(), now, links });
    const want = h.expected.missingFollowUps.map((a) => normalizeAddress(a)).sort();
    expect(digest.missing.map((m) => m.email).sort()).toEqual(want);
    // Newest first (the email shows the first of a long list): by the first meeting's start, the
    // date each card shows, then by address.
    expect(scanned.missingFollowUps.length).toBe(digest.missing.length);
    const order = digest.missing.map((m) => [Date.parse(m.metAt), m.email] as const);
    expect(new Set(order.map(([t]) => t)).size, "meetings at distinct times, so that the order says something").toBeGreaterThan(1);
    expect(order).toEqual([...order].sort((a, b) => b[0] - a[0] || (a[1] < b[1] ? -1 : 1)));
    const urls = digest.missing.flatMap((m) => [m.draftUrl, m.dismissUrl]);
    expect(new Set(urls).size).toBe(urls.length);
    for (const [i, m] of digest.missing.entries()) {
      const token = m.draftUrl.split("/").pop()!;
      expect(openLink(links.key, token, now, { act: "draft", acc: h.email })).toMatchObject({ per: m.email });
      // The email lists the first EMAIL_LIST_MAX (core/digest/render), its browser copy every one.
      if (i < EMAIL_LIST_MAX) expect(rendered.html).toContain(m.draftUrl.replace(/&/g, "&amp;"));
      expect(rendered.webHtml ?? rendered.html).toContain(m.draftUrl.replace(/&/g, "&amp;"));
      expect(rendered.text).toContain(m.draftUrl);
      expect(rendered.text).toContain(m.dismissUrl);
    }
    // Followed up and the other new people: newest first, as the waiting list (helper-240 #6, helper-242 #6).
    for (const list of [digest.wins, digest.newPeople]) {
      const met = list.map((w) => Date.parse(w.metAt));
      expect(met).toEqual([...met].sort((a, b) => b - a));
    }
    // Each person in one of the people lists only (waiting, new, followed up).
    const listed = [...digest.missing, ...digest.newPeople, ...digest.wins].map((p) => p.email);
    expect(new Set(listed).size).toBe(listed.length);
    // "today" / "yesterday" agree with the date shown: both in the owner's zone.
    const tz = h.account().timeZone;
    for (const p of [...digest.missing, ...digest.newPeople, ...digest.wins]) {
      if (p.daysAgo === 0) expect(p.metOn, p.email).toBe(humanDate(now, tz));
      if (p.daysAgo === 1) expect(p.metOn, p.email).toBe(humanDate(now - 86_400_000, tz));
    }
    // The rate is stated with its own denominator, and activity is never coloured as good or bad.
    expect(rendered.text).toMatch(/Of the \d+ (person|people) you met 1–30 days ago, \d+ (has|have) been followed up \(\d+%\)|Nobody you met 1–30 days ago is waiting/);
    expect(rendered.text).not.toMatch(/followed up\)/);
    expect(digest.metrics.hoursAtMeetingsAndEvents.value).toBeGreaterThan(0);
    expect(rendered.text).toMatch(/Hours at meetings & events: \d+(\.5)? \(/);
  });

  it("sends exactly once when two runs race, and again finds it already sent", async () => {
    const account = h.account();
    const [a, b] = await Promise.all([
      runWeekly({ repo: h.repo, provider: h.provider, account, now, links }),
      runWeekly({ repo: h.repo, provider: h.provider, account, now, links }),
    ]);
    // One sends; the other finds its claim (in progress) or, when the send was quicker than its own
    // build, the sent record (already sent): which depends on timing, one send does not.
    const [sent, other] = [a.outcome, b.outcome].sort((x, y) => Number(y === "sent") - Number(x === "sent"));
    expect(sent).toBe("sent");
    expect(["in-progress", "already-sent"]).toContain(other);
    const again = await runWeekly({ repo: h.repo, provider: h.provider, account, now, links });
    expect(again.outcome).toBe("already-sent");
    const digests = (await sentThroughApi(h)).filter((m) => m.subject === a.rendered.subject);
    expect(digests).toHaveLength(1);
    expect(unfold(digests[0].raw)).toMatch(/List-Unsubscribe:\s*<https:\/\/app\.followthrough\.test\/l\/pause\/[A-Za-z0-9_-]+>/i);
  });

  it("builds the digest on the meetings and sent messages its scan read (not read again); people and statements are read fresh", async () => {
    const reads = new Map<string, number>();
    class CountingRepository extends Repository {
      override query(pk: string, prefix: string) {
        reads.set(prefix, (reads.get(prefix) ?? 0) + 1);
        return super.query(pk, prefix);
      }
    }
    const repo = new CountingRepository(h.repo.doc, h.repo.table);
    const later = now + 7 * 86_400_000;
    await h.setClock(later);
    await scan({ owner: h.account(), provider: h.provider, repo, now: later });
    const byScan = new Map(reads);
    reads.clear();
    const weekly = await runWeekly({ repo, provider: h.provider, account: h.account(), now: later + 60_000, links });
    expect(weekly.outcome).toBe("sent");
    const { meeting, message, person, says } = keys.prefix;
    for (const prefix of [meeting, message, person, says]) expect(byScan.get(prefix), prefix).toBeGreaterThanOrEqual(1);
    expect({ [meeting]: reads.get(meeting), [message]: reads.get(message) }).toEqual({ [meeting]: byScan.get(meeting), [message]: byScan.get(message) });
    expect({ [person]: reads.get(person), [says]: reads.get(says) }).toEqual({ [person]: byScan.get(person)! + 1, [says]: byScan.get(says)! + 1 });
    // And the digest is the one built from the stored data (for the owner as the scan saw them).
    const account = withLearnedIdentity(h.account(), weekly.scan.owner);
    const { digest } = await prepareDigest({ repo: h.repo, account, now: later + 60_000, links });
    // (Links are sealed with a fresh nonce each time: compared without their tokens.)
    const unsealed = (d: unknown) => JSON.parse(JSON.stringify(d).replace(/\/l\/([a-z-]+)\/[A-Za-z0-9_-]+/g, "/l/$1/TOKEN"));
    expect(weekly.digest.missing.length + weekly.digest.newPeople.length).toBeGreaterThan(0);
    expect(unsealed(weekly.digest)).toEqual(unsealed(digest));
  });

  it("honours a dismissal the owner made after the scan read the people: the digest on the scan's records reads the people fresh", async () => {
    const later = now + 14 * 86_400_000;
    await h.setClock(later);
    const result = await scan({ owner: h.account(), provider: h.provider, repo: h.repo, now: later });
    const before = await prepareDigest({ repo: h.repo, account: h.account(), now: later, links, scanned: result.read });
    const waiting = before.digest.missing[0];
    expect(waiting, "a missing follow-up to dismiss").toBeDefined();
    expect(await dismissFollowUp(h.repo, h.email, waiting.email)).toBe(true);
    const after = await prepareDigest({ repo: h.repo, account: h.account(), now: later, links, scanned: result.read });
    expect(after.digest.missing.map((m) => m.email)).not.toContain(waiting.email);
    expect(after.digest.missing).toHaveLength(before.digest.missing.length - 1);
    await undoDismiss(h.repo, h.email, waiting.email);
  });
});

describe.skipIf(!sharedPresent())("the digest's events on google-eventgoer (issue 11)", () => {
  it("Coming up and Your events as the scan finds them, a goal set, the events link; drafts of people met at an event use the event template", async () => {
    const dir = sharedFixture("google-eventgoer");
    const h = await startScanHarness({ fixture: dir, pageSize: 50 });
    try {
      const now = Date.parse(h.expected.now);
      await h.setClock(now);
      const r = await h.scan(now);
      const exp = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as { upcomingEvents: string[]; attendedEvents: string[] };
      const mixer = "b9fqqjc9spae0ovijc3g65lpb1"; // "Founders Mixer — Shoreditch", upcoming by keyword
      await setGoal(h.repo, h.account(), mixer, 3, now);
      const { digest, rendered } = await prepareDigest({ repo: h.repo, account: h.account(), now, links });
      expect(digest.events.upcoming.map((e) => e.eventId).sort()).toEqual([...exp.upcomingEvents].sort());
      expect(digest.events.attended.map((e) => e.eventId).sort()).toEqual([...exp.attendedEvents].sort());
      const m = digest.events.upcoming.find((e) => e.eventId === mixer)!;
      expect(m.goal).toBe(3);
      expect(openLink(links.key, m.goalUrl.split("/").pop()!, now, { act: "goal", acc: h.email }).evt).toBe(mixer);
      expect(rendered.text).toContain(`Your goal: meet 3 new people.\n  Change the goal for ${m.title}: ${m.goalUrl}`);
      for (const e of digest.events.upcoming.filter((x) => x.goal === undefined)) expect(rendered.text).toContain(`Set a goal for ${e.title}: ${e.goalUrl}`);
      // Each attended event's result is the scan's: the new people met there and how many were followed up.
      for (const e of digest.events.attended) {
        const found = r.networkingEvents!.attended.find((x) => x.eventId === e.eventId)!;
        expect(e.met.map((p) => p.email).sort(), e.title).toEqual(found.met.map((c) => c.email).sort());
        expect(e.followedUp, e.title).toBe(found.followedUp.length);
        expect(rendered.text).toContain(e.metUrl);
        expect(rendered.html).toContain(e.metUrl);
      }
      expect(digest.events.attended.some((e) => e.met.length > 0)).toBe(true);
      expect(rendered.text).toContain(`Mark or unmark your networking events (next 14 days): ${digest.events.eventsUrl}`);
      expect(rendered.html).toContain(`href="${digest.events.eventsUrl}"`);

      // The scan stored who was first met at a networking event; their draft is the "After an event" one.
      const people = await h.repo.loadPeople(h.email);
      const atEvent = new Set(people.filter((p) => p.atEvent).map((p) => p.email));
      for (const e of r.networkingEvents!.attended) for (const c of e.met) expect(atEvent, c.email).toContain(c.email);
      const target = digest.missing.find((p) => atEvent.has(p.email));
      expect(target, "a missing follow-up met at an event").toBeDefined();
      await draftFollowUp({ repo: h.repo, provider: h.provider, account: h.account(), person: target!.email, now });
      const drafts = await h.control<{ raw: string; recipients: string[] }[]>("GET", `/_control/accounts/${encodeURIComponent(h.email)}/gmail/drafts`);
      // Addressed as the calendar wrote the address (a Gmail address keeps its dots), the same person.
      const parsed = await PostalMime.parse(drafts.find((d) => d.recipients.some((r) => normalizeAddress(r) === target!.email))!.raw);
      // The card's date ("Tue 26 May") in words in the draft ("Tuesday 26 May").
      const [dow, day, mon] = target!.metOn.split(" ");
      expect(parsed.text).toMatch(new RegExp(`It was great to meet you (at .+ )?on ${dow}[a-z]+ ${day} ${mon}[a-z]*\\.`));
      expect(parsed.subject).toMatch(/^(Great to meet you|Re: )/);

      // Written as of the account's own "now" (the local demo's labelled one, `asOf`) while the real
      // clock is two months on: the subject is the one for soon after the meeting, not the late one
      // (helper-104 #3); without it, the late one.
      const written = new Set((await h.repo.loadMessages(h.email)).flatMap((m) => m.recipients.map((x) => x.email)));
      const fresh = digest.missing.find((p) => !written.has(p.email) && p.email !== target!.email);
      expect(fresh, "a missing follow-up never written to").toBeDefined();
      const later = now + 60 * 86_400_000;
      await draftFollowUp({ repo: h.repo, provider: h.provider, account: h.account(), person: fresh!.email, now: later, asOf: now });
      const all = await h.control<{ raw: string; recipients: string[] }[]>("GET", `/_control/accounts/${encodeURIComponent(h.email)}/gmail/drafts`);
      const subject = (await PostalMime.parse(all.find((d) => d.recipients.some((x) => normalizeAddress(x) === fresh!.email))!.raw)).subject ?? "";
      expect(subject).toMatch(/^Great to meet you/);
      const stored = (await h.repo.getPerson(h.email, fresh!.email))!;
      expect(composeFollowUp(h.account(), stored, undefined, later).subject).toMatch(/^Following up/);
    } finally {
      await h.close();
    }
  });
});

/** A harness on `dir`, scanned, with its digest prepared as of the fixture's now; the caller closes it. */
async function preparedDigest(dir: string) {
  const h = await startScanHarness({ fixture: dir, pageSize: 50 });
  try {
    const now = Date.parse(h.expected.now);
    const account = h.account();
    await h.scan(now);
    return { h, now, account, ...(await prepareDigest({ repo: h.repo, account, now, links })) };
  } catch (e) {
    await h.close();
    throw e;
  }
}

describe("a send that happened before its run died is reconciled, not repeated", () => {
  it.each([ownFixture("demo-google"), ownFixture("demo-microsoft")])("%s", async (dir) => {
    const { h, now, account, digest, rendered } = await preparedDigest(dir);
    try {
      // The run sent, then died before recording it: the claim is left "sending".
      const messageId = digestMessageId(account.email, digest.week);
      await h.setClock(now);
      await h.provider.send({ to: account.email, subject: rendered.subject, html: rendered.html, text: rendered.text, messageId });
      if (h.fixture.account.provider === "google") {
        // The owner kept writing: more than one page of newer sent mail before the retry looks.
        const later = Array.from({ length: 60 }, (_, i) => ({
          labelIds: ["SENT"],
          internalDate: String(now + (i + 1) * 60_000),
          headers: { From: account.email, To: `p${i}@example.org`, Subject: `note ${i}`, "Message-ID": `<n${i}@x>` },
        }));
        await h.control("POST", `/_control/accounts/${encodeURIComponent(h.email)}/gmail/messages`, later);
      }
      await h.repo.put({ ...keys.digest(account.email, digest.week), digest: { status: "sending", week: digest.week, messageId, claimedAt: now } });
      // The retry comes once the claim is stale, 11 minutes on, by the mailbox's clock too (Outlook's
      // copy reaches Sent Items after its transport: a look in the same instant would not find it).
      await h.setClock(now + 11 * 60_000);
      const outcome = await sendDigestOnce({ repo: h.repo, provider: h.provider, account, data: digest, rendered, now: now + 11 * 60_000, linkKey: links.key });
      expect(outcome).toBe("reconciled");
      expect((await sentThroughApi(h)).filter((m) => m.subject === rendered.subject)).toHaveLength(1);
      expect(isoWeek(now, account.timeZone)).toBe(digest.week);
    } finally {
      await h.close();
    }
  });
});

/** Every `/l/<act>/<token>` in a text: a link someone holding it could follow. */
const linksIn = (text: string) => text.match(/\/l\/[a-z]+\/[A-Za-z0-9_-]{100,}/g) ?? [];

/** Every text a table's item gives away: its strings, and its binary values as they are and gunzipped. */
function textsOf(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (value instanceof Uint8Array) {
    const texts = [Buffer.from(value).toString("latin1")];
    try {
      texts.push(gunzipSync(value).toString("utf8"));
    } catch {}
    return texts;
  }
  if (value && typeof value === "object") return Object.values(value).flatMap(textsOf);
  return [];
}

describe("a digest is stored as it was emailed, compressed, sealed, and its outcome is written into the claim", () => {
  it.each([ownFixture("demo-google"), ownFixture("demo-microsoft")])("%s", async (dir) => {
    const { h, now, account, digest, rendered } = await preparedDigest(dir);
    try {
      await h.setClock(now);
      expect(await sendDigestOnce({ repo: h.repo, provider: h.provider, account, data: digest, rendered, now, linkKey: links.key })).toBe("sent");
      // The table holds the HTML and text gzipped, not as plain strings several times their size,
      // and sealed under the link key: its links are live for six weeks.
      const stored = (await h.repo.get<{ digest: StoredDigest }>(keys.digest(account.email, digest.week)))!.digest;
      expect(stored.sealed).toBeInstanceOf(Uint8Array);
      expect(stored.body).toBeUndefined();
      expect(stored.html).toBeUndefined();
      expect(stored.text).toBeUndefined();
      expect(stored.sealed!.byteLength).toBeLessThan(rendered.html.length / 2);
      expect(stored).toMatchObject({ status: "sent", sentAt: now, subject: rendered.subject });
      // Read back exactly as emailed (the app's "view" link).
      expect(await loadDigest(h.repo, account.email, digest.week, links.key)).toMatchObject({ status: "sent", html: rendered.html, text: rendered.text });
      // A stolen table gives no link (helper-244 #1: a table export gave every digest's live links,
      // gzipped): nothing any item holds, as it is or gunzipped, is one.
      expect(linksIn(rendered.html).length).toBeGreaterThan(3);
      const items = (await h.repo.doc.send(new ScanCommand({ TableName: h.repo.table }))).Items ?? [];
      expect(items.length).toBeGreaterThan(5);
      expect(items.flatMap((item) => textsOf(item).flatMap(linksIn))).toEqual([]);
      // Nor does the body open with another link key, or as another week's record.
      expect(unpackDigest(stored, { linkKey: "another-link-key", account: account.email }).html).toBeUndefined();
      expect(unpackDigest({ ...stored, week: "2020-W09" }, { linkKey: links.key, account: account.email }).html).toBeUndefined();
      expect(unpackDigest(stored).html).toBeUndefined();
      // A record written before the body was compressed, or before it was sealed, is read as it is.
      const before = { status: "sent", week: "2020-W01", messageId: "<old@x>", claimedAt: 1, sentAt: 2, subject: "old", html: "<p>old</p>", text: "old" };
      await h.repo.put({ ...keys.digest(account.email, "2020-W01"), digest: before });
      expect(await loadDigest(h.repo, account.email, "2020-W01", links.key)).toEqual(before);
      expect(digestHasBody(before as StoredDigest)).toBe(true);
      const gzipped = { status: "sent", week: "2020-W02", messageId: "<older@x>", claimedAt: 1, sentAt: 2, subject: "older", body: packDigestBody({ html: "<p>older</p>", text: "older" }) };
      await h.repo.put({ ...keys.digest(account.email, "2020-W02"), digest: gzipped });
      expect(await loadDigest(h.repo, account.email, "2020-W02", links.key)).toEqual({ status: "sent", week: "2020-W02", messageId: "<older@x>", claimedAt: 1, sentAt: 2, subject: "older", html: "<p>older</p>", text: "older" });
      expect(digestHasBody(gzipped as StoredDigest)).toBe(true);
      expect(digestHasBody(stored)).toBe(true);
      expect(digestHasBody({ status: "sending", week: "2020-W02", messageId: "<x>", claimedAt: 1 })).toBe(false);

      // A digest too large to keep beside its record (hundreds of follow-ups, their sealed links
      // incompressible): sent all the same, its record without the body, not a claim DynamoDB refuses.
      const bigWeek = "2098-W01";
      const big = { ...rendered, html: rendered.html + `<!--${randomBytes(420_000).toString("base64")}-->` };
      expect(await sendDigestOnce({ repo: h.repo, provider: h.provider, account, data: { ...digest, week: bigWeek }, rendered: big, now, linkKey: links.key })).toBe("sent");
      const kept = (await h.repo.get<{ digest: StoredDigest }>(keys.digest(account.email, bigWeek)))!.digest;
      expect(kept.status).toBe("sent");
      expect(digestHasBody(kept)).toBe(false);

      // A week whose email lists only the first EMAIL_LIST_MAX waiting people: the view is kept with every one.
      const longWeek = "2098-W03";
      const first = digest.missing[0];
      expect(first).toBeDefined();
      const many = { ...digest, week: longWeek, missing: Array.from({ length: EMAIL_LIST_MAX + 5 }, (_, i) => ({ ...first, email: `p${i}@many.test`, draftUrl: `${first.draftUrl}-${i}` })) };
      const long = await renderDigest(many);
      expect(long.webHtml).toBeDefined();
      expect(await sendDigestOnce({ repo: h.repo, provider: h.provider, account, data: many, rendered: long, now, linkKey: links.key })).toBe("sent");
      expect(await loadDigest(h.repo, account.email, longWeek, links.key)).toMatchObject({ status: "sent", html: long.webHtml, text: long.text });
      expect(digestMail(account, many, long).html).toBe(long.html);
      for (const [i, m] of many.missing.entries()) expect(long.html.includes(`href="${m.draftUrl}"`), m.draftUrl).toBe(i < EMAIL_LIST_MAX);
      // Past the item's limit (hundreds of people, their sealed links incompressible): the browser copy
      // without the text (which the app never shows); then the email's own HTML; then nothing.
      const noise = (n: number) => `<!--${randomBytes(n).toString("base64")}-->`;
      const unpacked = (body: Uint8Array | undefined) => body && unpackDigest({ status: "sent", week: longWeek, messageId: "<x>", claimedAt: now, body });
      const bigText = { ...long, text: long.text + noise(300_000) };
      expect(packDigestBody(bigText).byteLength).toBeGreaterThan(DIGEST_BODY_MAX_BYTES);
      expect(unpacked(digestBodyFor(bigText))).toMatchObject({ html: long.webHtml });
      expect(unpacked(digestBodyFor(bigText))?.text).toBeUndefined();
      const bigView = { ...long, webHtml: long.webHtml + noise(420_000) };
      expect(unpacked(digestBodyFor(bigView))).toMatchObject({ html: long.html });
      expect(digestBodyFor({ ...bigView, html: long.html + noise(420_000) })).toBeUndefined();
      expect(unpacked(digestBodyFor(long))).toMatchObject({ html: long.webHtml, text: long.text });

      // The item removed while the email went out (the account deleted): the outcome does not bring it back.
      const week = "2099-W01";
      const key = keys.digest(account.email, week);
      const deletingSender = {
        sentRecently: (id: string, since: number) => h.provider.sentRecently(id, since),
        send: async (mail: Parameters<typeof h.provider.send>[0]) => {
          expect((await h.repo.get<{ digest: StoredDigest }>(key))?.digest.status).toBe("sending");
          await h.repo.delete(key);
          return h.provider.send(mail);
        },
      };
      expect(await sendDigestOnce({ repo: h.repo, provider: deletingSender, account, data: { ...digest, week }, rendered, now, linkKey: links.key })).toBe("sent");
      expect(await h.repo.get(key)).toBeUndefined();

      // An attempt that ran past its lease while another took the claim over: its outcome is not
      // written into the other's claim (that one looks in Sent before sending).
      const later = "2099-W02";
      const laterKey = keys.digest(account.email, later);
      const takeover = { status: "sending", week: later, messageId: digestMessageId(account.email, later), claimedAt: now + 11 * 60_000 };
      const overtaken = {
        sentRecently: (id: string, since: number) => h.provider.sentRecently(id, since),
        send: async (mail: Parameters<typeof h.provider.send>[0]) => {
          await h.repo.put({ ...laterKey, digest: takeover });
          return h.provider.send(mail);
        },
      };
      expect(await sendDigestOnce({ repo: h.repo, provider: overtaken, account, data: { ...digest, week: later }, rendered, now, linkKey: links.key })).toBe("sent");
      expect((await h.repo.get<{ digest: StoredDigest }>(laterKey))?.digest).toEqual(takeover);
    } finally {
      await h.close();
    }
  });
});

describe("CR/LF in names and titles never reaches a header", () => {
  it.each([ownFixture("demo-google"), ownFixture("demo-microsoft")])("%s", async (dir) => {
    const h = await startScanHarness({ fixture: dir, pageSize: 50 });
    try {
      const now = Date.parse(h.expected.now);
      await h.scan(now);
      const person = (await h.repo.loadPeople(h.email)).find((p) => p.stage === "met")!;
      const hostile = { ...person, name: "Eve\r\nBcc: spy@evil.test", eventTitle: "Lunch\r\nX-Injected: yes" };
      await h.repo.putPeople(h.email, [hostile]);
      await draftFollowUp({ repo: h.repo, provider: h.provider, account: h.account(), person: person.email, now });
      const enc = encodeURIComponent(h.email);
      if (h.fixture.account.provider === "google") {
        const drafts = await h.control<{ raw: string; recipients: string[] }[]>("GET", `/_control/accounts/${enc}/gmail/drafts`);
        const raw = drafts.find((d) => d.recipients.includes(person.email))!.raw;
        const head = raw.split(/\r?\n\r?\n/)[0];
        expect(head).not.toMatch(/^Bcc:/im);
        expect(head).not.toMatch(/^X-Injected:/im);
        expect(drafts.flatMap((d) => d.recipients)).not.toContain("spy@evil.test");
      } else {
        const drafts = await h.control<{ toRecipients?: { emailAddress: { address: string; name: string } }[]; bccRecipients?: unknown[]; subject?: string }[]>("GET", `/_control/accounts/${enc}/graph/drafts`);
        const d = drafts.find((x) => x.toRecipients?.some((r) => r.emailAddress.address.toLowerCase() === person.email))!;
        expect(d.bccRecipients ?? []).toEqual([]);
        expect(JSON.stringify(d)).not.toMatch(/\r|\n(Bcc|X-Injected)/);
      }
      const { rendered } = await prepareDigest({ repo: h.repo, account: h.account(), now, links });
      expect(rendered.subject).not.toMatch(/[\r\n]/);
    } finally {
      await h.close();
    }
  });
});

describe("followthrough digest --out", () => {
  const out = mkdtempSync(join(tmpdir(), "ft-digest-"));
  afterAll(() => rmSync(out, { recursive: true, force: true }));
  const cli = (...args: string[]) => spawnSync(process.execPath, [join(root, "packages/cli/bin/followthrough.mjs"), "digest", ...args], { encoding: "utf8" });

  it("writes the html, the text and the .eml that would be sent, with links to the base URL", () => {
    const dir = ownFixture("demo-google");
    const now = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")).now as string;
    const r = cli("--fixtures", dir, "--now", now, "--out", out, "--base-url", "https://ft.example.org");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const html = readFileSync(join(out, "digest.html"), "utf8");
    const text = readFileSync(join(out, "digest.txt"), "utf8");
    const eml = readFileSync(join(out, "digest.eml"), "utf8");
    expect(html).toContain("https://ft.example.org/l/");
    expect(text).toMatch(/Draft follow-up: https:\/\/ft\.example\.org\/l\/draft\/[A-Za-z0-9_-]+/);
    const head = unfold(eml.split(/\r?\n\r?\n/)[0]);
    expect(head).toMatch(/^List-Unsubscribe:\s*<https:\/\/ft\.example\.org\/l\/pause\/[A-Za-z0-9_-]+>$/m);
    expect(head).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);
    expect(head).toMatch(/^Message-ID: <digest\./m);
    // Dated --now, as the rest of the preview (it was the machine's clock; helper-173).
    expect(head).toContain(`Date: ${new Date(now).toUTCString().replace(/GMT/, "+0000")}`);
    expect(eml).toContain("Content-Type: text/html");
    // A preview, said plainly: its links are not live in any running app.
    expect(r.stdout).toContain("Preview: the links in this digest are not live");
    expect(text.split("\n")[0]).toContain("Preview: the links in this digest are not live");
    expect(html).toMatch(/<body[^>]*><div role="note"[^>]*>Preview: the links in this digest are not live/);
  });

  it("a run that fails leaves no folder it created, and no half-written files", () => {
    // A fixture whose scan fails (the local store does not start): the folder it was to write goes again.
    const target = join(out, "not-yet", "digest");
    const r = spawnSync(process.execPath, [join(root, "packages/cli/bin/followthrough.mjs"), "digest", "--fixtures", ownFixture("demo-google"), "--now", "2026-05-26T22:30:00Z", "--out", target], {
      encoding: "utf8",
      cwd: root,
      env: { ...process.env, FOLLOWTHROUGH_DYNAMO_ENGINE: "bogus" },
    });
    expect(r.status).toBe(2);
    expect(existsSync(target)).toBe(false);
    // The successful run above left exactly its three files (the partial names renamed away).
    expect(readdirSync(out).filter((f) => f.startsWith("digest")).sort()).toEqual(["digest.eml", "digest.html", "digest.txt"]);
    expect(readdirSync(out).filter((f) => f.endsWith(".partial"))).toEqual([]);
  });

  it.each([
    [["--now", "2026-01-01T00:00:00Z", "--out", "x"], /--fixtures/],
    [["--fixtures", "fixtures/demo-google", "--now", "2026-01-01T00:00:00Z"], /--out/],
    [["--fixtures", "fixtures/demo-google", "--now", "soon", "--out", "x"], /--now/],
    [["--fixtures", "fixtures/demo-google", "--now", "2026-01-01T00:00:00Z", "--out", "x", "--base-url", "javascript:alert(1)"], /--base-url/],
    [["--fixtures", "fixtures/demo-google", "--out", "x"], /digest needs --now/],
  ])("bad arguments %j: one line, exit 2", (args, pattern) => {
    const r = spawnSync(process.execPath, [join(root, "packages/cli/bin/followthrough.mjs"), "digest", ...(args as string[])], { encoding: "utf8", cwd: root });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(pattern as RegExp);
  });
});
