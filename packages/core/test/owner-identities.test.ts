/**
 * Owner aliases from what the read scopes show (shared/spec/behaviour.md "Owner identities"): the
 * From of the owner's sent mail and the calendar's `self` entry, since users.settings.sendAs needs a
 * settings scope Followthrough does not request.
 */
import { describe, expect, it } from "vitest";
import { mapGmailMessage, mapGoogleEvent } from "../src/google/map";
import { mapGraphMessage } from "../src/microsoft/map";
import { infer } from "../src/inference";
import type { Owner } from "../src/model";
import { learnOwnerIdentities } from "../src/scan";
import { firstLookOf } from "../src/firstlook";
import { a, DAY, HOUR, meeting, NOW, sent } from "./support/builders";

const bare: Owner = { email: "owner@acme.io", aliases: [], timeZone: "UTC" };
/** A Gmail payload with these headers, in this order. */
const headers = (...h: [string, string][]) => ({ headers: h.map(([name, value]) => ({ name, value })) });

describe("learnOwnerIdentities", () => {
  it("adds the From of sent mail and the calendar's self entry; ignores drafts and received mail", () => {
    const learned = learnOwnerIdentities(
      bare,
      [meeting({ self: { email: "o.wner@acme-labs.com", name: "Olive Wner" } })],
      [
        sent({ from: "owner.sales@acme.io", fromName: "Olive Wner" }),
        sent({ from: "draft-only@acme.io", draft: true }),
        sent({ from: "someone@else.io", inSent: false }),
        sent({ from: "owner@acme.io", fromName: "Olive W." }),
        sent({ from: "owner@acme.io", fromName: "Olive W." }),
      ],
    );
    expect(learned.aliases).toEqual(["o.wner@acme-labs.com", "owner.sales@acme.io"]);
    expect(learned.displayName).toBe("Olive W.");
    expect(learned.changed).toBe(true);
  });

  it("keeps stored aliases first and reports no change when nothing is new", () => {
    const owner: Owner = { ...bare, aliases: ["o.wner@acme-labs.com"], displayName: "Olive" };
    const learned = learnOwnerIdentities(owner, [meeting({ self: { email: "owner@acme.io", name: "" } })], [sent({ from: "O.Wner@Acme-Labs.com" })]);
    expect(learned).toEqual({ aliases: ["o.wner@acme-labs.com"], displayName: "Olive", changed: false });
  });

  it("takes the display name from the calendar's self entry when sent mail has none", () => {
    const learned = learnOwnerIdentities(bare, [meeting({ self: { email: "owner@acme.io", name: "Olive Wner" } })], [sent({ from: "owner@acme.io" })]);
    expect(learned.displayName).toBe("Olive Wner");
    expect(learned.aliases).toEqual([]);
  });

  it("a message the owner sent as a delegate on someone's behalf (Graph sender ≠ from) teaches nothing about the owner", () => {
    const onBehalf = mapGraphMessage(
      {
        id: "s1",
        sentDateTime: new Date(NOW - DAY).toISOString(),
        sender: { emailAddress: { address: "Owner@acme.io", name: "Olive Wner" } },
        from: { emailAddress: { address: "exec@partnerco.com", name: "Ed Exec" } },
        toRecipients: [{ emailAddress: { address: "ana@partnerco.com" } }],
      },
      "sentitems",
    );
    expect([onBehalf.from, onBehalf.onBehalfOf, onBehalf.inSent]).toEqual(["exec@partnerco.com", true, true]);
    const own = mapGraphMessage({ id: "s2", sentDateTime: new Date(NOW - DAY).toISOString(), sender: { emailAddress: { address: "olive@acme.io" } }, from: { emailAddress: { address: "Olive@acme.io" } } }, "sentitems");
    expect(own.onBehalfOf).toBeUndefined();
    const learned = learnOwnerIdentities(bare, [], [onBehalf, own]);
    expect(learned.aliases).toEqual(["olive@acme.io"]);
    // ...so the principal and their colleagues met at a meeting stay people, not the owner's colleagues.
    const m = meeting({ attendees: ["exec@partnerco.com", "ana@partnerco.com"] });
    expect(infer({ ...bare, aliases: learned.aliases }, [m], [onBehalf], NOW).contacts.map((c) => c.email).sort()).toEqual(["ana@partnerco.com", "exec@partnerco.com"]);
  });

  it("a personal Microsoft account (Outlook.com: Graph names none of its aliases) learns them from the From of its Sent Items under its own name; an organisation's does not (helper-151, helper-152, helper-153)", () => {
    // Graph's From name comes through the mapper (it did not: the name never matched, helper-153).
    const fromAlias = mapGraphMessage(
      { id: "a1", sentDateTime: new Date(NOW - 20 * DAY).toISOString(), from: { emailAddress: { address: "isla@moreno.family", name: "Isla Moreno" } }, sender: { emailAddress: { address: "isla@moreno.family", name: "Isla Moreno" } }, toRecipients: [{ emailAddress: { address: "someone@else.io" } }] },
      "sentitems",
    );
    expect(fromAlias.fromName).toBe("Isla Moreno");
    const personal: Owner = { ...bare, email: "isla@outlook.com", displayName: "Isla Moreno", provider: "microsoft", identity: "microsoft:9188040d-6c67-4c5b-b112-36a304b66dad:00000000-0000-0000-0001-23456789abcd" };
    expect(learnOwnerIdentities(personal, [], [fromAlias]).aliases).toEqual(["isla@moreno.family"]);
    const work: Owner = { ...personal, identity: "microsoft:72f988bf-86f1-41af-91ab-2d7cd011db47:00000000-0000-0000-0001-23456789abcd" };
    expect(learnOwnerIdentities(work, [], [fromAlias]).aliases).toEqual([]);
    // Filed into Sent Items under another name (a stranger's, a family member's Outlook.com mail, a
    // student's university Live address): not the owner's; nor a meeting notice, nor with no name known.
    const filed = [
      sent({ from: "jordi@brightpath.io", fromName: "Jordi Puig" }),
      sent({ from: "ana.moreno@outlook.com", fromName: "Ana Moreno" }),
      sent({ from: "t.student.21@live.ucl.ac.uk", fromName: "T Student" }),
      sent({ from: "isla@old.io", fromName: "Isla Moreno", meetingNotice: true }),
    ];
    expect(learnOwnerIdentities(personal, [], filed).aliases).toEqual([]);
    expect(learnOwnerIdentities({ ...personal, displayName: undefined }, [], [fromAlias]).aliases).toEqual([]);
    // So the owner's own alias on an invitation is nobody met.
    const m = meeting({ end: NOW - 4 * DAY, attendees: ["isla@moreno.family", "kim@hey.com"] });
    expect(firstLookOf(personal, [m], [fromAlias], NOW).people.map((p) => p.email)).toEqual(["kim@hey.com"]);
  });

  it("on Outlook, a From in Sent Items outside mail, userPrincipalName and proxyAddresses is another mailbox's (Send As), not the owner's (helper-102 #1)", () => {
    // Send As a partner's mailbox: Graph's from and sender are both the partner, and Exchange files the copy in the sender's Sent Items.
    const sendAs = mapGraphMessage(
      { id: "s1", sentDateTime: new Date(NOW - 20 * DAY).toISOString(), sender: { emailAddress: { address: "boss@partnerco.com", name: "Bo Boss" } }, from: { emailAddress: { address: "boss@partnerco.com", name: "Bo Boss" } }, toRecipients: [{ emailAddress: { address: "someone@fourth.io" } }] },
      "sentitems",
    );
    expect([sendAs.from, sendAs.onBehalfOf, sendAs.inSent]).toEqual(["boss@partnerco.com", undefined, true]);
    const outlook: Owner = { ...bare, aliases: ["olive@acme.io"], provider: "microsoft" };
    const learned = learnOwnerIdentities(outlook, [], [sendAs, sent({ from: "Olive@acme.io", fromName: "Olive Wner" })]);
    // Nothing learned, and the display name is the owner's own From name, never the other mailbox's.
    expect(learned).toEqual({ aliases: ["olive@acme.io"], displayName: "Olive Wner", changed: true });
    expect(learnOwnerIdentities(outlook, [], [sendAs]).displayName).toBeUndefined();
    // The same copy in a Gmail account's SENT is a send-as address of the owner's: learned, as the spec says.
    expect(learnOwnerIdentities({ ...outlook, provider: "google" }, [], [sendAs]).aliases).toEqual(["olive@acme.io", "boss@partnerco.com"]);
    // So boss and the colleagues of boss's domain stay people, and boss's reply Cc'ing kim is inbound: kim is still owed a follow-up.
    const m = meeting({ end: NOW - 4 * DAY, attendees: ["boss@partnerco.com", "joe@partnerco.com", "kim@hey.com"] });
    const reply = sent({ from: "boss@partnerco.com", inSent: false, sentAt: NOW - 3 * DAY, to: ["owner@acme.io", "kim@hey.com"] });
    const r = infer({ ...outlook, aliases: learned.aliases }, [m], [sendAs, reply], NOW);
    expect(r.missingFollowUps.map((c) => c.email).sort()).toEqual(["boss@partnerco.com", "joe@partnerco.com", "kim@hey.com"]);
    // The first look on the Connected page learns the same way.
    expect(firstLookOf(outlook, [m], [sendAs, reply], NOW).people.map((p) => p.email).sort()).toEqual(["boss@partnerco.com", "joe@partnerco.com", "kim@hey.com"]);
  });

  it("a message the owner redirected (Resent-From, RFC 5322 3.6.6) in Gmail's SENT: its author is not the owner, and whom it went to is its Resent- recipients (helper-120 #1)", () => {
    // Ana's message to the owner, sent on to Bo; the latest resend's block comes first.
    const redirected = mapGmailMessage({
      id: "r1",
      labelIds: ["SENT"],
      internalDate: String(NOW - DAY),
      payload: headers(
        ["Resent-From", "Olive Wner <owner@acme.io>"],
        ["Resent-To", "Bo <bo@partner.io>"],
        ["Resent-Cc", "cy@partner.io"],
        ["Resent-From", "Ana <ana@studio.io>"],
        ["Resent-To", "owner@acme.io"],
        ["From", "Ana <ana@studio.io>"],
        ["To", "Olive <owner@acme.io>"],
      ),
    });
    expect([redirected.from, redirected.fromName, redirected.recipients.map((r) => r.email)]).toEqual(["owner@acme.io", "Olive Wner", ["bo@partner.io", "cy@partner.io"]]);
    // A block holds each resent field once (RFC 5322 3.6): the latest ends where one of its fields
    // comes again, so an older block's Cc is not this resend's.
    const twice = mapGmailMessage({
      id: "r2",
      labelIds: ["SENT"],
      internalDate: String(NOW - DAY),
      payload: headers(
        ["Resent-From", "owner@acme.io"],
        ["Resent-To", "bo@partner.io"],
        ["Resent-To", "owner@acme.io"],
        ["Resent-Cc", "old@studio.io"],
        ["Resent-Date", "Sun, 31 May 2026 10:00:00 +0000"],
        ["Resent-From", "ana@studio.io"],
        ["From", "ana@studio.io"],
        ["To", "owner@acme.io"],
      ),
    });
    expect([twice.from, twice.recipients.map((r) => r.email)]).toEqual(["owner@acme.io", ["bo@partner.io"]]);
    // MH's templates write Resent-To first: a Resent-To again is the older block's (helper-126 #2).
    const mh = mapGmailMessage({
      id: "r3",
      labelIds: ["SENT"],
      internalDate: String(NOW - DAY),
      payload: headers(
        ["Resent-To", "bo@partner.io"],
        ["Resent-Date", "Mon, 1 Jun 2026 10:00:00 +0000"],
        ["Resent-From", "owner@acme.io"],
        ["Resent-To", "owner@acme.io"],
        ["Resent-Cc", "cy@stranger.io"],
        ["Resent-Date", "Sun, 31 May 2026 10:00:00 +0000"],
        ["Resent-From", "ana@studio.io"],
        ["From", "ana@studio.io"],
      ),
    });
    expect(mh.recipients.map((r) => r.email)).toEqual(["bo@partner.io"]);
    // A message without resent fields reads its From and To, as before.
    const plain = mapGmailMessage({ id: "p1", labelIds: ["SENT"], internalDate: String(NOW - DAY), payload: headers(["From", "Ana <ana@studio.io>"], ["To", "bo@partner.io"]) });
    expect([plain.from, plain.recipients.map((r) => r.email)]).toEqual(["ana@studio.io", ["bo@partner.io"]]);
    // Nothing of Ana's is learned as the owner's, so Ana and her colleague met at a meeting stay people;
    // the redirect to Bo is the owner writing to Bo.
    const learned = learnOwnerIdentities(bare, [], [redirected]);
    expect(learned.aliases).toEqual([]);
    const m = meeting({ end: NOW - 4 * DAY, attendees: ["ana@studio.io", "kai@studio.io", "bo@partner.io"] });
    const r = infer({ ...bare, aliases: learned.aliases }, [m], [redirected], NOW);
    expect(r.missingFollowUps.map((c) => c.email).sort()).toEqual(["ana@studio.io", "kai@studio.io"]);
  });

  it("resent fields read only as the owner's resend (helper-122): outside Sent, with no address in Resent-From, or naming someone else, they take nothing from the message", () => {
    const at = String(NOW - DAY);
    // The owner's own post to a list that adds Resent-From, back in the Inbox (no Sent copy: written in another client):
    // still the owner's message to whom the owner wrote.
    const listCopy = mapGmailMessage({ id: "l1", labelIds: ["INBOX"], internalDate: at, payload: headers(["Resent-From", "dev@lists.example.org"], ["From", "Olive <owner@acme.io>"], ["To", "dev@lists.example.org"], ["Cc", "kai@studio.io"]) });
    expect([listCopy.from, listCopy.recipients.map((r) => r.email), listCopy.resent]).toEqual(["owner@acme.io", ["dev@lists.example.org", "kai@studio.io"], undefined]);
    // A blank Resent-From, or a stray one naming no address and no one it went to: the message as written (helper-126).
    const blank = mapGmailMessage({ id: "b1", labelIds: ["SENT"], internalDate: at, payload: headers(["Resent-From", ""], ["From", "owner@acme.io"], ["To", "kai@studio.io"]) });
    expect([blank.from, blank.recipients.map((r) => r.email), blank.resent]).toEqual(["owner@acme.io", ["kai@studio.io"], undefined]);
    const stray = mapGmailMessage({ id: "b2", labelIds: ["SENT"], internalDate: at, payload: headers(["Resent-From", "Olive Wner"], ["From", "owner@acme.io"], ["To", "kai@studio.io"]) });
    expect([stray.from, stray.recipients.map((r) => r.email), stray.resent]).toEqual(["owner@acme.io", ["kai@studio.io"], undefined]);
    const m = meeting({ end: NOW - 4 * DAY, attendees: ["kai@studio.io"] });
    expect(infer(bare, [m], [listCopy], NOW).missingFollowUps).toEqual([]);
    expect(infer(bare, [m], [blank], NOW).missingFollowUps).toEqual([]);
    // A resend in Sent whose Resent-From a local mailer wrote (no domain the parser takes), or whose only
    // block names someone else (a client that wrote none of its own): nothing learned, its recipients
    // the resend's (helper-125 #4).
    const local = mapGmailMessage({ id: "h1", labelIds: ["SENT"], internalDate: at, payload: headers(["Resent-From", "Olive <olive@localhost>"], ["Resent-To", "kai@studio.io"], ["From", "alice@vendor.io"], ["To", "owner@acme.io"]) });
    expect([local.resent, local.from, local.recipients.map((r) => r.email)]).toEqual([true, undefined, ["kai@studio.io"]]);
    expect(learnOwnerIdentities(bare, [], [local])).toEqual({ aliases: [], changed: false });
    // A resend in Sent whose only block names someone else (a client that wrote none of its own): nothing learned.
    const foreign = mapGmailMessage({ id: "f1", labelIds: ["SENT"], internalDate: at, payload: headers(["Resent-From", "Elena <elena@verdant.eu>"], ["Resent-To", "kai@studio.io"], ["From", "Elena <elena@verdant.eu>"], ["To", "owner@acme.io"]) });
    expect(foreign.resent).toBe(true);
    expect(learnOwnerIdentities(bare, [], [foreign])).toEqual({ aliases: [], changed: false });
  });

  it("the Google mapping records the self entry and the From name", () => {
    const m = mapGoogleEvent(
      {
        id: "e1",
        status: "confirmed",
        start: { dateTime: "2026-03-10T10:00:00Z" },
        end: { dateTime: "2026-03-10T11:00:00Z" },
        organizer: { email: "x@partner.io" },
        attendees: [{ email: "Olive.Alias@acme.io", self: true, displayName: "Olive", responseStatus: "accepted" }, { email: "x@partner.io", responseStatus: "accepted" }],
      },
      bare,
    );
    expect(m.self).toEqual({ email: "olive.alias@acme.io", name: "Olive" });
    expect(m.selfResponse).toBe("accepted");
    const msg = mapGmailMessage({ id: "1", labelIds: ["SENT"], internalDate: String(NOW), payload: { headers: [{ name: "From", value: "Olive Wner <owner.alias@acme.io>" }] } });
    expect([msg.from, msg.fromName]).toEqual(["owner.alias@acme.io", "Olive Wner"]);
  });
});

