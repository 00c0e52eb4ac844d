// An independent oracle of shared/spec/behaviour.md and events.md, written from the spec's text
// alone, without reading packages/core (helper-233, 2026-12-06, Google mailboxes), for
// bench/oracle.ts to set against `followthrough scan --json`. Where the spec leaves a case open
// (two ordinary first meetings starting together and ending apart) it says so in `ambiguous`; where
// they start and end together, only which of them the person was met at is open (`openMet`: those
// people are left out of every event's people met when compared; seed 10597, 2026-12-06).
// Outlook mailboxes (helper-234, 2026-12-06, from the spec, mailbox-fixtures.md and Graph v1.0's
// documented resources, again without packages/core, packages/sandbox or functions/): each Graph
// event and message is read into the same terms as a Google one, and the rules below are shared.
//   Graph events: `start`/`end` are {dateTime, timeZone} (UTC in a fixture, seven-digit fractions,
//   no `Z`); an all-day event (`isAllDay`) takes the date part in the owner's zone; `isCancelled`;
//   the owner attended when `isOrganizer` or `responseStatus.response` is accepted,
//   tentativelyAccepted or organizer (none / notResponded / declined do not count); a guest
//   declined when `status.response` is declined; `type: "resource"` is no person and no entry of a
//   large gathering; every event is ordinary (Graph has no special kinds); a `seriesMaster` is the
//   series, not a meeting (calendarView lists its occurrences and exceptions, each a meeting);
//   platform links are read in `location.displayName` and `bodyPreview`, never `iCalUId` or the
//   online meeting's join URL.
//   Graph messages: outbound when in Sent Items or From an owner identity, and neither a draft
//   (`isDraft`) nor a meeting notice (`@odata.type` of the eventMessage family: eventMessage,
//   eventMessageRequest, eventMessageResponse); the subject alone never makes a notice in Graph
//   (that test is Gmail's); sent at `sentDateTime`; recipients To, Cc and Bcc.
import fs from 'node:fs';
import path from 'node:path';

const H = 3600000, DAY = 24 * H;

export const PUBLIC = new Set(['gmail.com', 'googlemail.com', 'outlook.com', 'hotmail.com', 'live.com', 'msn.com',
  'yahoo.com', 'ymail.com', 'icloud.com', 'me.com', 'mac.com', 'aol.com', 'proton.me', 'protonmail.com', 'gmx.com',
  'gmx.de', 'fastmail.com', 'hey.com', 'zoho.com', 'mail.com', 'yandex.com']);
const ROLE = new Set(['noreply', 'no-reply', 'donotreply', 'do-not-reply', 'notifications', 'notification',
  'calendar-notification', 'mailer-daemon', 'postmaster', 'bounce', 'bounces', 'events', 'rsvp', 'invites', 'info',
  'team', 'hello', 'support', 'sales', 'admin', 'office', 'contact']);

export function norm(a) {
  a = String(a).trim().toLowerCase();
  const at = a.lastIndexOf('@');
  let local = a.slice(0, at), domain = a.slice(at + 1);
  local = local.split('+')[0];
  if (domain === 'googlemail.com') domain = 'gmail.com';
  if (domain === 'gmail.com') local = local.replace(/\./g, '');
  return `${local}@${domain}`;
}
const dom = (a) => a.slice(a.lastIndexOf('@') + 1);
const loc = (a) => a.slice(0, a.lastIndexOf('@'));

