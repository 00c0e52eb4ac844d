// demo-microsoft: Mei Lin's calendar, inbox and Sent Items over the ~60 days
// before now (Thu 15 Oct 2026 07:30 Singapore) and the two weeks after. Day
// offsets are local calendar days: day -3 is Mon 12 Oct, day -8 is Wed 7 Oct.

import { microsoftMailbox, microsoftPeople } from "./microsoft-people.ts";
import type { Attendee, Event, Mailbox, Person } from "./model.ts";
import { answered, conferenceCrowd } from "./conference.ts";
import { DAY, rand } from "./util.ts";

const yes = (p: Person): Attendee => ({ p, rsvp: "accepted" });
const no = (p: Person): Attendee => ({ p, rsvp: "declined" });

export function buildMicrosoftMailbox(): Mailbox {
  const mb = microsoftMailbox();
  const g = microsoftPeople(mb);
  const { arjun, siti, danielk, wen, priscilla, marcus, nur, kelvin, joanne } = g.colleagues;
  const p = g.people;
  const me = mb.owner;

  // meeting mail, as Outlook files it
  const inviteOut = (ev: Event, day: number, hhmm: string, to: (Person | { p: Person; email: string })[]) =>
    mb.sent({ at: mb.at(day, hhmm), subject: ev.title, to, text: ev.description ?? "",
      notice: { graphType: "eventMessageRequest", meetingMessageType: "meetingRequest", event: ev } });
  const inviteIn = (ev: Event, day: number, hhmm: string) =>
    mb.inbox({ at: mb.at(day, hhmm), subject: ev.title, from: ev.organizer, to: [me], text: ev.description ?? "",
      notice: { graphType: "eventMessageRequest", meetingMessageType: "meetingRequest", event: ev } });
  const respond = (ev: Event, at: Date, from: Person, to: Person, kind: "Accepted" | "Declined") =>
    (from === me ? mb.sent.bind(mb) : mb.inbox.bind(mb))({ at, subject: `${kind}: ${ev.title}`, from, to: [to],
      notice: { graphType: "eventMessageResponse", meetingMessageType: kind === "Accepted" ? "meetingAccepted" : "meetingDeclined",
        responseType: kind === "Accepted" ? "accepted" : "declined", event: ev } });

  // ---------------------------------------------------------------- routine
  mb.weekly({ title: "APAC partnerships stand-up", start: mb.at(-59, "09:30"), mins: 15, attendees: [yes(arjun), yes(siti), yes(danielk)] }, 10);
  mb.weekly({ title: "1:1 Arjun / Mei Lin", start: mb.at(-57, "16:00"), mins: 30, organizer: arjun, attendees: [yes(arjun)] }, 10,
    (i) => (i === 3 ? { ownerRsvp: "tentative" } : undefined));
  const orchid = mb.weekly({ title: "Orchid Bank × Tidewater pilot sync", start: mb.at(-37, "10:00"), mins: 45, organizer: p.ravi,
    attendees: [yes(p.ravi), yes(siti)] }, 7, (i) => {
    if (i === 1) return { status: "cancelled" };
    if (i >= 3) return { attendees: [yes(p.ravi), yes(p.farah), yes(siti)], ownerRsvp: i === 6 ? "needsAction" : "accepted" };
    return undefined;
  });

  // ----------------------------------------------------- first meetings
  const weijie = mb.event({ title: "Harbourfront × Tidewater — data partnership", start: mb.at(-3, "10:00"), mins: 60,
    attendees: [{ p: g.room }, yes(p.weijie), no(p.jason), yes(arjun)], location: "Boardroom 12F" });
  const jonas = mb.event({ title: "Jonas / Mei Lin — open-data licensing", start: mb.at(-2, "16:00"), mins: 45, organizer: p.jonas,
    attendees: [yes(p.jonas)] });
  const lisa = mb.event({ title: "Orchard AI — model evaluation", start: mb.at(-6, "14:00"), mins: 60,
    attendees: [{ p: p.lisa, email: "lisa+tidewater@orchardai.com", rsvp: "accepted" }, yes(danielk)] });
  const kenji = mb.event({ title: "Soranet — APAC distribution", start: mb.at(-7, "09:00"), mins: 60,
    attendees: [{ p: p.kenji, email: "KENJI.MORI@SORANET.JP", rsvp: "accepted" }] });
  mb.event({ title: "Lotus Weave — intro", start: mb.at(-15, "14:00"), mins: 45, attendees: [yes(p.thao)] });
  const lumengrid = mb.event({ title: "Lumengrid grid-analytics pilot", start: mb.at(-10, "11:00"), mins: 60,
    attendees: [yes(p.rohan), yes(p.priya), yes(arjun)] });
  const chloe1 = mb.event({ title: "Veritas Lab — benchmark review", start: mb.at(-13, "16:00"), mins: 45, organizer: p.chloe,
    attendees: [yes(p.chloe)] });
  const chloe2 = mb.event({ title: "Veritas Lab — results walkthrough", start: mb.at(5, "16:00"), mins: 60, organizer: p.chloe,
    attendees: [yes(p.chloe)], ownerRsvp: "needsAction", created: mb.at(-6, "18:00") });
  mb.event({ title: "Meranti Capital catch-up", start: mb.at(-9, "14:00"), mins: 45, organizer: p.sunil, attendees: [yes(p.sunil)] });
  const oliver1 = mb.event({ title: "Kiwi Ledger — reconciliation data", start: mb.at(-14, "09:00"), mins: 60, attendees: [yes(p.oliver)] });
  const oliver2 = mb.event({ title: "Kiwi Ledger — proposal review", start: mb.at(-6, "16:30"), mins: 30, attendees: [no(p.oliver), yes(arjun)],
    created: mb.at(-14, "12:00") });
  const hannah = mb.event({ title: "Mintwave × Tidewater", start: mb.at(-6, "10:00"), mins: 45, organizer: p.hannah, attendees: [yes(p.hannah)] });
  const marco = mb.event({ title: "Altavela — market data", start: mb.at(-2, "15:00"), mins: 45, organizer: p.marco, organizerInList: false,
    attendees: [] });
  const aisha = mb.event({ title: "Sandbar Ventures / Tidewater", start: mb.at(-3, "14:00"), mins: 30, organizer: p.aisha, attendees: [yes(p.aisha)] });
  const tariq = mb.event({ title: "Dune Capital — portfolio data", start: mb.at(-9, "11:00"), mins: 45, attendees: [yes(p.tariq), yes(wen)] });
  const dmitri = mb.event({ title: "Polarfox intro", start: mb.at(-10, "16:00"), mins: 30, organizer: p.dmitri, attendees: [yes(p.dmitri)] });
  const roundtable = mb.event({ title: "Tidewater APAC partner roundtable", start: mb.at(-13, "09:00"), mins: 120,
    attendees: [{ p: g.room }, ...[arjun, siti, danielk, wen, priscilla, marcus, nur, kelvin, joanne].map(yes), g.info, no(p.amelie),
      yes(p.yusuf), ...g.guests.map(yes)], location: "Boardroom 12F" });
  mb.event({ title: "Coral Bay — data-centre site visit", allDayOn: [-8, -7], attendees: [yes(p.lucas), g.coralCal, yes(danielk)],
    location: "Coral Bay DC2, Loyang" });
  mb.event({ title: "Brightsail — EU expansion", start: mb.at(-1, "17:00"), mins: 30, organizer: p.emma, attendees: [yes(p.emma)] });
  mb.event({ title: "Redwood Pay — early call", start: mb.at(-1, "07:00"), end: mb.at(-1, "07:30"), organizer: p.kyle, attendees: [yes(p.kyle)] });
  mb.event({ title: "Bergwerk data exchange", start: mb.at(-35, "15:00"), mins: 60, organizer: p.noah, attendees: [yes(p.noah)] });
  const breakfast = mb.event({ title: "FinTech SG partner breakfast", start: mb.at(-16, "07:30"), mins: 120, organizer: g.events,
    attendees: [yes(p.grace), yes(arjun), ...g.crowd.map((c, i) => (i % 4 === 0 ? c : yes(c)))] });
  const peter = mb.event({ title: "Quay Capital — intro", start: mb.at(-7, "11:00"), mins: 30, organizer: p.peter, attendees: [yes(p.peter)],
    ownerRsvp: "declined" });
  const sophie = mb.event({ title: "Lumière AI demo", start: mb.at(-3, "16:00"), mins: 45, organizer: p.sophie, attendees: [yes(p.sophie)],
    status: "cancelled" });
  const ben = mb.event({ title: "Northpeak — quick sync?", start: mb.at(-2, "11:00"), mins: 30, organizer: p.ben, attendees: [yes(p.ben)],
    ownerRsvp: "needsAction" });
  mb.event({ title: "Qanat — Gulf partnerships", start: mb.at(3, "14:00"), mins: 60, attendees: [yes(p.amir), yes(arjun)] });
  mb.event({ title: "Kopi Labs product demo", start: mb.at(-17, "11:00"), mins: 45, organizer: g.kopi, attendees: [yes(g.kopi), yes(siti)] });

  // ------------------------------------------------------------- mail
  inviteOut(weijie, -6, "09:30", [p.weijie, p.jason, arjun]);
  respond(weijie, mb.at(-6, "11:00"), p.weijie, me, "Accepted");
  respond(weijie, mb.at(-5, "08:40"), p.jason, me, "Declined");
  const recap = mb.sent({ at: mb.at(-3, "15:00"), subject: "Harbourfront × Tidewater — next steps", to: [{ p: p.weijie, name: "Tan, Wei Jie" }],
    cc: [arjun], text: "Wei Jie, thank you for the session this morning. Proposed next steps below." });
  mb.inbox({ at: mb.at(-3, "18:10"), subject: "RE: Harbourfront × Tidewater — next steps", thread: recap.thread,
    from: { p: p.weijie, name: "Tan, Wei Jie" }, to: [me], cc: [arjun], text: "Thanks Mei Lin, looks right to us." });
  inviteIn(jonas, -5, "21:00");
  respond(jonas, mb.at(-4, "09:00"), me, p.jonas, "Accepted");
  mb.sent({ at: mb.at(-1, "10:00"), subject: "Open-data licensing — draft terms", to: [{ p: p.jonas, email: "jonasweber@googlemail.com" }],
    text: `Hi Jonas, following ${jonas.title}: the draft terms are attached.` });
  inviteOut(lisa, -8, "10:00", [{ p: p.lisa, email: "lisa+tidewater@orchardai.com" }, danielk]);
  mb.sent({ at: mb.at(-6, "17:00"), subject: "Evaluation set — access", to: [{ p: p.lisa, email: "lisa@orchardai.com" }],
    text: "Lisa, access to the evaluation set is now enabled for your team." });
  inviteOut(kenji, -9, "15:00", [{ p: p.kenji, email: "KENJI.MORI@SORANET.JP" }]);
  mb.sent({ at: mb.at(-7, "14:00"), subject: "Soranet distribution — summary", to: [{ p: p.kenji, email: "kenji.mori@soranet.jp" }],
    text: "Mori-san, thank you for this morning. Summary of terms below." });
  mb.sent({ at: mb.at(-15, "17:30"), subject: "Lotus Weave — thank you", to: [p.thao], text: "Thảo, thank you — the sample data is attached." });
  mb.sent({ at: mb.at(-10, "15:00"), subject: "Lumengrid pilot — recap", to: [p.rohan, arjun], cc: [p.priya],
    text: `Rohan, Priya — recap of ${lumengrid.title} and the data-sharing checklist.` });
  inviteIn(chloe1, -16, "20:00");
  inviteIn(chloe2, -6, "18:00");
  const merantiIntro = mb.sent({ at: mb.at(-40, "11:00"), subject: "Meranti — data room access", to: [p.sunil],
    text: "Sunil, as discussed, access to the data room is below." });
  mb.inbox({ at: mb.at(-39, "09:30"), subject: "RE: Meranti — data room access", thread: merantiIntro.thread, from: p.sunil, to: [me],
    text: "Thanks — let's catch up in October." });
  const orchidMail = mb.sent({ at: mb.at(-55, "10:00"), subject: "Orchid Bank pilot — proposal", to: [p.ravi], cc: [siti],
    text: "Ravi, attached is the pilot proposal we discussed at the conference." });
  mb.inbox({ at: mb.at(-54, "12:00"), subject: "RE: Orchid Bank pilot — proposal", thread: orchidMail.thread, from: p.ravi, to: [me],
    text: "Thank you. I'll set up a weekly sync from September." });
  mb.inbox({ at: mb.at(-31, "09:00"), subject: `Canceled: ${orchid[1].title}`, from: p.ravi, to: [me, siti],
    text: "Cancelled — public holiday.", notice: { graphType: "eventMessage", meetingMessageType: "meetingCancelled", event: orchid[1] } });
  inviteOut(oliver2, -14, "12:00", [p.oliver, arjun]);
  respond(oliver2, mb.at(-13, "06:10"), p.oliver, me, "Declined");
  mb.inbox({ at: mb.at(-14, "13:00"), subject: "Thanks for today", from: p.oliver, to: [me], text: "Good session. Talk soon." });
  void oliver1;
  const hannahIntro = mb.sent({ at: new Date(hannah.start.getTime() - 14 * DAY), exact: true, subject: "Tidewater — intro from Jae-won",
    to: [p.hannah], text: "Hi Hannah, Jae-won suggested we connect about Korean payments data." });
  mb.inbox({ at: mb.at(-19, "09:00"), subject: "RE: Tidewater — intro from Jae-won", thread: hannahIntro.thread, from: p.hannah, to: [me],
    text: "Happy to — I'll send an invite for early October." });
  mb.sent({ at: mb.at(-6, "15:30"), subject: "RE: Tidewater — intro from Jae-won", thread: hannahIntro.thread, to: [p.hannah],
    text: "Lovely to meet, Hannah. The sample files are attached." });
  const sched = mb.sent({ at: mb.at(-9, "16:00"), subject: "Market data — time next week?", to: [p.marco],
    text: "Ciao Marco, could we find 45 minutes next Tuesday afternoon?" });
  mb.inbox({ at: mb.at(-8, "02:00"), subject: "RE: Market data — time next week?", thread: sched.thread, from: p.marco, to: [me],
    text: "Tuesday works. I'll send an invite." });
  inviteIn(marco, -8, "02:05");
  const cold = mb.inbox({ at: mb.at(-15, "08:00"), subject: "Sandbar Ventures — quick intro", from: p.aisha, to: [me],
    text: "Hi Mei Lin, I invest in data infrastructure across SEA. Could we talk?" });
  mb.inbox({ at: mb.at(-8, "08:00"), subject: "RE: Sandbar Ventures — quick intro", thread: cold.thread, from: p.aisha, to: [me],
    text: "Bumping this — I've sent an invite for Monday." });
  inviteIn(aisha, -8, "08:05");
  inviteOut(tariq, -12, "10:00", [p.tariq, wen]);
  mb.sent({ at: mb.at(-8, "18:00"), subject: "Portfolio data — next steps", to: [p.tariq], isDraft: true,
    text: "Tariq, thanks for yesterday. Next steps as I see them" });
  inviteIn(dmitri, -12, "14:00");
  respond(dmitri, mb.plus(dmitri.start, 5), me, p.dmitri, "Accepted");
  inviteOut(roundtable, -20, "10:00", [...[arjun, siti, danielk, wen, priscilla, marcus, nur, kelvin, joanne], g.info, p.amelie, p.yusuf,
    ...g.guests]);
  respond(roundtable, mb.at(-19, "09:00"), p.amelie, me, "Declined");
  mb.sent({ at: mb.at(-13, "15:00"), subject: "Thank you — APAC partner roundtable", to: [me], bcc: g.guests,
    text: "Thank you for a candid two hours. Notes and the shared slides are attached." });
  inviteIn(breakfast, -25, "10:00");
  inviteIn(peter, -9, "12:00");
  respond(peter, mb.at(-9, "12:30"), me, p.peter, "Declined");
  inviteIn(sophie, -7, "09:00");
  mb.inbox({ at: mb.at(-4, "20:00"), subject: `Canceled: ${sophie.title}`, from: p.sophie, to: [me], text: "Sorry — we need to reschedule.",
    notice: { graphType: "eventMessage", meetingMessageType: "meetingCancelled", event: sophie } });
  inviteIn(ben, -4, "10:00");
  mb.inbox({ at: mb.at(-1, "19:00"), subject: "Great to meet", from: p.emma, to: [me], text: "Thanks for staying late for our call!" });
  mb.inbox({ at: mb.at(-6, "12:00"), subject: "Site visit logistics", from: p.lucas, to: [me], cc: [danielk], text: "Gate pass and parking details." });

  fillerMail(mb, g);
  // last, so that every earlier event and message keeps its generated key (ids, send times)
  networkingEvents(mb, g);
  return mb;
}

