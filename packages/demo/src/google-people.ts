// demo-google: who is who. Isla Marchetti, product designer at Paperkite (a
// small Melbourne design-tools startup), on Google Workspace with a send-as
// alias on gmail.com. Every person carries the role they were written for and
// the lists they are expected in (see behaviour rules in the project docs).

import { Mailbox } from "./model.ts";

export function googleMailbox() {
  return new Mailbox({
    id: "demo-google",
    provider: "google",
    ownerName: "Isla Marchetti",
    ownerEmail: "isla@paperkite.studio",
    aliases: ["isla.marchetti@paperkite.studio", "isla.marchetti.design@gmail.com"],
    zone: "Australia/Melbourne",
    // Wed 27 May 2026, 08:30 in Melbourne
    now: "2026-05-26T22:30:00Z",
  });
}

const FIRST = ["Amara", "Jasper", "Leilani", "Tobias", "Freya", "Mateo", "Ines", "Callum", "Noor", "Felix", "Hana", "Rowan",
  "Imogen", "Kai", "Sienna", "Arlo", "Mei", "Declan", "Talia", "Ravi", "Esme", "Hugo", "Anika", "Finn", "Lola", "Kofi",
  "Greta", "Jun", "Priscila", "Elias"];
const LAST = ["Hart", "Nguyen", "Okoye", "Lindqvist", "Sato", "Ferraro", "Mbeki", "Quinn", "Das", "Halloran", "Kaur",
  "Petrov", "Ahn", "Duarte", "Whelan", "Moreau", "Iyer", "Novak", "Brennan", "Castell", "Yilmaz", "Rossi", "Fischer",
  "Abara", "Lund", "Tamura", "Oduya", "Sorensen", "Vance", "Mistry"];
const DOMAINS = ["gmail.com", "canvaslane.com", "northside.design", "hey.com", "outlook.com", "studio-ko.com", "pixelgarden.io",
  "icloud.com", "framewise.co", "tidal.studio"];