// split an RFC 5322 address list (simplified: quotes, angle brackets, comments, groups)
export function parseList(v) {
  if (!v) return [];
  const out = [];
  let cur = '', q = false, ang = false, par = 0;
  const flush = () => {
    let s = cur.trim(); cur = '';
    if (!s) return;
    const m = s.match(/<([^>]*)>/);
    let addr = m ? m[1] : s.replace(/\([^)]*\)/g, '').replace(/^.*:/, '').replace(/;$/, '').trim();
    addr = addr.trim();
    if (addr.includes('@')) out.push(addr);
  };
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (q) { if (c === '\\') { cur += c + v[++i]; continue; } if (c === '"') q = false; cur += c; continue; }
    if (c === '"') { q = true; cur += c; continue; }
    if (c === '(') par++; if (c === ')') par--;
    if (c === '<') ang = true; if (c === '>') ang = false;
    if ((c === ',' || c === ';') && !ang && par === 0) { flush(); continue; }
    if (c === ':' && !ang && par === 0) { cur = ''; continue; } // group name
    cur += c;
  }
  flush();
  return out;
}

export function localMidnightUtc(dateStr, tz) {
  const [y, m, d] = dateStr.split('-').map(Number);
  const guess = Date.UTC(y, m - 1, d);
  const off = (t) => {
    const f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    const p = Object.fromEntries(f.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
    return Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second) - t;
  };
  let t = guess - off(guess);
  const t2 = guess - off(t);
  if (t2 !== t) t = t2;
  return t;
}

// A Graph recipient's or attendee's address ('' when it has none).
const graphAddr = (r) => (r && r.emailAddress && r.emailAddress.address) || '';

// A Graph dateTimeTimeZone as a moment: an all-day event's date part at midnight in the owner's zone;
// otherwise the time in its zone (a fixture's is UTC; seven-digit fractions cut to milliseconds).
export function graphTime(x, allDay, tz) {
  if (!x || !x.dateTime) return NaN;
  if (allDay) return localMidnightUtc(x.dateTime.slice(0, 10), tz);
  const v = x.dateTime.replace(/(\.\d{3})\d+/, '$1');
  if (/(?:Z|[+-]\d\d:\d\d)$/i.test(v)) return Date.parse(v);
  const zone = x.timeZone || 'UTC';
  if (zone === 'UTC' || zone === 'Etc/UTC' || zone === 'tzone://Microsoft/Utc') return Date.parse(`${v}Z`);
  throw new Error(`a Graph time in ${zone}: the oracle reads only UTC (as the fixture format writes it)`);
}

const KW = ['meetup', 'meet-up', 'mixer', 'networking', 'conference', 'summit', 'expo', 'symposium', 'convention',
  'hackathon', 'gala', 'happy hour', 'demo day', 'meet and greet', 'meet & greet'];