/** Newsletters, notifications and internal mail: volume, not roles. */
/**
 * Networking events (shared/spec/events.md): a summit, a Meetup invitation and a gala ticket in Mei
 * Lin's own calendar in the coming week; a large founders' mixer two evenings ago where she met
 * Daniel (written to the next morning) and a networking lunch where she met Ayesha and never wrote.
 */
function networkingEvents(mb: Mailbox, g: ReturnType<typeof microsoftPeople>) {
  const { arjun, siti } = g.colleagues;
  const person = (name: string, email: string, role: string, why: string, expect: ("new" | "missing")[] = []) =>
    mb.add(name, email, "person", role, why, expect);
  const meetup = mb.add("Meetup", "info@meetup.com", "role", "event platform (Meetup invitations)", "an event platform's address is not a person");
  const daniel = person("Daniel Ong", "daniel.ong@lumen.sg", "met at a large mixer, written to the next morning",
    "at the 31-guest mixer on day -2; Mei Lin's first mail to him came the next morning: met there, followed up", ["new"]);
  const ayesha = person("Ayesha Rahim", "ayesha@paylane.my", "met at a small networking lunch, never written to",
    "organised the day -3 networking lunch (3 people): met there, no mail since", ["new", "missing"]);
  const mixerGuests = Array.from({ length: 29 }, (_, i) =>
    person(`Mixer guest ${i + 1}`, `guest${i + 1}@${["founders.sg", "gmail.com", "launchpad.asia", "outlook.com"][i % 4]}`, "mixer guest",
      "only at the large mixer, never written to"));

  // coming up (labelled upcoming): a summit, a Meetup invitation (a title with no keyword), a ticket in her own calendar
  mb.event({ title: "Asia Data & AI Summit", start: mb.at(4, "09:00"), end: mb.at(4, "18:00"), organizer: g.events,
    attendees: [yes(arjun), ...g.crowd.map(yes)], location: "Suntec Convention Centre", networking: "upcoming" });
  mb.event({ title: "Singapore Product Circle — October talks", start: mb.at(2, "19:00"), mins: 120, organizer: meetup, attendees: [yes(meetup)],
    description: "Talks and networking. RSVP: https://www.meetup.com/sg-product-circle/events/31299877/", location: "Block71", networking: "upcoming" });
  mb.event({ title: "FinTech Awards Gala", start: mb.at(6, "19:00"), mins: 240, attendees: [], location: "Marina Bay Sands — ticket #A-2207",
    description: "Your order is confirmed. View your ticket: https://www.eventbrite.sg/e/fintech-awards-gala-2026-tickets-771209384",
    networking: "upcoming" });
  // not networking: a conference call
  mb.event({ title: "Orchid Bank conference call", start: mb.at(1, "11:00"), mins: 30, attendees: [yes(g.people.ravi)] });

  // this week (labelled attended): a large mixer and a small networking lunch
  const mixer = mb.event({ title: "Founders Mixer — Tanjong Pagar", start: mb.at(-2, "18:30"), end: mb.at(-2, "21:00"), organizer: g.events,
    attendees: [yes(daniel), yes(siti), ...mixerGuests.map(yes)], location: "The Working Capitol", networking: "attended" });
  mb.event({ title: "Women in Payments networking lunch", start: mb.at(-3, "12:00"), end: mb.at(-3, "13:30"), organizer: ayesha,
    attendees: [yes(ayesha), yes(siti)], location: "Lau Pa Sat", networking: "attended" });
  mb.sent({ at: mb.at(-1, "08:50"), subject: "Great to meet you last night", to: [daniel],
    text: `Daniel, great to meet you at ${mixer.title}. The data-sharing note I mentioned is below.` });

  conferenceAndMixer(mb, g);
}