export function googlePeople(mb: Mailbox) {
  const c = (name: string, email: string, why = "") => mb.add(name, email, "colleague", "colleague", why);
  const colleagues = {
    theo: c("Theo Nakamura", "theo@paperkite.studio"),
    ruby: c("Ruby Sandhu", "ruby.sandhu@paperkite.studio"),
    jonah: c("Jonah Kim", "jonah@syd.paperkite.studio", "subdomain of the owner's domain: a colleague"),
    ellie: c("Ellie Park", "ellie@paperkite.studio"),
    sam: c("Sam Whitlock", "sam@paperkite.studio"),
    nina: c("Nina Kowalski", "nina@paperkite.studio"),
    omar: c("Omar Haddad", "omar@paperkite.studio"),
    lucy: c("Lucy Tran", "lucy.tran@paperkite.studio"),
    benc: c("Ben Castillo", "ben@paperkite.studio"),
  };
  const room = mb.add("Paperkite-L2-Kiln (8)", "c_1884ab2kq3l9nmc6h4g2dp7x@resource.calendar.google.com", "room", "meeting room",
    "resource: true and a resource.calendar.google.com address: never a person");
  const studioCal = mb.add("Paperkite studio", "paperkite.studio_3n7k1qv0b8h5m2dq6t9c4r1e0g@group.calendar.google.com", "group",
    "group calendar", "group.calendar.google.com: never a person");
  const hello = mb.add("Loomcraft", "hello@loomcraft.io", "role", "role address (organiser of a vendor demo)", "hello@ is a role address");
  const events = mb.add("Design Melbourne", "events@designmelb.org", "role", "role address (meetup organiser)", "events@ is a role address");
  const contact = mb.add("Saltbush Collective", "contact@saltbushcollective.org", "role", "role address at the 25-person advisory board",
    "contact@ is a role address; still counted towards the 25");
  const calBot = mb.add("Google Calendar", "calendar-notification@google.com", "role", "automated sender of agenda mail");
  const figma = mb.add("Figma", "no-reply@figma.com", "role", "automated notifications");
  const sidebar = mb.add("Sidebar", "hello@sidebar.io", "role", "newsletter");

  const P = (name: string, email: string, role: string, why: string, expect: ("new" | "missing")[] = [], zone?: string) =>
    mb.add(name, email, "person", role, why, expect, zone);
  const people = {
    chidi: P("Okafor, Chidi", "chidi.okafor@brightpath.health", "new contact followed up by mail (display name with a comma)",
      "first met Mon (day -2); Isla wrote the same afternoon to \"Okafor, Chidi\" <…>", ["new"]),
    jack: P("Jack Doyle", "jack.doyle@brightpath.health", "declined a meeting the owner attended",
      "declined the Brightpath readout: not met"),
    tomas: P("Tomas Lindgren", "tomas.lindgren@gmail.com", "personal gmail.com address, followed up at the googlemail.com spelling",
      "met day -2; follow-up sent from the owner's gmail alias to tomaslindgren@googlemail.com (same address after normalisation); "
      + "the owner's gmail.com alias does not make him a colleague", ["new"]),
    ana: P("Ana Ferreira", "ana@fernstudio.co", "new contact followed up at a +tag address",
      "met day -5; follow-up To ana+paperkite@fernstudio.co", ["new"]),
    zoe: P("Zoë Château", "zoe@atelier-chateau.fr", "new contact followed up with an RFC 2047 encoded name",
      "met day -6; mail both ways with =?UTF-8?B?…?= display names", ["new"], "Europe/Paris"),
    marcus: P("Marcus Bell", "marcus.bell@quillfinch.com", "new contact followed up at an upper-case address",
      "met day -7 (ended inside the 7-day window); follow-up To MARCUS.BELL@QUILLFINCH.COM", ["new"]),
    femi: P("Femi Adeyemi", "femi@oakline.vc", "written exactly 14 days before the meeting: still new",
      "Isla's intro mail went out exactly 14×24 h before the meeting started; met day -1, followed up by mail", ["new"]),
    sofia: P("Sofia Reyes", "sofia@brightloop.io", "scheduling email within 14 days before; later meeting cancelled; only a calendar notice after",
      "met day -5 after a scheduling email on day -9 (still new); the second session was cancelled and Isla's "
      + "\"New time proposed\" reply is a text/calendar notice, not a follow-up", ["new", "missing"]),
    kwame: P("Kwame Asante", "kwame@tallgrass.ai", "inbound-only contact; organiser missing from the attendee list",
      "cold inbound mail only; organised the day -2 call but is not in its attendee list (still met)", ["new", "missing"]),
    luca: P("Luca Moretti", "luca@driftwood.vc", "meeting ended less than 24 h before now; seen earlier only at a large gathering",
      "the 31-person meetup (day -20) counts as no meeting; first real meeting ended 30 minutes before now", ["new"]),
    oskar: P("Oskar Berg", "oskar@fjordpay.no", "a later meeting that the other side declined does not count",
      "met day -12; declined the day -6 follow-up review; no mail", ["missing"]),
    elena: P("Elena Popescu", "elena.popescu@verdantlabs.eu", "draft never sent",
      "met day -9; the thank-you note is still a draft", ["missing"]),
    rahul: P("Rahul Menon", "rahul@stackfold.dev", "automatic 'Accepted:' notice sent after the meeting started",
      "met day -13; the only mail after is Isla's late RSVP (Subject Accepted:, multipart/mixed with text/calendar)", ["missing"]),
    mira: P("Mira Holt", "mira@wattle.coop", "all-day event with an external person (date-based, owner's zone)",
      "all-day co-design day on Tue 19 May: ends 20 May 00:00 Melbourne = 19 May 14:00Z, before now−7d (so not new, "
      + "though a UTC reading of the date would make it new); never followed up", ["missing"]),
    wen: P("Wen Zhao", "wen.zhao@meridianhealth.com.au", "meeting ended exactly 30 days before now (window boundary, inclusive)",
      "breakfast ended 27 Apr 08:30 Melbourne = now − 30 days exactly", ["missing"]),
    ethan: P("Ethan Cole", "ethan@cobaltline.com", "meeting ended more than 30 days ago", "met day -34: outside both windows"),
    yara: P("Yara Haddad-Lowe", "yara@wildkin.studio", "met at a meeting with exactly 25 others (not large)",
      "advisory board had 25 non-resource entries besides Isla: not large, so everyone there was met; "
      + "the Bcc thank-you left Yara out", ["missing"]),
    harriet: P("Harriet Moss", "harriet@saltbushcollective.org", "declined the advisory board", "declined: not met (but counted towards 25)"),
    grace: P("Grace Liu", "grace@harbourbio.com.au", "followed up by a later meeting the owner has not accepted yet",
      "met day -9; Grace booked a second meeting for day +5 that Isla has not answered"),
    dev: P("Dev Malhotra", "dev@lumacart.com", "followed up by a later instance of a weekly series",
      "first joined the Lumacart sync on day -21; the day -14 instance follows it up"),
    carla: P("Carla Jensen", "carla@lumacart.com", "existing client in a long weekly series",
      "first met at the day -49 instance; later instances follow her up"),
    hiroshi: P("Hiroshi Tanaka", "hiroshi@kumoworks.jp", "existing contact: written to 21 days before the first meeting",
      "Isla mailed him on day -40, met day -19: known before the meeting, never new", [], "Asia/Tokyo"),
    lena: P("Lena Vogt", "lena.vogt@northgrid.energy", "followed up by Cc on a group email", "met day -15; Cc on the recap to Matt"),
    matt: P("Matt Reid", "matt.reid@northgrid.energy", "followed up by mail (To)", "met day -15; recap To him"),
    victor: P("Victor Hale", "victor@peakform.co", "only at a meeting the owner declined", "Isla declined: not met"),
    ingrid: P("Ingrid Solberg", "ingrid@saltmarsh.no", "only at a cancelled meeting", "status cancelled: not met"),
    paolo: P("Paolo Greco", "paolo@tessellate.it", "only at an invite the owner never answered", "needsAction: not met"),
    sana: P("Sana Qureshi", "sana@lumen-rx.com", "only at a future meeting", "meeting has not ended"),
    nadia: P("Nadia Rahman", "nadia.rahman@gmail.com", "only at a large gathering", "31 attendees: nobody met there"),
  };
  // the 13 advisory-board guests thanked by Bcc, and the meetup crowd
  const guests = Array.from({ length: 13 }, (_, i) => {
    const name = `${FIRST[i]} ${LAST[(i * 7) % LAST.length]}`;
    const domain = ["canvaslane.com", "northside.design", "framewise.co", "tidal.studio", "pixelgarden.io", "studio-ko.com"][i % 6];
    return P(name, `${FIRST[i].toLowerCase()}@${domain}`, "advisory board guest thanked by Bcc", "met day -14; Bcc on the thank-you");
  });
  const crowd = Array.from({ length: 27 }, (_, i) => {
    const first = FIRST[(i + 3) % FIRST.length];
    const last = LAST[(i * 11 + 5) % LAST.length];
    const domain = DOMAINS[i % DOMAINS.length];
    return P(`${first} ${last}`, `${first.toLowerCase()}.${last.toLowerCase()}@${domain}`, "meetup attendee",
      "only at the large gathering");
  });
  return { colleagues, room, studioCal, hello, events, contact, calBot, figma, sidebar, people, guests, crowd };
}
