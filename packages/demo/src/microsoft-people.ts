// demo-microsoft: who is who. Mei Lin Goh, head of partnerships at
// Tidewater Analytics in Singapore, on Microsoft 365. Each person carries
// the role they were written for and the lists they are expected in.

import { Mailbox } from "./model.ts";

export function microsoftMailbox() {
  return new Mailbox({
    id: "demo-microsoft",
    provider: "microsoft",
    ownerName: "Mei Lin Goh",
    ownerEmail: "meilin.goh@tidewater-analytics.com",
    aliases: ["meilin@tidewater-analytics.com", "meilin.goh@tidewateranalytics.onmicrosoft.com"],
    zone: "Asia/Singapore",
    // Thu 15 Oct 2026, 07:30 in Singapore
    now: "2026-10-14T23:30:00Z",
  });
}

const FIRST = ["Aditya", "Bianca", "Cheng", "Dalia", "Eitan", "Fiona", "Gaurav", "Helena", "Ikaika", "Jia Hui", "Karim", "Lara",
  "Minh", "Nadia", "Oren", "Pooja", "Quentin", "Rhea", "Stefan", "Thandiwe", "Umar", "Valentina", "Wira", "Xin", "Yosef", "Zara",
  "Akira", "Beatriz", "Chidera", "Dmitra", "Emeka", "Farida"];
const LAST = ["Shah", "Lim", "Ong", "Reyes", "Cohen", "Walsh", "Kapoor", "Berg", "Kahale", "Chua", "Mansour", "Silva", "Pham",
  "Aziz", "Levi", "Menon", "Dubois", "Ghosh", "Hoffmann", "Ndlovu", "Farooq", "Greco", "Santoso", "Zhou", "Adler", "Qureshi",
  "Ito", "Costa", "Eze", "Orlova", "Obi", "Haddad"];

