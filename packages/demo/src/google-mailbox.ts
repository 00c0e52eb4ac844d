// demo-google: Isla's calendar and mail over the ~60 days before now (Wed
// 27 May 2026 08:30 Melbourne) and the two weeks after. Day offsets are
// local calendar days from now: day -2 is Mon 25 May, day -7 is Wed 20 May.

import { googleMailbox, googlePeople } from "./google-people.ts";
import type { Attendee, Mailbox, Person } from "./model.ts";
import { answered, conferenceCrowd } from "./conference.ts";
import { DAY, noticeWhen, rand } from "./util.ts";

const yes = (p: Person): Attendee => ({ p, rsvp: "accepted" });
const no = (p: Person): Attendee => ({ p, rsvp: "declined" });

export function buildGoogleMailbox(): Mailbox {
  const mb = googleMailbox();
  const g = googlePeople(mb);
  const { theo, ruby, jonah, ellie, sam, nina, omar, lucy, benc } = g.colleagues;
  const p = g.people;
  const me = mb.owner;
  const gmailAlias = { p: me, email: "isla.marchetti.design@gmail.com" };
  const when = (e: { start: Date; end: Date }) => noticeWhen(e.start, e.end, mb.zone, "AEST");

  // ---------------------------------------------------------------- routine
  mb.weekly({ title: "Studio stand-up", start: mb.at(-58, "09:30"), mins: 15, attendees: [yes(theo), yes(ruby), yes(jonah)] }, 10);
  mb.weekly({ title: "Design crit", start: mb.at(-55, "14:00"), mins: 60, attendees: [g.room, yes(theo), yes(ellie)] }, 9,
    (i) => (i === 4 ? { ownerRsvp: "declined" } : undefined));
  for (const d of [-47, -19])
    mb.event({ title: "Paperkite all-hands", start: mb.at(d, "16:00"), mins: 45, organizer: ruby,
      attendees: [yes(ruby), g.studioCal, yes(theo), yes(jonah), yes(ellie), yes(sam), yes(nina)] });
  for (const d of [-22, -15, -1]) mb.event({ title: "Focus time", start: mb.at(d, "08:30"), mins: 90, eventType: "focusTime" });
  mb.event({ title: "Out of office", start: mb.at(-33, "00:00"), end: mb.at(-32, "00:00"), eventType: "outOfOffice" });
  mb.event({ title: "Working from home", allDayOn: [-12, -11], eventType: "workingLocation" });

  // existing client series; Dev joins later; one instance deleted
  mb.weekly({ title: "Lumacart × Paperkite design sync", start: mb.at(-49, "14:00"), mins: 45, organizer: p.carla,
    attendees: [yes(p.carla), yes(theo)] }, 9, (i) => {
    if (i === 3) return { status: "cancelled", minimal: true };
    if (i >= 4) return { attendees: [yes(p.carla), yes(p.dev), yes(theo)], ownerRsvp: i === 8 ? "needsAction" : "accepted" };
    return undefined;
  });

  // ----------------------------------------------------- first meetings
  const chidiMeet = mb.event({ title: "Brightpath — onboarding research readout", start: mb.at(-2, "10:00"), mins: 60,
    attendees: [g.room, yes(p.chidi), no(p.jack), yes(ruby)], location: "Paperkite-L2-Kiln (8)" });
  const tomasMeet = mb.event({ title: "Illustration brief — Tomas / Isla", start: mb.at(-2, "14:00"), mins: 45, attendees: [yes(p.tomas)] });
  mb.event({ title: "Fern Studio × Paperkite — motion system", start: mb.at(-5, "11:00"), mins: 60, organizer: p.ana,
    attendees: [yes(p.ana), yes(theo)] });
  const zoeMeet = mb.event({ title: "Atelier Château — type licensing", start: mb.at(-6, "17:30"), mins: 45, attendees: [yes(p.zoe)] });
  mb.event({ title: "Quillfinch usability session", start: mb.at(-7, "13:00"), mins: 60, attendees: [g.room, yes(p.marcus), yes(ellie)],
    location: "Paperkite-L2-Kiln (8)" });
  const femiMeet = mb.event({ title: "Oakline × Paperkite", start: mb.at(-1, "15:00"), mins: 45, organizer: p.femi, attendees: [yes(p.femi)] });
  const sofiaMeet = mb.event({ title: "Brightloop intro chat", start: mb.at(-5, "09:00"), mins: 45, organizer: p.sofia, attendees: [yes(p.sofia)] });
  const sofiaSecond = mb.event({ title: "Brightloop — second session", start: mb.at(2, "10:00"), mins: 60, organizer: p.sofia,
    attendees: [yes(p.sofia)], ownerRsvp: "needsAction", status: "cancelled", created: mb.at(-2, "10:00") });
  mb.event({ title: "Tallgrass / Paperkite", start: mb.at(-2, "11:30"), mins: 30, organizer: p.kwame, organizerInList: false,
    attendees: [yes(theo)] });
  mb.event({ title: "Design Melbourne — May meetup", start: mb.at(-20, "18:00"), mins: 150, organizer: g.events, organizerInList: false,
    attendees: [yes(p.luca), yes(p.nadia), yes(theo), ...g.crowd.map((c, i) => (i % 5 === 0 ? c : yes(c)))] });
  mb.event({ title: "Coffee — Luca / Isla", start: mb.at(0, "07:30"), mins: 30, organizer: p.luca, attendees: [yes(p.luca)],
    location: "Higher Ground, 650 Little Bourke St" });
  const oskarMeet = mb.event({ title: "Fjordpay checkout teardown", start: mb.at(-12, "14:00"), mins: 60, attendees: [yes(p.oskar), yes(jonah)] });
  mb.event({ title: "Fjordpay — follow-up review", start: mb.at(-6, "15:00"), mins: 45, attendees: [no(p.oskar), yes(jonah)],
    created: mb.at(-12, "16:00") });
  mb.event({ title: "Verdant Labs — research ops", start: mb.at(-9, "11:00"), mins: 30, organizer: p.elena, attendees: [yes(p.elena)] });
  const rahulMeet = mb.event({ title: "Stackfold intro", start: mb.at(-13, "16:00"), mins: 30, organizer: p.rahul, attendees: [yes(p.rahul)] });
  mb.event({ title: "Wattle co-design day", allDayOn: [-8, -7], attendees: [yes(p.mira), yes(jonah)], location: "Wattle Co-op, Collingwood" });
  mb.event({ title: "Breakfast — Wen / Isla", start: mb.at(-30, "07:45"), end: mb.at(-30, "08:30"), organizer: p.wen, attendees: [yes(p.wen)],
    location: "Hardware Société" });
  mb.event({ title: "Cobaltline portfolio review", start: mb.at(-34, "13:00"), mins: 45, organizer: p.ethan, attendees: [yes(p.ethan)] });
  const board = mb.event({ title: "Paperkite customer advisory board", start: mb.at(-14, "10:00"), mins: 120,
    attendees: [g.room, ...[theo, ruby, jonah, ellie, sam, nina, omar, lucy, benc].map(yes), g.contact, no(p.harriet), yes(p.yara),
      ...g.guests.map(yes)], location: "Paperkite-L2-Kiln (8)" });
  mb.event({ title: "Harbour Bio — discovery", start: mb.at(-9, "14:00"), mins: 45, organizer: p.grace, attendees: [yes(p.grace)] });
  mb.event({ title: "Harbour Bio — prototype walkthrough", start: mb.at(5, "11:00"), mins: 60, organizer: p.grace,
    attendees: [yes(p.grace), yes(ruby)], ownerRsvp: "needsAction", created: mb.at(-3, "18:00") });
  mb.event({ title: "Kumo Works — prototype review", start: mb.at(-19, "10:00"), mins: 60, organizer: p.hiroshi, zone: "Asia/Tokyo",
    attendees: [yes(p.hiroshi)] });
  const northgrid = mb.event({ title: "Northgrid dashboard review", start: mb.at(-15, "10:00"), mins: 60,
    attendees: [yes(p.matt), yes(p.lena), yes(theo)] });
  mb.event({ title: "Peakform partnership", start: mb.at(-6, "10:00"), mins: 30, organizer: p.victor, attendees: [yes(p.victor)],
    ownerRsvp: "declined" });
  mb.event({ title: "Saltmarsh studio tour", start: mb.at(-7, "16:00"), mins: 60, organizer: p.ingrid, attendees: [yes(p.ingrid)],
    status: "cancelled" });
  mb.event({ title: "Tessellate — quick intro?", start: mb.at(-5, "15:00"), mins: 30, organizer: p.paolo, attendees: [yes(p.paolo)],
    ownerRsvp: "needsAction" });
  mb.event({ title: "Lumen Rx — kickoff", start: mb.at(1, "10:00"), mins: 60, attendees: [yes(p.sana), yes(ruby)] });
  mb.event({ title: "Loomcraft product demo", start: mb.at(-16, "11:00"), mins: 45, organizer: g.hello, attendees: [yes(g.hello), yes(ruby)] });

  // ------------------------------------------------------------- mail
  const thanks = mb.sent({ at: mb.at(-2, "15:10"), subject: "Thanks — onboarding readout notes", to: [{ p: p.chidi, name: "Okafor, Chidi" }],
    cc: [ruby], text: "Chidi, thanks for walking us through the onboarding data this morning. Notes attached; next steps below." });
  mb.inbox({ at: mb.at(-2, "17:45"), subject: "Re: Thanks — onboarding readout notes", thread: thanks.thread,
    from: { p: p.chidi, name: "Okafor, Chidi" }, to: [me], cc: [ruby], text: "Thanks Isla, very useful. I'll share with the clinical team." });
  mb.sent({ at: mb.at(-1, "09:20"), subject: "Illustration brief — references", from: gmailAlias,
    to: [{ p: p.tomas, email: "tomaslindgren@googlemail.com" }], text: `Hi Tomas, as promised the reference boards from ${when(tomasMeet)}.` });
  mb.sent({ at: mb.at(-5, "16:40"), subject: "Motion system — our notes", to: [{ p: p.ana, email: "ana+paperkite@fernstudio.co" }],
    text: "Ana, lovely session. Here is the easing curve we discussed." });
  const zoeIn = mb.inbox({ at: mb.at(-6, "19:00"), subject: "Licence options", from: { p: p.zoe, encoded: true }, to: [me],
    text: "Bonjour Isla — merci pour l'appel ! The licence options are below." });
  mb.sent({ at: mb.at(-6, "20:05"), subject: "Re: Licence options", thread: zoeIn.thread, to: [{ p: p.zoe, encoded: true }],
    text: `Merci Zoë! Following up on ${zoeMeet.title}: we will take the desktop + web licence.` });
  mb.sent({ at: mb.at(-7, "16:00"), subject: "Usability session — thank you", to: [{ p: p.marcus, email: "MARCUS.BELL@QUILLFINCH.COM" }],
    text: "Marcus, thank you for your time today. The voucher is on its way." });
  // exactly 14 × 24 h before the Oakline meeting started
  const femiIntro = mb.sent({ at: new Date(femiMeet.start.getTime() - 14 * DAY), exact: true, subject: "Paperkite — deck and demo video",
    to: [p.femi], text: "Hi Femi, as discussed with Ravi, here is our deck and a two-minute demo." });
  mb.inbox({ at: mb.at(-14, "18:20"), subject: "Re: Paperkite — deck and demo video", thread: femiIntro.thread, from: p.femi, to: [me],
    text: "Thanks Isla. Sent you an invite for two weeks out." });
  mb.sent({ at: mb.at(-1, "17:05"), subject: "Re: Paperkite — deck and demo video", thread: femiIntro.thread, to: [p.femi],
    text: "Great to meet today, Femi. Metrics you asked for are below." });
  const sched = mb.sent({ at: mb.at(-9, "10:15"), subject: "Time for a chat next week?", to: [p.sofia],
    text: "Hi Sofia, Kwabena suggested we talk about Brightloop's design system. Friday morning?" });
  mb.inbox({ at: mb.at(-9, "12:40"), subject: "Re: Time for a chat next week?", thread: sched.thread, from: p.sofia, to: [me],
    text: "Friday 9am works — invite on its way." });
  mb.inbox({ at: mb.at(-2, "09:05"), subject: `Invitation: ${sofiaSecond.title} @ ${when(sofiaSecond)} (isla@paperkite.studio)`,
    from: p.sofia, to: [me], contentType: "multipart/mixed", text: "You have been invited to the following event." });
  mb.sent({ at: mb.at(-2, "12:30"), subject: `New time proposed: ${sofiaSecond.title}`, to: [p.sofia],
    contentType: 'text/calendar; charset="UTF-8"; method=COUNTER', text: "Isla Marchetti has proposed a new time for this event." });
  mb.inbox({ at: mb.at(-1, "08:10"), subject: `Canceled event: ${sofiaSecond.title} @ ${when(sofiaSecond)} (isla@paperkite.studio)`,
    from: p.sofia, to: [me], contentType: "multipart/mixed", text: "This event has been cancelled and removed from your calendar." });
  const cold = mb.inbox({ at: mb.at(-13, "07:55"), subject: "Tallgrass x Paperkite?", from: p.kwame, to: [me],
    text: "Hi Isla — I lead product at Tallgrass. Would love 30 minutes to show you what we are building." });
  mb.inbox({ at: mb.at(-9, "08:30"), subject: "Re: Tallgrass x Paperkite?", thread: cold.thread, from: p.kwame, to: [me],
    text: "Following up — I have put something in for Monday, hope that works." });
  mb.inbox({ at: mb.at(-1, "07:40"), subject: "Slides from Monday", from: p.kwame, to: [me], text: "Great chatting — slides attached." });
  mb.inbox({ at: mb.at(-12, "18:30"), subject: "Thanks for the teardown", from: p.oskar, to: [me], cc: [jonah],
    text: "Appreciated the teardown today. Speak soon." });
  mb.draft({ at: mb.at(-8, "17:20"), subject: "Great to meet", to: [p.elena], text: "Elena — great to meet yesterday. I'd love to" });
  mb.sent({ at: mb.at(-13, "16:07"), subject: `Accepted: ${rahulMeet.title} @ ${when(rahulMeet)} (rahul@stackfold.dev)`, to: [p.rahul],
    contentType: "multipart/mixed", text: "Isla Marchetti has accepted this invitation." });
  mb.inbox({ at: mb.at(-15, "09:12"), subject: `Invitation: ${rahulMeet.title} @ ${when(rahulMeet)} (isla@paperkite.studio)`,
    from: p.rahul, to: [me], contentType: "multipart/mixed", text: "Rahul Menon has invited you to the following event." });
  mb.sent({ at: mb.at(-14, "16:30"), subject: "Thank you for joining the advisory board", to: [me], bcc: g.guests,
    text: "Thank you all for a generous two hours. Summary and next steps inside." });
  mb.sent({ at: mb.at(-15, "17:00"), subject: "Northgrid dashboard — recap", to: [p.matt], cc: [p.lena, theo],
    text: `Matt, Lena — recap of ${northgrid.title}: three fixes, one open question on alerts.` });
  const kumo = mb.sent({ at: mb.at(-40, "11:00"), subject: "Kumo Works — prototype", to: [p.hiroshi],
    text: "Hiroshi-san, the prototype link is below. Happy to walk through it any time." });
  mb.inbox({ at: mb.at(-39, "13:00"), subject: "Re: Kumo Works — prototype", thread: kumo.thread, from: p.hiroshi, to: [me],
    text: "Thank you. Let us review together in May." });
  const carla = mb.sent({ at: mb.at(-58, "10:00"), subject: "Lumacart design sync — proposal", to: [p.carla],
    text: "Hi Carla, a weekly sync would help us keep the checkout redesign moving." });
  mb.inbox({ at: mb.at(-57, "09:00"), subject: "Re: Lumacart design sync — proposal", thread: carla.thread, from: p.carla, to: [me],
    text: "Agreed — invite sent for Wednesdays." });
  mb.sent({ at: mb.at(-20, "09:00"), subject: "Lumacart — adding Dev to the sync", to: [p.carla], cc: [theo], text: "Dev is welcome from tomorrow." });
  mb.inbox({ at: mb.at(-4, "10:00"), subject: "Wattle photos", from: p.mira, to: [me], text: "Photos from the co-design day!" });
  mb.inbox({ at: mb.at(-5, "21:00"), subject: "Brightloop <> Paperkite", from: p.sofia, to: [me], text: "Great to meet you this morning." });
  void board;
  void chidiMeet;
  void oskarMeet;
  void sofiaMeet;

  fillerMail(mb, g);
  // last, so that every earlier event and message keeps its generated key (ids, send times)
  networkingEvents(mb, g);
  return mb;
}

