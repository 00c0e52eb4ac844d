// Random small Google mailboxes over shared/fixtures/generate/lib.mjs, for bench/oracle.ts: each
// seed a mailbox whose people, events and mail are drawn from what behaviour.md and events.md make
// matter (the edges of every window, responses, large gatherings, aliases and spellings, notices,
// header names in any case). Written by helper-233 on 2026-12-06; `../shared` is read-only, so the
// library is imported from beside the clone and the bench skips when it is absent.
//
// `generate(seed, dir, 'microsoft')` (helper-234, 2026-12-06) draws an Outlook mailbox instead
// (microsoft/inbox.json, sentitems.json, events.json as Graph v1.0 returns them) from its own random
// stream (`oracle-gen-ms-<seed>`, folder `m<seed>`), so a Google seed's mailbox is byte for byte what
// it was. Gmail-only things give way to Graph's: no drafts, no `text/calendar` parts, no header
// names, no group calendars, no special event kinds (Graph has none: those draws become plain
// events of the owner's own), no `attendeesOmitted`; instead meeting notices as `eventMessage`,
// `eventMessageRequest` and `eventMessageResponse` from the owner (and plain mail whose subject only
// looks like a notice), Inbox copies From the owner, rooms as `type: "resource"` on any domain, the
// owner's `none` / `notResponded`, guests' responses shown to an attendee or hidden (`none`),
// organisers left out of the attendee list, occurrences the owner answered apart or that moved
// (`exception`), cancelled occurrences left out as calendarView does, optional attendees, an
// organiser written as another owner spelling, and a tenant `onmicrosoft.com` alias.
import fs from 'node:fs';
import path from 'node:path';
import { Scenario, makeRng, localParts, localToUtc, normAddr, isoZ } from '../../../shared/fixtures/generate/lib.mjs';

const MIN = 60000, H = 60 * MIN, DAY = 24 * H;