describe("an event naming no organiser (helper-120)", () => {
  /** The event with the owner's entry (or an entry as given) first, then Ana's. */
  const event = (organizer: boolean, response: string, entry: { email: string; self?: boolean } = { email: "owner@acme.io", self: true }) =>
    mapGoogleEvent(
      {
        id: "e2",
        status: "confirmed",
        start: { dateTime: "2026-03-10T10:00:00Z" },
        end: { dateTime: "2026-03-10T11:00:00Z" },
        attendees: [{ ...entry, organizer, responseStatus: response }, { email: "ana@x.io", responseStatus: "accepted" }],
      },
      bare,
    );
  it("the owner's own entry marked organizer: the owner organised it, and met whoever came unless they declined", () => {
    expect(event(true, "needsAction").organizerSelf).toBe(true);
    const at = Date.parse("2026-03-12T10:00:00Z");
    expect(infer(bare, [event(true, "needsAction")], [], at).newContacts.map((c) => c.email)).toEqual(["ana@x.io"]);
    expect(infer(bare, [event(true, "declined")], [], at).newContacts).toEqual([]);
  });
  it("the same when the entry is an alias learned after the event was mapped (helper-121)", () => {
    const m = event(true, "needsAction", { email: "o.wner@acme-labs.com" });
    const at = Date.parse("2026-03-12T10:00:00Z");
    expect(infer({ ...bare, aliases: ["o.wner@acme-labs.com"] }, [m], [], at).newContacts.map((c) => c.email)).toEqual(["ana@x.io"]);
  });
  it("an entry not marked organizer leaves it organised by nobody known: the owner's answer decides", () => {
    expect(event(false, "needsAction").organizerSelf).toBe(false);
  });
});