/**
 * Networking events (shared/spec/events.md): a conference, a Luma invitation and a ticket Gmail put
 * in Isla's calendar in the coming week; a large mixer last weekend where she met Priya (written to
 * the next morning) and a small meet & greet where she met Noah and never wrote.
 */
function networkingEvents(mb: Mailbox, g: ReturnType<typeof googlePeople>) {
  const { theo } = g.colleagues;
  const person = (name: string, email: string, role: string, why: string, expect: ("new" | "missing")[] = []) =>
    mb.add(name, email, "person", role, why, expect);
  const luma = mb.add("Luma", "calendar-invite@lu.ma", "role", "event platform (Luma invitations)", "an event platform's address is not a person");
  const priya = person("Priya Raman", "priya@kindred.design", "met at a large mixer, written to the next morning",
    "at the 31-guest mixer on day -3; Isla's first mail to her came the next morning: met there, followed up", ["new"]);
  const noah = person("Noah Fischer", "noah@kindling.org", "met at a small meet & greet, never written to",
    "organised the day -4 meet & greet (4 people): met there, no mail since", ["new", "missing"]);
  const mixerGuests = Array.from({ length: 28 }, (_, i) =>
    person(`Mixer guest ${i + 1}`, `guest${i + 1}@${["makers.club", "gmail.com", "foundry.co", "outlook.com"][i % 4]}`, "mixer guest",
      "only at the large mixer, never written to"));

  // coming up (labelled upcoming): a conference, a Luma invitation (a title with no keyword), a Gmail ticket
  mb.event({ title: "Web Directions Summit 2026", start: mb.at(2, "09:00"), end: mb.at(2, "17:30"), organizer: g.events, organizerInList: false,
    attendees: [yes(g.people.nadia), yes(theo), ...g.crowd.map(yes)], location: "Melbourne Convention Centre", networking: "upcoming" });
  mb.event({ title: "Creative Mornings Melbourne", start: mb.at(5, "07:30"), mins: 90, organizer: luma, attendees: [yes(luma)],
    iCalUID: "evt-cm-mel-june@events.lu.ma", description: "Get up-to-date information at: https://lu.ma/cm-mel-june",
    location: "The Wheeler Centre", networking: "upcoming" });
  mb.event({ title: "Melbourne Design Week — opening night", start: mb.at(6, "18:00"), mins: 180, eventType: "fromGmail", attendees: [],
    description: "This event was created from an email you received in Gmail. https://www.eventbrite.com.au/e/mdw-opening-night-tickets-88123",
    location: "NGV International", networking: "upcoming" });
  // not networking: a conference call, and a summit-sounding place name
  mb.event({ title: "Lumacart conference call", start: mb.at(1, "11:00"), mins: 30, attendees: [yes(g.people.carla)] });
  mb.event({ title: "Summitview studio visit", start: mb.at(3, "14:00"), mins: 60, attendees: [yes(theo)] });

  // last week (labelled attended): a large mixer and a small meet & greet
  const mixer = mb.event({ title: "Founders & Makers Mixer", start: mb.at(-3, "18:00"), end: mb.at(-3, "21:00"), organizer: g.events,
    organizerInList: false, attendees: [yes(priya), yes(g.people.hiroshi), ...mixerGuests.map(yes)], location: "The Craft & Co, Collingwood",
    networking: "attended" });
  mb.event({ title: "Kindling meet & greet", start: mb.at(-4, "17:00"), end: mb.at(-4, "18:30"), organizer: noah,
    attendees: [yes(noah), yes(g.colleagues.jonah)], location: "Kindling, Fitzroy", networking: "attended" });
  mb.sent({ at: mb.at(-2, "08:40"), subject: "Great to meet you at the mixer", to: [priya],
    text: `Priya, great to meet you at ${mixer.title} last night. The prototype I mentioned is linked below.` });
  mb.sent({ at: mb.at(-2, "09:15"), subject: "Kumo Works — saw you at the mixer", to: [g.people.hiroshi],
    text: "Hiroshi-san, good to see you on Sunday. Shall we pick up the prototype review?" });

  conferenceAndMixer(mb, g);
}