function hasWord(title, phrase) {
  const t = title.toLowerCase();
  const p = phrase.toLowerCase();
  let i = -1;
  const isWordChar = (ch) => ch !== undefined && /[\p{L}\p{N}]/u.test(ch);
  while ((i = t.indexOf(p, i + 1)) !== -1) {
    const before = i > 0 ? [...t.slice(0, i)].pop() : undefined;
    const after = [...t.slice(i + p.length)][0];
    if (!isWordChar(before) && !isWordChar(after)) return true;
  }
  return false;
}
export function keywordTitle(title) {
  if (!title) return false;
  if (hasWord(title, 'conference call')) return false;
  return KW.some((k) => hasWord(title, k));
}
// simplified platform link detection (the generator writes plain, unambiguous links)
export function platformText(s) {
  if (!s) return false;
  const re = /(?:https?:\/\/)?(?:www\.)?([a-z0-9.-]+)(\/[^\s"'<>]*)?/gi;
  let m;
  while ((m = re.exec(s))) {
    const start = m.index;
    const prev = start > 0 ? s[start - 1] : '';
    if (/[a-z0-9.-]/i.test(prev)) continue;
    const host = m[1].toLowerCase();
    const p = m[2] || '';
    if (host === 'lu.ma' || host === 'luma.com') return true;
    if (host === 'ti.to') return true;
    if (host === 'meetup.com' && /^\/[^/]+\/events\/\d+(?:[/?#]|$)/.test(p)) return true;
    if (/^eventbrite\.[a-z.]+$/.test(host) && p.startsWith('/e/')) return true;
    if (host === 'partiful.com' && p.startsWith('/e/')) return true;
  }
  return false;
}

export function oracle(dir, nowIso) {
  const acct = JSON.parse(fs.readFileSync(path.join(dir, 'account.json'), 'utf8'));
  const graph = acct.provider === 'microsoft';
  const read = (f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
  const msgs = graph ? [] : read('google/messages.json');
  const evs = graph ? [] : read('google/events.json');
  const now = Date.parse(nowIso);
  const tz = acct.timeZone;
  const owners = new Set([acct.email, ...(acct.aliases || [])].map(norm));
  const ownerDomains = [...owners].map(dom).filter((d) => !PUBLIC.has(d) && d !== 'googlemail.com');
  const isOwner = (a) => owners.has(norm(a));
  const isColleague = (a) => { const d = dom(norm(a)); return ownerDomains.some((od) => d === od || d.endsWith('.' + od)); };
  const notPerson = (a, entry) => {
    const n = norm(a);
    if (entry && entry.resource) return true;
    const d = dom(n);
    if (d === 'resource.calendar.google.com' || d === 'group.calendar.google.com') return true;
    if (ROLE.has(loc(n))) return true;
    if (n === 'calendar-invite@lu.ma' || n === 'info@meetup.com') return true;
    return false;
  };
  const isPerson = (a, entry) => !isOwner(a) && !notPerson(a, entry);
  const isResource = (x) => x.resource === true || dom(norm(x.email || '')) === 'resource.calendar.google.com';

  // ---- messages
  const out = []; // {t, rcpts:Set}
  for (const m of msgs) {
    const labels = m.labelIds || [];
    const hs = {};
    for (const h of m.payload?.headers || []) (hs[h.name.toLowerCase()] ||= []).push(h.value);
    const from = parseList((hs.from || [])[0])[0];
    const sent = labels.includes('SENT') || (from && isOwner(from));
    if (!sent) continue;
    if (labels.includes('DRAFT')) continue;
    const subj = (hs.subject || [''])[0];
    if (/^(Invitation:|Updated invitation:|Canceled event:|Accepted:|Declined:|Tentative:)/.test(subj)) continue;
    const mt = (m.payload?.mimeType || '').toLowerCase();
    const hasCal = (p) => (p.mimeType || '').toLowerCase() === 'text/calendar' || (p.parts || []).some(hasCal);
    if (hasCal(m.payload || {})) continue;
    if (mt === 'text/calendar') continue;
    const rc = new Set();
    for (const k of ['to', 'cc', 'bcc']) for (const v of hs[k] || []) for (const a of parseList(v)) rc.add(norm(a));
    out.push({ t: +m.internalDate, rcpts: rc, id: m.id });
  }
  if (graph) {
    for (const [folder, list] of [['inbox', read('microsoft/inbox.json')], ['sentitems', read('microsoft/sentitems.json')]]) {
      for (const m of list) {
        if (/^#?microsoft\.graph\.eventMessage/i.test(m['@odata.type'] || '')) continue; // a meeting notice
        if (m.isDraft) continue;
        const from = graphAddr(m.from);
        if (!(folder === 'sentitems' || (from && isOwner(from)))) continue;
        const rc = new Set();
        for (const k of ['toRecipients', 'ccRecipients', 'bccRecipients']) for (const r of m[k] || []) if (graphAddr(r).includes('@')) rc.add(norm(graphAddr(r)));
        out.push({ t: Date.parse(m.sentDateTime), rcpts: rc, id: m.id });
      }
    }
  }
  const msgsTo = (p) => out.filter((m) => m.rcpts.has(p)).map((m) => m.t).sort((a, b) => a - b);

  // ---- events
  const E = [];
  for (const e of evs) {
    if (!e.start) { E.push({ id: e.id, cancelled: true }); continue; }
    const s = e.start.dateTime ? Date.parse(e.start.dateTime) : localMidnightUtc(e.start.date, tz);
    const en = e.end.dateTime ? Date.parse(e.end.dateTime) : localMidnightUtc(e.end.date, tz);
    const atts = e.attendees || [];
    const selfEntry = atts.find((a) => a.self || (a.email && isOwner(a.email)));
    const ownerOrg = !!(e.organizer && (e.organizer.self || (e.organizer.email && isOwner(e.organizer.email))));
    const selfResp = selfEntry ? selfEntry.responseStatus : undefined;
    const ownerDeclined = selfResp === 'declined';
    const responded = ownerOrg ? !ownerDeclined : (selfResp === 'accepted' || selfResp === 'tentative');
    const et = e.eventType || 'default';
    const cancelled = e.status === 'cancelled';
    const ordinary = et === 'default';
    // large
    const counted = atts.filter((a) => !isResource(a) && !(a.self || (a.email && isOwner(a.email))));
    const large = counted.length > 25;
    // people
    const orgEmail = e.organizer && e.organizer.email;
    const entries = atts.filter((a) => a.email).map((a) => ({ email: a.email, declined: a.responseStatus === 'declined', entry: a }));
    if (orgEmail && !atts.some((a) => a.email && norm(a.email) === norm(orgEmail))) entries.push({ email: orgEmail, declined: false, entry: {} });
    const people = new Map(); // norm -> declined?
    const declinedPeople = new Set();
    for (const x of entries) {
      if (!isPerson(x.email, x.entry) || isColleague(x.email)) continue;
      const n = norm(x.email);
      if (x.declined) declinedPeople.add(n); else people.set(n, true);
    }
    // internal
    const others = entries.filter((x) => !isOwner(x.email) && !isResource(x.entry));
    const internal = others.length > 0 && others.every((x) => isColleague(x.email));
    const attended = !cancelled && ordinary && en < now && responded;
    const platform = (orgEmail && ['calendar-invite@lu.ma', 'info@meetup.com'].includes(norm(orgEmail)))
      || (e.iCalUID && (/@events\.lu\.ma$/i.test(e.iCalUID) || /^event_[^@]+@meetup\.com$/i.test(e.iCalUID)))
      || platformText(e.location) || platformText(e.description);
    const networking = !cancelled && (ordinary || et === 'fromGmail') && responded
      && ((large && !internal) || (keywordTitle(e.summary) && !internal) || platform);
    E.push({ id: e.id, title: e.summary, s, en, cancelled, ordinary, attended, large, people, declinedPeople, ownerDeclined,
      networking, fromGmail: et === 'fromGmail', ownerOrg });
  }
  if (graph) for (const e of read('microsoft/events.json')) {
    if (e.type === 'seriesMaster') continue; // the series itself; its occurrences are the meetings
    const t = (x) => graphTime(x, !!e.isAllDay, tz);
    const s = t(e.start), en = t(e.end);
    const atts = (e.attendees || []).map((a) => ({ email: graphAddr(a), declined: !!(a.status && a.status.response === 'declined'), entry: { resource: a.type === 'resource' } }));
    const resp = e.responseStatus && e.responseStatus.response;
    const ownerOrg = e.isOrganizer === true || resp === 'organizer';
    const ownerDeclined = resp === 'declined';
    const responded = ownerOrg || resp === 'accepted' || resp === 'tentativelyAccepted';
    const cancelled = e.isCancelled === true;
    // large: every attendee entry but resources and the owner
    const large = atts.filter((a) => !a.entry.resource && !(a.email && isOwner(a.email))).length > 25;
    const orgEmail = graphAddr(e.organizer);
    const entries = atts.filter((a) => a.email);
    if (orgEmail && !entries.some((a) => norm(a.email) === norm(orgEmail))) entries.push({ email: orgEmail, declined: false, entry: {} });
    const people = new Map();
    const declinedPeople = new Set();
    for (const x of entries) {
      if (!isPerson(x.email, x.entry) || isColleague(x.email)) continue;
      const n = norm(x.email);
      if (x.declined) declinedPeople.add(n); else people.set(n, true);
    }
    const others = entries.filter((x) => !isOwner(x.email) && !x.entry.resource);
    const internal = others.length > 0 && others.every((x) => isColleague(x.email));
    const attended = !cancelled && en < now && responded;
    const platform = (orgEmail && ['calendar-invite@lu.ma', 'info@meetup.com'].includes(norm(orgEmail)))
      || platformText(e.location && e.location.displayName) || platformText(e.bodyPreview);
    const networking = !cancelled && responded && ((large && !internal) || (keywordTitle(e.subject) && !internal) || platform);
    E.push({ id: e.id, title: e.subject, s, en, cancelled, ordinary: true, attended, large, people, declinedPeople, ownerDeclined,
      networking, fromGmail: false, ownerOrg });
  }

  const ambiguous = [];
  const openMet = new Set();
  // all persons
  const persons = new Set();
  for (const e of E) if (e.people) for (const p of e.people.keys()) persons.add(p);
  const contacts = new Map(); // p -> {first, followed, viaGathering}
  for (const p of persons) {
    const ms = msgsTo(p);
    const nonLarge = E.filter((e) => e.attended && !e.large && e.people.has(p)).sort((a, b) => a.s - b.s);
    let M = nonLarge[0];
    const tied = nonLarge.filter((e) => M && e.s === M.s);
    if (tied.length > 1 && tied.some((e) => e.en !== M.en)) ambiguous.push(`tie ${p}`);
    // Starting and ending together, the meetings are alike for every rule but which one the person
    // was met at: only that is left open (the person is not compared in any event's people met).
    else if (tied.length > 1) openMet.add(p);
    // met at large gathering
    let G = null;
    for (const e of E.filter((e) => e.attended && e.large && e.people.has(p)).sort((a, b) => a.s - b.s)) {
      const after = ms.filter((t) => t > e.s);
      const before = ms.some((t) => t < e.s - 14 * DAY);
      if (after.length && after[0] <= e.en + 7 * DAY && !before) { G = e; break; }
    }
    let first = M, viaG = false;
    if (G && (!M || G.s < M.s)) { first = G; viaG = true; }
    if (!first) continue;
    // new contact?
    if (ms.some((t) => t < first.s - 14 * DAY)) continue;
    // followed up?
    let followed = !!G || ms.some((t) => t > first.s);
    if (!followed) {
      followed = E.some((e) => !e.cancelled && e.ordinary && e.s > first.en && !e.large && e.people.has(p) && !e.ownerDeclined);
    }
    contacts.set(p, { first, followed, viaG });
  }
  const newContacts = [], missing = [];
  for (const [p, c] of contacts) {
    if (c.first.en > now - 7 * DAY && c.first.en < now) newContacts.push(p);
    if (c.first.en >= now - 30 * DAY && c.first.en <= now - DAY && !c.followed) missing.push(p);
  }
  const upcoming = E.filter((e) => e.networking && e.s > now && e.s <= now + 7 * DAY).map((e) => e.id);
  const attendedEv = E.filter((e) => e.networking && e.en < now && e.en > now - 7 * DAY).map((e) => e.id);
  const met = {};
  for (const id of attendedEv) met[id] = [...contacts].filter(([, c]) => c.first.id === id).map(([p]) => p).sort();
  return { newContacts: newContacts.sort(), missingFollowUps: missing.sort(), upcoming: upcoming.sort(), attended: attendedEv.sort(), met, ambiguous, openMet: [...openMet].sort() };
}

if (process.argv[1] && process.argv[1].endsWith('oracle.mjs')) {
  console.log(JSON.stringify(oracle(process.argv[2], process.argv[3]), null, 1));
}