/**
 * The demo's event emails (npm start): a 200-attendee conference yesterday, where Mei Lin met Rizal
 * and Claire by writing to them that evening and this morning (its morning-after email), and a small
 * founders' mixer tomorrow evening (the demo sets a goal for it: its morning-of email).
 */
function conferenceAndMixer(mb: Mailbox, g: ReturnType<typeof microsoftPeople>) {
  const { arjun, wen } = g.colleagues;
  const person = (name: string, email: string, role: string, why: string, expect: ("new" | "missing")[] = []) =>
    mb.add(name, email, "person", role, why, expect);
  const organiser = mb.add("APAC Partnerships Conference", "events@apacpartnerships.asia", "role", "role address (conference organiser)",
    "events@ is a role address");
  const rizal = person("Rizal Hakim", "rizal@bayanpay.my", "met at a 200-attendee conference, written to that evening",
    "at the day -1 conference (200 attendees, a large gathering); Mei Lin's first mail to him came that evening and none before: met there, followed up",
    ["new"]);
  const claire = person("Claire Laurent", "claire.laurent@outlook.com", "met at a 200-attendee conference, written to the next morning",
    "at the day -1 conference; Mei Lin's first mail to her came this morning and none before: met there, followed up", ["new"]);
  const crowd = conferenceCrowd(mb, {
    seed: "apac-partnerships-2026", count: 195, role: "conference attendee", why: "only at the 200-attendee conference, never written to",
    companies: ["merlionpay.sg", "straitsdata.com", "batikcloud.id", "jadeledger.hk", "monsoon.ai", "lionrock.capital", "kampongtech.sg",
      "sampan.io", "tigerbalmventures.com", "orchardlabs.sg", "rivervalley.finance", "mekongdigital.vn", "pearlriver.tech", "selatpay.my",
      "banyan.systems", "durianworks.co", "sakura-data.jp", "hanriver.kr", "luzon.dev", "bengalbay.in", "coralreef.ai", "junkboat.hk",
      "mangrove.capital", "peranakan.design", "kopitiam.app"],
    publicDomains: ["gmail.com", "outlook.com", "yahoo.com.sg", "hotmail.com"],
  });
  const conference = mb.event({ title: "APAC Partnerships Conference 2026", start: mb.at(-1, "09:00"), end: mb.at(-1, "17:30"),
    organizer: organiser, organizerInList: false,
    attendees: [yes(rizal), yes(arjun), no(wen), yes(claire), ...answered(crowd, 9)],
    location: "Sands Expo and Convention Centre", networking: "attended" });
  mb.sent({ at: mb.at(-1, "19:40"), subject: "Great to meet you at the conference", to: [rizal],
    text: `Rizal, great to meet you at ${conference.title} today. The partner programme deck is attached.` });
  mb.sent({ at: mb.at(0, "07:10"), subject: "Following up from APAC Partnerships", to: [claire],
    text: "Claire, lovely to meet you yesterday. Here is the data-sharing note I mentioned." });

  // tomorrow evening: a small founders' mixer Mei Lin accepted
  const host = person("Farid Noor", "farid@foundersfriday.sg", "hosts a future mixer", "the mixer has not happened yet: not met");
  const guests = [
    person("Grace Tan", "grace.tan@seedling.vc", "at a future mixer", "the mixer has not happened yet: not met"),
    person("Arun Pillay", "arun@tollgate.io", "at a future mixer", "the mixer has not happened yet: not met"),
    person("Nicole Wee", "nicole.wee@gmail.com", "at a future mixer", "the mixer has not happened yet: not met"),
    person("Tomasz Nowak", "tomasz@vistula.tech", "at a future mixer", "the mixer has not happened yet: not met"),
  ];
  mb.event({ title: "Payments Founders Mixer", start: mb.at(1, "18:00"), end: mb.at(1, "20:30"), organizer: host,
    attendees: [yes(host), ...guests.map(yes)], location: "Level33, Marina Bay Financial Centre", networking: "upcoming" });
}