/**
 * The demo's event emails (npm start): a 200-attendee conference yesterday, where Isla met Aroha
 * and Ben by writing to them that evening and this morning (its morning-after email), and a small
 * founders' mixer tomorrow evening (the demo sets a goal for it: its morning-of email).
 */
function conferenceAndMixer(mb: Mailbox, g: ReturnType<typeof googlePeople>) {
  const { theo, ellie } = g.colleagues;
  const person = (name: string, email: string, role: string, why: string, expect: ("new" | "missing")[] = []) =>
    mb.add(name, email, "person", role, why, expect);
  const organiser = mb.add("Melbourne Product Design Conference", "events@mpdc.com.au", "role", "role address (conference organiser)",
    "events@ is a role address");
  const aroha = person("Aroha Ngata", "aroha@tuimotion.co.nz", "met at a 200-attendee conference, written to that evening",
    "at the day -1 conference (200 attendees, a large gathering); Isla's first mail to her came that evening and none before: met there, followed up",
    ["new"]);
  const ben = person("Ben Osei", "ben.osei@gmail.com", "met at a 200-attendee conference, written to the next morning",
    "at the day -1 conference; Isla's first mail to him came this morning and none before: met there, followed up", ["new"]);
  const crowd = conferenceCrowd(mb, {
    seed: "mpdc-2026", count: 195, role: "conference attendee", why: "only at the 200-attendee conference, never written to",
    companies: ["brightfern.com.au", "tinderbox.io", "coastline.design", "kookaburra.tech", "ironbark.co", "windmill.com.au",
      "southgate.digital", "bluegum.app", "lyrebird.ai", "mallee.co", "quokka.dev", "saltwater.agency", "bottlebrush.io", "yarra.works",
      "magpie.design", "wombat.systems", "acacia.health", "riverbend.com.au", "pinecone.studio", "harbourline.co", "stringybark.io",
      "flinders.design", "tallowwood.com", "gumleaf.app", "kelpie.finance"],
    publicDomains: ["gmail.com", "outlook.com", "icloud.com", "hotmail.com"],
  });
  const conference = mb.event({ title: "Melbourne Product Design Conference 2026", start: mb.at(-1, "09:00"), end: mb.at(-1, "17:30"),
    organizer: organiser, organizerInList: false,
    attendees: [yes(aroha), yes(theo), no(ellie), yes(ben), ...answered(crowd, 9)],
    location: "Melbourne Convention and Exhibition Centre", networking: "attended" });
  mb.sent({ at: mb.at(-1, "20:15"), subject: "Great to meet you at MPDC", to: [aroha],
    text: `Aroha, great to meet you at ${conference.title} today. Here is the motion study I mentioned.` });
  mb.sent({ at: mb.at(0, "07:50"), subject: "Following up from the conference", to: [ben],
    text: "Ben, lovely chatting at the conference yesterday. The research repo I mentioned is linked below." });

  // tomorrow evening: a small founders' mixer Isla accepted
  const host = person("Hana Whitcombe", "hana@foundersfitzroy.com", "hosts a future mixer", "the mixer has not happened yet: not met");
  const guests = [
    person("Jarrah Collins", "jarrah@saltbush.io", "at a future mixer", "the mixer has not happened yet: not met"),
    person("Mei Fong", "mei.fong@lanternlabs.co", "at a future mixer", "the mixer has not happened yet: not met"),
    person("Oscar Lindahl", "oscar@northwind.studio", "at a future mixer", "the mixer has not happened yet: not met"),
    person("Priyanka Desai", "priyanka.desai@gmail.com", "at a future mixer", "the mixer has not happened yet: not met"),
  ];
  mb.event({ title: "Fitzroy Founders Mixer", start: mb.at(1, "18:00"), end: mb.at(1, "20:30"), organizer: host,
    attendees: [yes(host), ...guests.map(yes)], location: "Naked for Satan, Fitzroy", networking: "upcoming" });
}