describe("rules with aliases learned after the meetings were mapped", () => {
  const alias = "o.wner@acme-labs.com";
  const lateOwner: Owner = { ...bare, aliases: [alias] };

  it("an alias attendee entry is the owner: not a contact, and its answer is the owner's", () => {
    // Mapped before the alias was known: the alias is an ordinary attendee and there is no self answer.
    const m = meeting({ selfResponse: undefined, attendees: [a(alias, { response: "accepted" }), a("ext@partner.io")] });
    expect(infer(bare, [m], [], NOW).contacts.map((c) => c.email)).toEqual([]);
    expect(infer(lateOwner, [m], [], NOW).contacts.map((c) => c.email)).toEqual(["ext@partner.io"]);
  });

  it("an alias organiser is the owner organising", () => {
    const m = meeting({ selfResponse: undefined, organizerSelf: false, organizer: { email: alias, name: "" }, attendees: [a(alias, { organizer: true }), "ext@partner.io"] });
    const r = infer(lateOwner, [m], [sent({ from: alias, sentAt: m.end + HOUR, to: ["ext@partner.io"] })], NOW);
    expect(r.contacts.map((c) => [c.email, c.followedUpBy])).toEqual([["ext@partner.io", "mail"]]);
  });

  it("mail sent from a learned alias counts as outbound even outside the Sent label", () => {
    const m = meeting({ end: NOW - 3 * DAY });
    const mail = sent({ from: alias, inSent: false, sentAt: NOW - DAY, to: ["ext@partner.io"] });
    expect(infer(bare, [m], [mail], NOW).missingFollowUps.map((c) => c.email)).toEqual(["ext@partner.io"]);
    expect(infer(lateOwner, [m], [mail], NOW).missingFollowUps).toEqual([]);
  });
});