function fillerMail(mb: Mailbox, g: ReturnType<typeof microsoftPeople>) {
  const r = rand("demo-microsoft", "filler");
  const { arjun, siti, danielk, wen, joanne } = g.colleagues;
  const team = [arjun, siti, danielk, wen, joanne];
  const topics = ["Q4 partner pipeline", "Data-sharing agreement template", "Roundtable logistics", "MAS sandbox application",
    "Partner tiering", "Travel: Jakarta", "Board pack — partnerships slide", "Renewal forecast", "Pricing for data feeds"];
  for (let i = 0; i < 9; i++) {
    const day = -58 + i * 6;
    const who = team[i % team.length];
    const first = mb.sent({ at: mb.at(day, `${10 + (i % 5)}:${r.pick(["10", "25", "40", "55"])}`), subject: topics[i], to: [who],
      cc: i % 4 === 1 ? [team[(i + 1) % team.length]] : [], text: `${who.name.split(" ")[0]}, can you take a look at ${topics[i].toLowerCase()}?` });
    mb.inbox({ at: mb.at(day, "17:20"), subject: `RE: ${topics[i]}`, thread: first.thread, from: who, to: [mb.owner],
      text: "Done — comments in the doc." });
  }
  for (let i = 0; i < 8; i++)
    mb.inbox({ at: mb.at(-56 + i * 7, "06:30"), subject: `The Data Brief — week ${34 + i}`, from: g.news, to: [mb.owner], category: "promotions",
      text: "Regional data policy, three deals and a chart of the week." });
  for (let i = 0; i < 6; i++)
    mb.inbox({ at: mb.at(-50 + i * 8, "12:15"), subject: `${r.pick(["Arjun Pillai", "Siti Rahman", "Daniel Koh"])} mentioned you in Partnerships`,
      from: g.noreply, to: [mb.owner], category: "updates", text: "You have unread messages in Microsoft Teams." });
}