export function generate(seed, outDir, provider = 'google') {
  const ms = provider === 'microsoft';
  if (!ms && provider !== 'google') throw new Error(`no provider ${provider}`);
  const R = makeRng(ms ? `oracle-gen-ms-${seed}` : `oracle-gen-${seed}`);
  const pick = R.pick, int = R.int, chance = (p) => R() < p;
  const shuffle = (a) => { a = [...a]; for (let i = a.length - 1; i > 0; i--) { const j = int(0, i); [a[i], a[j]] = [a[j], a[i]]; } return a; };
  const tz = pick(['UTC', 'America/New_York', 'Europe/London', 'Asia/Tokyo', 'Australia/Sydney', 'Europe/Paris', 'America/Los_Angeles']);
  let nowMs = Date.UTC(2026, int(0, 11), int(1, 28), int(0, 23), pick([0, 15, 30, 45]));
  if (chance(0.3)) { const [mo, d] = pick([[2, 8], [2, 29], [9, 25], [10, 1], [3, 5], [9, 4]]); nowMs = Date.UTC(2026, mo, d + int(-2, 9), int(0, 23), pick([0, 30])); }
  if (chance(0.3)) { const p = localParts(new Date(nowMs), tz); nowMs = localToUtc(p.y, p.m, p.d, 0, 0, tz).getTime(); }
  const now = new Date(nowMs);
  // (for Outlook, a personal outlook.com owner plays the Gmail owner's part: a public domain, no colleagues)
  const gmailOwner = chance(0.35);
  const ownerEmail = gmailOwner ? (ms ? 'ana.lee@outlook.com' : 'ana.lee@gmail.com') : 'ana@acmeco.io';
  const aliases = [];
  if (chance(0.4)) aliases.push(gmailOwner ? 'ana@leeworks.com' : pick(ms ? ['ana@acme-labs.com', 'ana@acmeco.onmicrosoft.com', 'a.lee@acmeco.io'] : ['ana@acme-labs.com', 'ana.lee.acme@gmail.com', 'a.lee@acmeco.io']));
  if (ms && !gmailOwner && chance(0.3) && !aliases.includes('ana@acmeco.onmicrosoft.com')) aliases.push('ana@acmeco.onmicrosoft.com');
  const S = new Scenario({ id: ms ? `m${seed}` : `r${seed}`, provider, owner: { name: 'Ana Lee', email: ownerEmail }, aliases, tz, now: now.toISOString() });
  const ownerVariants = [ownerEmail, ...aliases];
  if (ms) ownerVariants.push(...(gmailOwner ? ['Ana.Lee@Outlook.com', 'ana.lee+cal@outlook.com'] : ['Ana@AcmeCo.io', 'ana+x@acmeco.io']));
  else if (gmailOwner) ownerVariants.push('Ana.Lee@googlemail.com', 'analee+cal@gmail.com');
  else ownerVariants.push('Ana@AcmeCo.io', 'ana+x@acmeco.io');
  const ownerDomains = [ownerEmail, ...aliases].map((a) => a.split('@')[1]).filter((d) => d !== 'gmail.com');

  // ---- people
  const FIRST = ['bo', 'cy', 'dara', 'eli', 'fay', 'gus', 'hana', 'ivo', 'jun', 'kai', 'lia', 'max', 'nia', 'omar', 'pia', 'quin', 'rui', 'sol', 'tam', 'uma', 'vik', 'wen', 'xia', 'yan', 'zed'];
  const COS = ['northwind', 'globex', 'initech', 'umbrella', 'hooli', 'vandelay', 'wonka', 'stark', 'wayne', 'tyrell', 'cyberdyne', 'soylent'];
  const TLD = ['com', 'io', 'co', 'de', 'fr', 'jp'];
  const firsts = shuffle(FIRST);
  const nPeople = int(5, 12);
  const people = [];
  for (let i = 0; i < nPeople; i++) {
    const f = firsts[i];
    let email;
    const k = R();
    if (k < 0.2) email = `${f}.${pick(['ng', 'ortiz', 'kim'])}@gmail.com`;
    else if (k < 0.25) email = `${f}@outlook.com`;
    else email = `${f}@${pick(COS)}.${pick(TLD)}`;
    const nm = f[0].toUpperCase() + f.slice(1);
    people.push(S.person(chance(0.2) ? `${pick(['Kim', 'Ortiz', 'Ng'])}, ${nm}` : chance(0.1) ? `${nm} Müller` : nm, email));
  }
  // colleagues, look-alikes, roles, rooms, group calendar
  const colleagues = [];
  for (const d of ownerDomains) {
    colleagues.push(S.colleague('Col', `col${colleagues.length}@${d}`));
    colleagues.push(S.colleague('Sub', `sub${colleagues.length}@eu.${d}`));
  }
  if (ownerDomains.length && chance(0.5)) {
    const d = ownerDomains[0];
    people.push(S.person('Look', pick([`look@not${d}`, `look@${d}.example.net`, `look@${d.replace('.', '-')}.com`])));
  }
  const roles = [S.roleAddr('Info', `${pick(['info', 'team', 'noreply', 'hello', 'events', 'rsvp', 'office', 'NoReply', 'info+news', 'do-not-reply', 'mailer-daemon', 'calendar-notification'])}@${pick(COS)}.com`),
    S.roleAddr('Sup', `${pick(['support', 'sales', 'contact', 'admin'])}@${pick(COS)}.io`)];
  if (ownerDomains.length) roles.push(S.roleAddr('Team', `team@${ownerDomains[0]}`));
  // Graph: rooms are attendees of `type: "resource"`, on the owner's domain or a venue's; no group calendars
  const room = ms ? S.room('Room 1', pick([`room-1@${ownerDomains[0] || 'acmeco.io'}`, 'boardroom@venue-center.com', 'conf.4b@globex.com']))
    : S.room('Room 1', 'c_1887abc@resource.calendar.google.com');
  const group = ms ? S.room('Hall', pick(['hall-2@venue-center.com', 'auditorium@initech.io'])) : S.groupCal('Group', 'c_abc123@group.calendar.google.com');

  const variant = (p) => {
    const [l, d] = p.email.split('@');
    const opts = [p.email, p.email.toUpperCase(), `${l}+${pick(['news', 'cal'])}@${d}`, `${l[0].toUpperCase()}${l.slice(1)}@${d}`];
    if (d === 'gmail.com') opts.push(`${l.replace(/\./g, '')}@gmail.com`, `${l}@googlemail.com`, `${l.replace(/\./g, '')}@googlemail.com`);
    const e = pick(opts);
    return e === p.email ? p : S.as(p, e);
  };
  const ownerRef = () => (chance(0.7) ? S.me : S.meAs(pick(ownerVariants)));

  // ---- times
  const edgeEnds = [7 * DAY, 7 * DAY - MIN, 7 * DAY + MIN, DAY, DAY - MIN, DAY + MIN, 30 * DAY, 30 * DAY - MIN, 30 * DAY + MIN, 0, -MIN];
  const randStart = (dur) => {
    const k = R();
    if (k < 0.4) return new Date(nowMs - pick(edgeEnds) - dur);
    if (k < 0.5) return new Date(nowMs + pick([7 * DAY, 7 * DAY + MIN, 7 * DAY - MIN, MIN, 0, 2 * DAY]));
    return new Date(nowMs + int(-40 * 96, 9 * 96) * 15 * MIN);
  };
  const TITLES_KW = ['Founders Meetup', 'Pre-summit dinner', 'Demo day', 'Happy hour with friends', 'NETWORKING breakfast', 'meet & greet',
    'Meet and greet', 'Hackathon kickoff', 'Gala night', 'Tech Expo', 'AI conference', 'Mixer', 'meet-up at the pub', 'Summit: day 1', 'Symposium',
    'Convention 2026', 'Gala_Dinner', 'Konferenz-Meetup', 'Café mixer', 'Networking：Tokyo', '【Networking】', 'Happy Hour', 'DEMO DAY',
    "Mixer’s night", 'Summit’26', 'Über-Meetup', 'expo·2026', 'Meet & Greet', 'Meet-Up'];
  const TITLES_NEAR = ['Summitville offsite', 'Mixers and chat', 'Demo-Day prep', 'Expo2026 planning', 'Galaxy sync', 'Weekly conference call',
    'Conference call and networking', 'Happy  hour', 'Meetups review', 'Networked storage', 'conference-call sync', 'Meetupö', 'ミートアップ',
    'Happy\u00a0hour', '2026expo', 'Mixerí', 'Demo_day', 'Meet &amp; greet', 'meet&greet', 'Summiteer'];
  const TITLES_PLAIN = ['Coffee', 'Intro call', 'Catch-up', 'Lunch', 'Product demo', 'Sync', 'Kickoff'];
  const LINKS = ['https://lu.ma/abc123', 'lu.ma/xyz9', 'https://www.meetup.com/founders-ny/events/301234567/', 'meetup.com/founders/about',
    'https://www.eventbrite.com/e/founders-tickets-123456', 'eventbrite.co.uk/e/x-99', 'https://partiful.com/e/aBc12', 'ti.to/conf/2026',
    'https://blu.ma/abc', 'https://www.eventbrite.com/o/someone-1234', 'https://luma.com/evt-1', 'Room 4B', 'Cafe Nero',
    'HTTPS://LU.MA/ABC', 'www.lu.ma/x1', 'http://meetup.com/grp/events/123', 'https://www.meetup.com/grp/events/123?utm=1', 'meetup.com/grp/events/abc',
    'https://eventbrite.de/e/123', 'events.lu.ma/x', 'https://lu.ma.evil.com/x', 'Register: https://ti.to/acme/conf', 'https://www.partiful.com/e/zz',
    'https://partiful.com/u/zz', 'https://www.Meetup.com/Grp/events/987654/', 'https://meetup.com/events/123', '<a href="https://lu.ma/q1">RSVP</a>']
  const title = () => { const k = R(); return k < 0.25 ? pick(TITLES_KW) : k < 0.45 ? pick(TITLES_NEAR) : pick(TITLES_PLAIN); };
  const rsvp = () => pick(['accepted', 'accepted', 'accepted', 'tentative', 'declined', 'needsAction']);
  const otherRsvp = () => pick(['accepted', 'accepted', 'needsAction', 'tentative', 'declined']);
  const post = []; // post-processing per event key

  const nEvents = int(3, 8);
  const evList = [];
  for (let i = 0; i < nEvents; i++) {
    const kind = pick(['meeting', 'meeting', 'meeting', 'large', 'recurring', 'net', 'allday', 'special', 'fromGmail']);
    const dur = pick([30, 60, 45, 120]) * MIN;
    const ownerOrg = chance(0.45);
    const attPeople = () => shuffle(people).slice(0, int(1, 3)).map((p) => ({ ref: variant(p), rsvp: otherRsvp() }));
    const extras = () => {
      const x = [];
      if (chance(0.3) && colleagues.length) x.push({ ref: pick(colleagues), rsvp: otherRsvp() });
      if (chance(0.2)) x.push({ ref: pick(roles), rsvp: 'needsAction' });
      if (chance(0.2)) x.push({ ref: room, rsvp: 'accepted' });
      return x;
    };
    const base = () => {
      const o = { title: title(), mins: dur / MIN, ownerAddr: chance(0.2) ? pick(ownerVariants) : undefined };
      if (ownerOrg) { o.organizer = S.me; o.ownerRsvp = pick(['accepted', 'accepted', 'needsAction', 'tentative']); if (chance(0.15)) o.ownerInList = false; }
      else { o.ownerRsvp = rsvp(); }
      if (chance(0.15)) o.location = pick(LINKS);
      if (chance(0.1)) o.description = `Details: ${pick(LINKS)} see you`;
      return o;
    };
    if (kind === 'meeting') {
      const a = [...attPeople(), ...extras()];
      const o = base();
      if (!ownerOrg) { const orgA = a.find((x) => x.ref.kind === 'person') || a[0]; o.organizer = orgA.ref; if (orgA.rsvp === 'declined' && chance(0.7)) orgA.rsvp = 'accepted'; if (chance(0.1)) o.ownerInList = false; }
      o.start = randStart(dur); o.attendees = a;
      if (chance(0.08)) o.status = 'cancelled';
      const ev = S.event(o); evList.push(ev);
      if (!ownerOrg && chance(0.15)) post.push([ev.key, 'dropOrg']);
    } else if (kind === 'large') {
      const target = pick([24, 25, 26, 26, 27]);
      const a = [...attPeople().map((x) => ({ ...x, rsvp: pick(['accepted', 'needsAction', 'declined', 'accepted']) }))];
      if (chance(0.5) && colleagues.length) a.push({ ref: pick(colleagues), rsvp: otherRsvp() });
      if (chance(0.5)) a.push({ ref: pick(roles), rsvp: 'needsAction' });
      if (chance(0.2)) a.push({ ref: group, rsvp: 'needsAction' });
      const o = base();
      let orgCounted = 0;
      const dropOrg = !ownerOrg && chance(0.3);
      if (!ownerOrg) {
        o.organizer = chance(0.5) ? S.person('Org', `events@${pick(COS)}conf.com`, { kind: 'role' }) : pick(a.filter((x) => x.ref.kind === 'person')).ref;
        if (!a.some((x) => x.ref === o.organizer) && !dropOrg) orgCounted = 1;
        if (dropOrg && a.some((x) => x.ref === o.organizer)) orgCounted = 0;
      }
      const crowdN = Math.max(0, target - a.length - orgCounted);
      for (let c = 0; c < crowdN; c++) a.push({ ref: S.person(`G${c}`, `guest${c}.${seed}.${i}@${pick(COS)}.net`), rsvp: pick(['accepted', 'needsAction', 'declined']) });
      if (chance(0.4)) a.push({ ref: room, rsvp: 'accepted' });
      o.start = randStart(dur); o.attendees = a;
      if (chance(0.3)) o.title = pick(TITLES_PLAIN);
      const ev = S.event(o); evList.push(ev);
      if (dropOrg) post.push([ev.key, 'dropOrg']);
    } else if (kind === 'recurring') {
      const a = [...attPeople(), ...extras()];
      const o = base();
      if (!ownerOrg) { const orgA = a.find((x) => x.ref.kind === 'person') || a[0]; o.organizer = orgA.ref; if (orgA.rsvp === 'declined') orgA.rsvp = 'accepted'; }
      o.attendees = a;
      const s0 = randStart(dur);
      const n = int(2, 3);
      const starts = Array.from({ length: n }, (_, j) => new Date(s0.getTime() + j * 7 * DAY));
      if (chance(0.2)) { const d0 = int(-30, 3); o.allDay = [d0, d0 + 1]; }
      // (Graph: an occurrence moved or answered apart from its series is an `exception`)
      const exc = ms ? { exception: true } : {};
      S.recurring(o, starts, (j, st0) => {
        const k = R();
        if (o.allDay) return { allDay: [o.allDay[0] + 7 * j, o.allDay[1] + 7 * j] };
        if (k > 0.85) return { start: new Date(st0.getTime() + pick([-1, 1, 2]) * DAY + pick([0, 2 * H])), originalStart: st0, ...exc };
        if (k < 0.15) return { status: 'cancelled', minimal: true };
        if (k < 0.25) return { status: 'cancelled' };
        if (k < 0.35 && !ownerOrg) return { ownerRsvp: 'declined', ...exc };
        return {};
      });
    } else if (kind === 'net') {
      const o = base();
      o.title = chance(0.6) ? pick(TITLES_KW) : pick([...TITLES_NEAR, ...TITLES_PLAIN]);
      const k = R();
      let a = [];
      if (k < 0.3) a = []; // ticket, nobody else
      else if (k < 0.5) a = colleagues.length ? [{ ref: pick(colleagues), rsvp: otherRsvp() }] : attPeople();
      else a = [...attPeople(), ...extras()];
      if (!ownerOrg) {
        const kk = R();
        if (kk < 0.3) o.organizer = S.person('Luma', 'calendar-invite@lu.ma', { kind: 'role' });
        else if (kk < 0.45) o.organizer = S.person('Meetup', 'info@meetup.com', { kind: 'role' });
        else if (a.length) { const orgA = a[0]; o.organizer = orgA.ref; if (orgA.rsvp === 'declined') orgA.rsvp = 'accepted'; }
        else o.organizer = S.person('Luma', 'calendar-invite@lu.ma', { kind: 'role' });
      }
      if (chance(0.2)) o.iCalUID = pick(['evt-Xy12@events.lu.ma', 'event_301234567@meetup.com', 'event_abc@meetup.com.evil', 'evt@lu.ma']);
      if (chance(0.3)) o.location = pick(LINKS);
      o.start = randStart(dur); o.attendees = a;
      if (chance(0.35)) { const d0 = int(-9, 8); o.allDay = [d0, d0 + int(1, 3)]; delete o.start; }
      if (chance(0.08)) o.status = 'cancelled';
      S.event(o);
    } else if (kind === 'allday') {
      const a = [...attPeople(), ...extras()];
      const o = base();
      if (!ownerOrg) { const orgA = a.find((x) => x.ref.kind === 'person') || a[0]; o.organizer = orgA.ref; if (orgA.rsvp === 'declined') orgA.rsvp = 'accepted'; }
      const d0 = int(-33, 8);
      o.allDay = [d0, d0 + int(1, 2)]; o.attendees = a;
      S.event(o);
    } else if (kind === 'special') {
      const o = { title: chance(0.5) ? pick(TITLES_KW) : 'Out of office', organizer: S.me, ownerRsvp: 'accepted', attendees: [], ownerInList: false,
        eventType: pick(['outOfOffice', 'focusTime', 'birthday', 'workingLocation']), mins: dur / MIN, start: randStart(dur) };
      S.event(o);
    } else if (kind === 'fromGmail') {
      const o = { title: chance(0.6) ? pick(TITLES_KW) : pick(TITLES_PLAIN), organizer: S.me, ownerRsvp: 'accepted', attendees: [], ownerInList: false,
        eventType: 'fromGmail', mins: dur / MIN, start: randStart(dur) };
      if (chance(0.3)) o.location = pick(LINKS);
      if (chance(0.4)) { const d0 = int(-9, 8); o.allDay = [d0, d0 + int(1, 2)]; delete o.start; }
      S.event(o);
    }
  }
  // ---- targeted stories
  const crowd = (n, tag) => Array.from({ length: n }, (_, c) => ({ ref: S.person(`C${c}`, `c${c}.${tag}@${pick(COS)}.org`), rsvp: pick(['accepted', 'needsAction', 'declined']) }));
  const large = (start, mins, extra, o = {}) => {
    const target = pick([26, 26, 27, 25]);
    const ex = extra.map((p) => ({ ref: variant(p), rsvp: pick(['accepted', 'needsAction', 'tentative']) }));
    const ad = chance(0.25) ? (() => { const d0 = Math.round((start.getTime() - nowMs) / DAY); return { allDay: [d0, d0 + int(1, 2)] }; })() : {};
    const ev = S.event({ title: pick([...TITLES_KW, ...TITLES_PLAIN]), start, mins, organizer: S.me, ownerRsvp: 'accepted',
      attendees: [...ex, ...crowd(Math.max(0, target - ex.length), `${seed}s${S.events.length}`)], ...ad, ...o });
    evList.push(ev); return ev;
  };
  const small = (start, mins, p, o = {}) => {
    const org = chance(0.5);
    const ev = S.event({ title: pick(TITLES_PLAIN), start, mins, organizer: org ? S.me : variant(p), ownerRsvp: org ? 'accepted' : pick(['accepted', 'tentative']),
      attendees: org ? [{ ref: variant(p), rsvp: pick(['accepted', 'needsAction']) }] : [], ...o });
    evList.push(ev); return ev;
  };
  const sendTo = (p, at, exact = true, o = {}) => { if (at <= nowMs - MIN) S.sent({ at: new Date(at), exactTime: exact, subject: 'Hi', [pick(['to', 'to', 'cc', 'bcc'])]: [variant(p)], from: ownerRef(), ...o }); };
  const nStories = int(2, 6);
  for (let i = 0; i < nStories; i++) {
    const p = pick(people);
    const st = pick(['gather', 'gather', 'tie', 'later', 'fourteen', 'during', 'twoGather', 'allhands', 'gatherOrg']);
    const mins = pick([60, 90, 180]);
    const s0 = randStart(mins * MIN).getTime();
    if (st === 'gather') {
      const E = large(new Date(s0), mins, [p]);
      const en = E.end.getTime(), es = E.start.getTime();
      sendTo(p, pick([es + 1000, es - 1000, en + 7 * DAY, en + 7 * DAY + 1000, en + 7 * DAY - 1000, en + 2 * H]));
      if (chance(0.3)) sendTo(p, pick([es - 14 * DAY, es - 14 * DAY - 1000, es - 20 * DAY]));
      if (chance(0.3)) small(new Date(s0 + pick([-3, 2, 9]) * DAY), 30, p);
    } else if (st === 'allhands') {
      // large gathering of colleagues (internal) optionally with one outsider
      const cs = Array.from({ length: pick([25, 26, 27]) }, (_, c) => ({ ref: S.colleague(`K${c}`, `k${c}.${seed}@${pick(['', 'eu.', 'us.'])}${ownerDomains[0] || 'acmeco.io'}`), rsvp: pick(['accepted', 'declined', 'needsAction']) }));
      if (chance(0.5)) cs.push({ ref: variant(p), rsvp: pick(['accepted', 'declined']) });
      const E = S.event({ title: pick(['All hands', 'Company summit', 'Q3 conference call']), start: new Date(s0), mins, organizer: S.me, ownerRsvp: 'accepted', attendees: cs });
      if (chance(0.6)) sendTo(p, s0 + pick([1000, 3 * DAY]));
    } else if (st === 'gatherOrg') {
      // P organises the gathering, missing from the list or declined in it
      const cr = crowd(pick([25, 26, 27]), `${seed}o${i}`);
      const dec = chance(0.3);
      if (dec) cr.push({ ref: variant(p), rsvp: 'declined' });
      const E = S.event({ title: pick([...TITLES_KW, ...TITLES_PLAIN]), start: new Date(s0), mins, organizer: variant(p), ownerRsvp: pick(['accepted', 'tentative']), attendees: cr });
      if (!dec) post.push([E.key, 'dropOrg']);
      sendTo(p, s0 + mins * MIN + pick([1, 3, 6]) * DAY);
    } else if (st === 'tie') {
      large(new Date(s0), mins, [p]);
      small(new Date(s0), pick([30, mins, 240]), p);
      if (chance(0.6)) sendTo(p, s0 + pick([1000, 2 * DAY]));
    } else if (st === 'twoGather') {
      large(new Date(s0), mins, [p]);
      large(new Date(s0 + pick([1, 3, 8]) * DAY), mins, [p]);
      sendTo(p, s0 + pick([2, 5, 9, 12]) * DAY);
    } else if (st === 'later') {
      const M = small(new Date(s0), mins, p);
      const en = s0 + mins * MIN;
      const k = R();
      const o = {};
      if (k < 0.2) o.status = 'cancelled'; else if (k < 0.35) o.ownerRsvp = 'declined';
      const ls = en + pick([0, MIN, -MIN, 3 * DAY, 10 * DAY]);
      const L = chance(0.25) ? large(new Date(ls), 30, [p]) : S.event({ title: 'Second meeting', start: new Date(ls), mins: 30, organizer: variant(p),
        ownerRsvp: o.ownerRsvp || pick(['needsAction', 'accepted', 'tentative']), status: o.status,
        attendees: [{ ref: variant(p), rsvp: chance(0.2) ? 'declined' : 'accepted' }] });
      if (chance(0.3)) post.push([L.key, 'dropOrg']);
    } else if (st === 'fourteen') {
      const M = small(new Date(s0), mins, p);
      sendTo(p, s0 - 14 * DAY - pick([0, 1, 1000, -1000]));
    } else if (st === 'during') {
      const M = small(new Date(s0), mins, p);
      sendTo(p, s0 + pick([1000, -1000, mins * MIN, mins * MIN + 1000]));
    }
  }
  // ---- messages
  // Graph: a meeting notice the owner sent (a request, a response or a cancellation), To the recipients
  const noticeOut = (o, ev, rcpt) => {
    const t = pick(['eventMessageRequest', 'eventMessageResponse', 'eventMessageResponse', 'eventMessage']);
    const title = ev ? ev.title : 'x';
    if (t === 'eventMessageRequest') Object.assign(o, { meetingMessageType: 'meetingRequest', subject: pick([title, `Updated: ${title}`, `FW: ${title}`]) });
    else if (t === 'eventMessageResponse') {
      const [w, mmt, rt] = pick([['Accepted', 'meetingAccepted', 'accepted'], ['Tentative', 'meetingTenativelyAccepted', 'tentativelyAccepted'], ['Declined', 'meetingDeclined', 'declined']]);
      Object.assign(o, { meetingMessageType: mmt, responseType: rt, subject: `${w}: ${title}` });
    } else Object.assign(o, { meetingMessageType: 'meetingCancelled', subject: `Canceled: ${title}` });
    S.sent({ ...o, graphType: t, event: ev, to: rcpt, from: ownerRef() });
  };
  const nMsg = int(3, 10);
  const evs = S.events.filter((e) => e.attendees.some((a) => a.ref.kind === 'person'));
  for (let i = 0; i < nMsg; i++) {
    let at, exact = false, target;
    const ev = evs.length ? pick(evs) : null;
    const evPeople = ev ? ev.attendees.filter((a) => a.ref.kind === 'person').map((a) => a.ref) : [];
    target = evPeople.length && chance(0.85) ? pick(evPeople) : pick(people);
    target = variant(target.base || target);
    if (ev) {
      const k = R();
      const st = ev.start.getTime(), en = ev.end.getTime();
      if (k < 0.1) { at = st - 14 * DAY; exact = true; }
      else if (k < 0.2) { at = st - 14 * DAY - pick([1000, 60000]); exact = true; }
      else if (k < 0.3) { at = st - int(1, 13) * DAY; }
      else if (k < 0.4) { at = st - int(15, 40) * DAY; }
      else if (k < 0.5) { at = st + int(1, Math.max(1, (en - st) / MIN - 1)) * MIN; }
      else if (k < 0.75) { at = en + int(1, 20) * H; }
      else if (k < 0.85) { at = en + 7 * DAY + pick([0, -1000, 1000, 60000]); exact = true; }
      else { at = en + int(1, 25) * DAY; }
    } else at = nowMs - int(1, 40) * DAY;
    if (!exact) at -= 60000; // room for lib's random seconds
    if (at > nowMs - MIN) continue;
    const k = R();
    const o = { at: new Date(at), exactTime: exact, subject: pick(['Great to meet you', 'Re: intro', 'Follow-up', 'Notes', 'Hello']) };
    const rcpt = [target];
    if (chance(0.25)) rcpt.push(pick(people));
    const field = pick(['to', 'to', 'to', 'cc', 'bcc']);
    if (k < 0.55) { o[field] = rcpt; if (field !== 'to') o.to = [chance(0.5) ? pick(colleagues.length ? colleagues : roles) : pick(roles)]; o.from = ownerRef(); S.sent(o); }
    else if (k < 0.63) { if (ms) noticeOut(o, ev, rcpt); else { o.to = rcpt; S.draft(o); } }
    else if (k < 0.73) { o.to = rcpt; o.subject = `${pick(['Accepted:', 'Invitation:', 'Updated invitation:', 'Canceled event:', 'Declined:', 'Tentative:', 'Re: Invitation:', 'Fwd: Accepted:'])} ${ev ? ev.title : 'x'}`; S.sent(o); }
    else if (k < 0.77) { if (ms) noticeOut(o, ev, rcpt); else { o.to = rcpt; o.contentType = 'text/calendar; method=REQUEST; charset=UTF-8'; o.subject = 'Meeting'; S.sent(o); } }
    else if (k < 0.92) {
      o.from = target; o.to = [S.me];
      if (ms && chance(0.3)) Object.assign(o, { graphType: 'eventMessageResponse', meetingMessageType: 'meetingAccepted', responseType: 'accepted', event: ev, subject: `Accepted: ${ev ? ev.title : 'x'}` });
      S.received(o);
    }
    else {
      o.from = S.me; o.to = rcpt; o.labels = ['INBOX', 'CATEGORY_PERSONAL'];
      // Graph: the Inbox copy of the owner's mail, under any owner spelling, sometimes a notice's copy
      if (ms) { o.from = ownerRef(); if (chance(0.25)) Object.assign(o, { graphType: 'eventMessageRequest', meetingMessageType: 'meetingRequest', event: ev }); }
      S.mail({ folder: 'inbox', ...o });
    }
  }
  // write
  S.write(outDir);
  const dir = path.join(outDir, S.id);
  if (ms) {
    graphPost(dir);
    fs.rmSync(path.join(dir, 'expected.json'), { force: true });
    return { dir, now: now.toISOString().replace('.000Z', 'Z') };
  }
  const fEv = path.join(dir, 'google/events.json');
  const evJson = JSON.parse(fs.readFileSync(fEv, 'utf8'));
  for (const [key, what] of post) {
    const ev = S.events.find((e) => e.key === key);
    const o = evJson.find((x) => x.id === ev.renderedId);
    if (what === 'dropOrg' && o && o.attendees) o.attendees = o.attendees.filter((a) => !a.organizer || a.self);
  }
  for (const o of evJson) {
    if (o.attendees && o.attendees.length > 22 && chance(0.2)) { o.attendeesOmitted = true; o.attendees = o.attendees.filter((a, j) => a.self || a.organizer || j % pick([2, 3, 9]) !== 1); }
    if (o.attendees && o.attendees.length >= 24 && o.attendees.length <= 29 && chance(0.4)) o.attendees.push(pick([
      { email: 'c_77room@resource.calendar.google.com', displayName: 'Hall A', resource: true, responseStatus: 'accepted' },
      { email: 'c_88room@resource.calendar.google.com', displayName: 'Hall B', responseStatus: 'accepted' },
      { email: `hall-c@${ownerDomains[0] || 'venue.com'}`, displayName: 'Hall C', resource: true, responseStatus: 'accepted' }]));
    if (o.eventType === 'default' && chance(0.3)) delete o.eventType;
    if (o.status === 'confirmed' && chance(0.05)) o.status = 'tentative';
    for (const a of o.attendees || []) if (!a.self && !a.organizer && chance(0.1)) a.optional = true;
  }
  fs.writeFileSync(fEv, JSON.stringify(evJson, null, 2) + '\n');
  const fM = path.join(dir, 'google/messages.json');
  const mJson = JSON.parse(fs.readFileSync(fM, 'utf8'));
  for (const m of mJson) for (const h of m.payload.headers) {
    if (['To', 'Cc', 'Bcc'].includes(h.name) && chance(0.2)) h.name = pick([h.name.toUpperCase(), h.name.toLowerCase()]);
    if (h.name === 'To' && chance(0.05) && m.labelIds.includes('SENT')) h.value = h.value + ', undisclosed-recipients:;';
  }
  fs.writeFileSync(fM, JSON.stringify(mJson, null, 2) + '\n');
  fs.rmSync(path.join(dir, 'expected.json'), { force: true });
  return { dir, now: now.toISOString().replace('.000Z', 'Z') };

  // Graph's own shapes, written over what the library renders (Outlook mailboxes only)
  function graphPost(dir) {
    const fEv = path.join(dir, 'microsoft/events.json');
    let evJson = JSON.parse(fs.readFileSync(fEv, 'utf8'));
    const model = new Map(S.events.map((e) => [e.renderedId, e]));
    const addrOf = (a) => (a && a.emailAddress && a.emailAddress.address) || '';
    const owners = new Set([ownerEmail, ...aliases].map(normAddr));
    const respMap = { accepted: 'accepted', tentative: 'tentativelyAccepted', declined: 'declined', needsAction: 'none', none: 'none' };
    const stamp = () => `${new Date(nowMs - int(2, 400) * H).toISOString().slice(0, -1)}0000Z`;
    for (const [key, what] of post) {
      const ev = S.events.find((e) => e.key === key);
      const o = evJson.find((x) => x.id === ev.renderedId);
      // the organiser left out of the attendee list
      if (what === 'dropOrg' && o && !o.isOrganizer) o.attendees = o.attendees.filter((a) => normAddr(addrOf(a)) !== normAddr(addrOf(o.organizer)));
    }
    // calendarView leaves a cancelled occurrence out (the master lists it in cancelledOccurrences)
    evJson = evJson.filter((o) => !(model.get(o.id) && model.get(o.id).minimal));
    for (const o of evJson) {
      const ev = model.get(o.id);
      if (o.attendees.length >= 24 && o.attendees.length <= 29 && chance(0.4)) o.attendees.push({ type: 'resource', status: { response: pick(['accepted', 'none']), time: stamp() },
        emailAddress: pick([{ name: 'Hall A', address: 'hall-a@venue-center.com' }, { name: 'Hall B', address: 'hall.b@expo-centre.de' }, { name: 'Hall C', address: `hall-c@${ownerDomains[0] || 'venue.com'}` }]) });
      for (const a of o.attendees) {
        const ad = normAddr(addrOf(a));
        if (owners.has(ad) || a.type === 'resource') continue;
        // an attendee's copy shows some guests' answers (the library shows none): declines included
        if (!o.isOrganizer && ad !== normAddr(addrOf(o.organizer)) && chance(0.5)) {
          const m = ev && ev.attendees.find((x) => x.ref.email === addrOf(a));
          if (m && m.rsvp && respMap[m.rsvp] !== 'none') a.status = { response: respMap[m.rsvp], time: stamp() };
        }
        if (chance(0.1)) a.type = 'optional';
      }
      // the owner who never answered: `notResponded` or `none`
      if (o.responseStatus.response === 'notResponded' && chance(0.4)) {
        o.responseStatus.response = 'none';
        for (const a of o.attendees) if (owners.has(normAddr(addrOf(a)))) a.status.response = 'none';
      }
      // the owner organising under another spelling of their address, or listed on their own event
      if (o.isOrganizer && chance(0.1)) o.organizer.emailAddress.address = pick(ownerVariants);
      if (o.isOrganizer && chance(0.05)) o.attendees.splice(int(0, o.attendees.length), 0, { type: 'required', status: { response: pick(['none', 'accepted']), time: stamp() },
        emailAddress: { name: 'Ana Lee', address: pick(ownerVariants) } });
      // where an occurrence or exception was scheduled (Graph's `originalStart`, UTC)
      if (ev && ev.series && !o.isAllDay) o.originalStart = isoZ(ev.originalStart || ev.start);
    }
    // a series' master, as `GET /me/events/{seriesMasterId}` gives it (calendarView never does):
    // the content of its first plain occurrence, its first scheduled start, a weekly recurrence
    const series = new Map();
    for (const o of evJson) if (o.seriesMasterId && !series.has(o.seriesMasterId)) series.set(o.seriesMasterId, o);
    for (const [id] of series) {
      const occ = evJson.filter((o) => o.seriesMasterId === id);
      const plain = occ.find((o) => o.type === 'occurrence');
      if (!plain || !chance(0.4)) continue;
      const pm = model.get(plain.id);
      const sr = pm.series;
      const all = S.events.filter((e) => e.series && e.series.id === sr.id);
      const len = pm.end - pm.start;
      const first = sr.first;
      // the series' first day: a timed series' first scheduled start in the owner's zone, an all-day one's own date
      const lp = plain.isAllDay ? localParts(new Date(`${all[0].startDate}T12:00:00Z`), 'UTC') : localParts(first, tz);
      const day = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'][lp.dow];
      const m = JSON.parse(JSON.stringify(plain));
      Object.assign(m, { id, type: 'seriesMaster', seriesMasterId: null, subject: plain.subject,
        start: plain.isAllDay ? { ...plain.start, dateTime: `${all[0].startDate}T00:00:00.0000000` } : { dateTime: first.toISOString().replace(/\.\d{3}Z$/, '.0000000'), timeZone: 'UTC' },
        end: plain.isAllDay ? { ...plain.end, dateTime: `${all[0].endDate}T00:00:00.0000000` } : { dateTime: new Date(first.getTime() + len).toISOString().replace(/\.\d{3}Z$/, '.0000000'), timeZone: 'UTC' },
        recurrence: { pattern: { type: 'weekly', interval: 1, month: 0, dayOfMonth: 0, daysOfWeek: [day], firstDayOfWeek: 'sunday', index: 'first' },
          range: { type: 'numbered', startDate: `${lp.y}-${String(lp.m).padStart(2, '0')}-${String(lp.d).padStart(2, '0')}`, endDate: '0001-01-01', recurrenceTimeZone: plain.originalStartTimeZone, numberOfOccurrences: all.length } } });
      delete m.originalStart;
      evJson.push(m);
    }
    fs.writeFileSync(fEv, JSON.stringify(evJson, null, 2) + '\n');
    for (const f of ['inbox', 'sentitems']) {
      const fM = path.join(dir, `microsoft/${f}.json`);
      const mJson = JSON.parse(fs.readFileSync(fM, 'utf8'));
      for (const m of mJson) {
        if (m['@odata.type']) continue;
        if (chance(0.2)) { const { ...rest } = m; for (const k of Object.keys(m)) delete m[k]; Object.assign(m, { '@odata.type': '#microsoft.graph.message' }, rest); }
        // mail the owner sent as an address the account does not list, kept in Sent Items
        if (f === 'sentitems' && chance(0.05)) m.from = m.sender = { emailAddress: { name: 'Ana Lee', address: pick(['ana.private@fastmail.com', 'ana@lee-family.net']) } };
      }
      fs.writeFileSync(fM, JSON.stringify(mJson, null, 2) + '\n');
    }
  }
}