export function microsoftPeople(mb: Mailbox) {
  const c = (name: string, email: string, why = "") => mb.add(name, email, "colleague", "colleague", why);
  const colleagues = {
    arjun: c("Arjun Pillai", "arjun.pillai@tidewater-analytics.com"),
    siti: c("Siti Rahman", "siti.rahman@tidewater-analytics.com"),
    danielk: c("Daniel Koh", "daniel.koh@apac.tidewater-analytics.com", "subdomain of the owner's domain: a colleague"),
    wen: c("Wen Hao Lee", "wenhao.lee@tidewater-analytics.com"),
    priscilla: c("Priscilla Tay", "priscilla.tay@tidewater-analytics.com"),
    marcus: c("Marcus Lim", "marcus.lim@tidewater-analytics.com"),
    nur: c("Nur Aisyah", "nur.aisyah@tidewater-analytics.com"),
    kelvin: c("Kelvin Ng", "kelvin.ng@tidewater-analytics.com"),
    joanne: c("Joanne Sim", "joanne.sim@tidewater-analytics.com"),
  };
  const room = mb.add("Boardroom 12F", "boardroom-12f@tidewater-analytics.com", "room", "meeting room",
    "Graph attendee type resource: never a person");
  const coralCal = mb.add("Coral Bay — site visits", "coralbay.cloud_8f3k2m1q9d0s7t4v6b5n@group.calendar.google.com", "group",
    "group calendar", "group.calendar.google.com: never a person");
  const kopi = mb.add("Kopi Labs", "team@kopi-labs.io", "role", "role address organising a vendor demo", "team@ is a role address");
  const events = mb.add("FinTech SG", "events@fintechsg.org", "role", "role address (organiser of a large breakfast)");
  const info = mb.add("APAC FinTech Forum", "info@apacfintech.org", "role", "role address at the 25-person roundtable",
    "info@ is a role address; still counted towards the 25");
  const news = mb.add("The Data Brief", "newsletter@databrief.asia", "role", "newsletter");
  const noreply = mb.add("Microsoft Teams", "noreply@email.teams.microsoft.com", "role", "automated notifications");

  const P = (name: string, email: string, role: string, why: string, expect: ("new" | "missing")[] = [], zone?: string) =>
    mb.add(name, email, "person", role, why, expect, zone);
  const people = {
    weijie: P("Tan, Wei Jie", "weijie.tan@harbourfront.sg", "new contact followed up by mail (display name with a comma)",
      "met Mon (day -3) in the Boardroom; recap To him with a colleague in Cc the same afternoon", ["new"]),
    jason: P("Jason Ho", "jason.ho@harbourfront.sg", "declined a meeting the owner attended", "declined: not met"),
    jonas: P("Jonas Weber", "jonas.weber@gmail.com", "personal gmail.com address, followed up at the googlemail.com spelling",
      "met day -2 (his Google invite); follow-up To jonasweber@googlemail.com", ["new"], "Europe/Berlin"),
    lisa: P("Lisa Okonkwo", "lisa@orchardai.com", "invited at a +tag address, followed up at the plain one",
      "attendee lisa+tidewater@orchardai.com; follow-up To lisa@orchardai.com", ["new"]),
    kenji: P("Kenji Mori", "kenji.mori@soranet.jp", "invited at an upper-case address, followed up in lower case",
      "met day -7 09:00 (ended 02:00Z, inside the 7-day window); follow-up the same day", ["new"], "Asia/Tokyo"),
    thao: P("Nguyễn Thảo", "thao.nguyen@lotusweave.vn", "non-ASCII display name; followed up by mail", "met day -15; followed up"),
    priya: P("Priya Nair", "priya.nair@lumengrid.in", "followed up by Cc on a group email", "met day -10; Cc on the recap"),
    rohan: P("Rohan Mehta", "rohan@lumengrid.in", "followed up by mail (To)", "met day -10; recap To him"),
    chloe: P("Chloé Martin", "chloe.martin@veritas-lab.fr", "followed up by a later meeting the owner has not answered",
      "met day -13; Chloé booked day +5, Mei Lin notResponded", [], "Europe/Paris"),
    ravi: P("Ravi Chandran", "ravi.chandran@orchidbank.com.sg", "existing client running a weekly series",
      "mailed 18 days before the first instance: known; later instances follow up anyway"),
    farah: P("Farah Aziz", "farah.aziz@orchidbank.com.sg", "followed up by a later instance of a weekly series",
      "first joined the day -16 instance; the day -9 instance follows up"),
    sunil: P("Sunil Varma", "sunil@meranti.capital", "existing contact: written to 31 days before the meeting",
      "Mei Lin mailed him on day -40; met day -9 and never wrote again: not new, so not missing"),
    oliver: P("Oliver Grant", "oliver@kiwiledger.co.nz", "a later meeting the other side declined does not count",
      "met day -14; declined the day -6 review; the meeting request Mei Lin sent is an eventMessageRequest, not a follow-up",
      ["missing"], "Pacific/Auckland"),
    hannah: P("Hannah Lee", "hannah.lee@mintwave.kr", "written exactly 14 days before the meeting: still new",
      "intro sent exactly 14×24 h before the day -6 meeting started; followed up by mail after", ["new"], "Asia/Seoul"),
    marco: P("Marco Rossi", "marco.rossi@altavela.it", "scheduling email within 14 days; organiser missing from the attendee list",
      "Mei Lin's scheduling mail on day -9 does not make him known; organised the day -2 call but is not in its attendee list",
      ["new", "missing"], "Europe/Rome"),
    aisha: P("Aisha Karim", "aisha@sandbar.vc", "inbound-only contact", "two cold emails in; Mei Lin never wrote", ["new", "missing"]),
    tariq: P("Tariq Hassan", "tariq@dunecapital.ae", "draft never sent (isDraft: true in Sent Items)",
      "met day -9; the only outbound item is a draft", ["missing"], "Asia/Dubai"),
    dmitri: P("Dmitri Volkov", "dmitri@polarfox.io", "automatic Accepted: notice sent after the meeting started",
      "met day -10; Mei Lin's eventMessageResponse went out 5 minutes into the meeting: not a follow-up", ["missing"]),
    yusuf: P("Yusuf Demir", "yusuf@anatolia-pay.com", "met at a meeting with exactly 25 others (not large)",
      "roundtable had 25 non-resource entries besides Mei Lin; the Bcc thank-you left him out", ["missing"]),
    amelie: P("Amélie Roux", "amelie.roux@paylumen.fr", "declined the roundtable", "declined: not met (but counted towards 25)"),
    lucas: P("Lucas Silva", "lucas.silva@coralbay.cloud", "all-day event with an external person (isAllDay, owner's zone)",
      "all-day 7 Oct: Graph gives 2026-10-07T00:00 UTC; in Asia/Singapore it ends 8 Oct 00:00 = 7 Oct 16:00Z, before now−7d, "
      + "so not new (a UTC reading would make it new); never followed up", ["missing"]),
    emma: P("Emma Walsh", "emma.walsh@brightsail.ie", "meeting ended less than 24 h before now", "ended 14 h before now", ["new"],
      "Europe/Dublin"),
    kyle: P("Kyle Brandt", "kyle@redwoodpay.com", "meeting ended exactly 24 h before now (window boundary, inclusive)",
      "ended 14 Oct 07:30 Singapore = now − 24 h exactly; never followed up", ["new", "missing"], "America/Los_Angeles"),
    noah: P("Noah Fischer", "noah.fischer@bergwerk.de", "meeting ended more than 30 days ago", "met day -35: outside both windows"),
    peter: P("Peter Lam", "peter.lam@quaycap.hk", "only at a meeting the owner declined", "declined: not met"),
    sophie: P("Sophie Bernard", "sophie.bernard@lumiere-ai.fr", "only at a cancelled meeting", "isCancelled: not met"),
    ben: P("Ben Carter", "ben.carter@northpeak.io", "only at an invite the owner never answered", "notResponded: not met"),
    amir: P("Amir Siddiqui", "amir@qanat.ae", "only at a future meeting", "has not happened yet"),
    grace: P("Grace Ong", "grace.ong88@gmail.com", "only at a large gathering", "32 attendees: nobody met there"),
  };
  const guests = Array.from({ length: 13 }, (_, i) => {
    const name = `${FIRST[i]} ${LAST[i]}`;
    const domain = ["finverse.sg", "kinetic.id", "payhub.ph", "bayanpay.my", "tradeline.vn", "lattice.hk"][i % 6];
    return P(name, `${FIRST[i].toLowerCase().replace(/\s/g, "")}.${LAST[i].toLowerCase()}@${domain}`, "roundtable guest thanked by Bcc",
      "met day -13; Bcc on the thank-you");
  });
  const crowd = Array.from({ length: 29 }, (_, i) => {
    const first = FIRST[(i + 13) % FIRST.length];
    const last = LAST[(i * 5 + 3) % LAST.length];
    const domain = ["dbs.com", "uob.com.sg", "grab.com", "ocbc.com", "gmail.com", "yahoo.com", "stripe.com", "wise.com"][i % 8];
    return P(`${first} ${last}`, `${first.toLowerCase().replace(/\s/g, "")}.${last.toLowerCase()}@${domain}`, "breakfast attendee",
      "only at the large gathering");
  });
  return { colleagues, room, coralCal, kopi, events, info, news, noreply, people, guests, crowd };
}