/** Newsletters, notifications and internal mail: volume, not roles. */
function fillerMail(mb: Mailbox, g: ReturnType<typeof googlePeople>) {
  const r = rand("demo-google", "filler");
  const { theo, ruby, jonah, ellie, nina } = g.colleagues;
  const team = [theo, ruby, jonah, ellie, nina];
  const topics = ["Onboarding flow v3", "Icon set review", "Sprint 14 scope", "Pricing page copy", "Accessibility audit",
    "Figma library cleanup", "Usability study recruiting", "Design tokens naming", "Release notes draft", "Hiring: junior designer"];
  for (let i = 0; i < 10; i++) {
    const day = -56 + i * 6;
    const who = team[i % team.length];
    const first = mb.sent({ at: mb.at(day, `${10 + (i % 6)}:${r.pick(["05", "20", "35", "50"])}`), subject: topics[i],
      to: [who], cc: i % 3 === 0 ? [team[(i + 2) % team.length]] : [], text: `${who.name.split(" ")[0]}, thoughts on ${topics[i].toLowerCase()}?` });
    mb.inbox({ at: mb.at(day, "16:40"), subject: `Re: ${topics[i]}`, thread: first.thread, from: who, to: [mb.owner],
      text: "Looks good — a couple of comments inline." });
  }
  for (let i = 0; i < 9; i++)
    mb.inbox({ at: mb.at(-57 + i * 7, "06:00"), subject: `Sidebar #${412 + i}: five links for designers`, from: g.sidebar, to: [mb.owner],
      category: "promotions", text: "This week: type pairing, motion principles, and a teardown of onboarding flows." });
  for (let i = 0; i < 12; i++)
    mb.inbox({ at: mb.at(-54 + i * 4, "13:" + String(10 + i * 3)), subject: `${r.pick(["Theo Nakamura", "Ellie Park", "Ruby Sandhu"])} commented on "Paperkite App — ${r.pick(["Checkout", "Onboarding", "Settings", "Library"])}"`,
      from: g.figma, to: [mb.owner], category: "updates", text: "Reply to this comment in Figma." });
  for (const d of [-3, -10, -17, -24, -31, -38])
    mb.inbox({ at: mb.at(d, "05:00"), subject: `Weekly agenda for Isla Marchetti`, from: g.calBot, to: [mb.owner], category: "updates",
      text: "Your events this week." });
}
