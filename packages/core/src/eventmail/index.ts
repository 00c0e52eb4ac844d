/**
 * The two event emails of shared/spec/events.md ("Emails and the digest"), each sent once per event
 * through the owner's own mailbox, and the light daily sync that keeps events current.
 *
 * - core/events planEventJobs (after every complete scan, and after each daily sync) writes one
 *   item per (account, event, kind) on the due index GSI2 "EVDUE#<slot>" (core/events/due),
 *   and the daily sync item of every active account (07:00 local, and 17:00 while a morning-of
 *   email with a goal is due after that evening), so that an event accepted mid-week is planned by
 *   the next morning, not at the next weekly scan, and one with a goal moved to the next morning by 18:00.
 * - The dispatcher (core/dispatch, every quarter hour) queues the jobs of its slot beside the weekly digests;
 *   the worker runs {@link runEventJob} under the account's scan lease (core/dispatch runAccountJob:
 *   unknown, paused or disconnected accounts are skipped).
 * - Each email goes through core/digest sendOnce: claimed per (account, event, kind) by a
 *   conditional write, reconciled against Sent by its stable Message-ID after a crash.
 */
import type { AccountRecord } from "../accounts";
import { actionUrl, eventUrl, type LinkConfig, SEND_CLAIM_STALE_MS, sendOnce, type SendOnceOutcome, stillActive } from "../digest";
import { cleanText, eventTitle, PREHEADER_MAX, previewText } from "../digest/render-format";
import {
  dispatchSlot,
  type EventJob,
  type EventJobItem,
  eventEmailOn,
  eventMailMessageId,
  type EventMailRecord,
  eventMailLatest,
  findEvent,
  followCalendarZone,
  lastLocalDay,
  loadStatements,
  morningAfterAt,
  morningOfAt,
  networkingMeetings,
  nextDispatchSlot,
  nextSyncAt,
  PLAN_AHEAD_MS,
  PLAN_MARGIN_MS,
  planEventJobs,
  putEventJob as putJob,
} from "../events";
import { followedUpOn } from "../followup";
import type { Contact } from "../inference";
import type { Meeting } from "../model";
import type { MailboxProvider, OutgoingMail } from "../providers";
import { MissingScopeError } from "../oauth";
import { isRevoked } from "../reconnect";
import { ProviderError } from "../resilience";
import { calendarSink, scan, syncStream } from "../scan";
import { keys, type Repository } from "../storage";
import { escapeHtml as esc } from "../text";
import { DAY, formatLocal, localDate } from "../time";


/** How one event job went. */
export type EventJobOutcome = SendOnceOutcome | "synced" | "rezoned" | "continued" | "moved" | "stale" | "off" | "no-goal" | "not-networking" | "not-attended" | "too-late" | "paused";

/** How long after a failed daily sync it is tried again (core/eventmail runEventJob). */
export const SYNC_RETRY_MS = 3_600_000;
/**
 * How long after a failed event email's run it is tried again (while core/events eventMailLatest
 * allows), or longer when the provider's Retry-After said so (helper-176 #2).
 */
export const EMAIL_RETRY_MS = 3_600_000;

/** The emails' rendered form. */
export interface EventMail {
  subject: string;
  text: string;
  html: string;
}

/**
 * Runs one queued event job for an active account (the caller holds its scan lease):
 * - `sync`: the calendar's incremental sync (one request when nothing changed), then a new plan;
 * - `morning-of`: sends when the event is still an upcoming networking event with a goal;
 * - `morning-after`: the sent mail's (and calendar's) incremental sync through the production scan
 *   (the mail since the event decides who was met; people are stored, so draft links work), then
 *   sends when the event is still an attended networking event, with its result so far.
 * A job whose stored item moved to another hour (the event moved) is stale and does nothing.
 */
export async function runEventJob(o: {
  repo: Repository;
  provider: MailboxProvider;
  account: AccountRecord;
  job: EventJob;
  now: number;
  links: LinkConfig;
  /** Asked before each page of the daily sync and the morning-after's (a Lambda near its limit); see core/scan. */
  stopBefore?: () => boolean;
  /** Asked before each call of a page made of several (core/scan `abandonPageBefore`). */
  abandonPageBefore?: () => boolean;
  /**
   * The time as the job ends (the worker's clock; `now` by default). A job cut short is filed again
   * at the first dispatch a minute or more after it: the read may have run past the quarter hour it
   * began in, whose dispatch has then already queried the index.
   */
  clock?: () => number;
}): Promise<EventJobOutcome> {
  const { repo, provider, account, job, now } = o;
  const retrySlot = () => nextDispatchSlot((o.clock?.() ?? now) + 60_000);
  const email = account.email.toLowerCase();
  if (account.status === "paused") return "paused";
  const jobKey = keys.eventJob(email, job.kind, job.evt);
  const item = await repo.get<EventJobItem>(jobKey);
  if (!item || item.due !== job.due) return "stale";
  // The calendar's incremental sync, bounded like the morning-after's scan: a full re-read (an expired
  // cursor, a renewed meeting shape) stops before the time limit with its cursor stored.
  const syncCalendar = () => {
    const window = { since: now - 365 * DAY, until: now + 365 * DAY, now, ...(o.abandonPageBefore ? { abandon: o.abandonPageBefore } : {}) };
    return syncStream(provider.calendar, calendarSink(repo, email, window, account.timeZone), window, o.stopBefore);
  };
  if (job.kind === "sync") {
    try {
      // The calendar's zone, at the morning sync (once a day; not at the evening one, a retry or a
      // continuation): followed where the owner chose none (core/events followCalendarZone).
      // Changed, this read is not made: the adapter maps all-day events in the zone the job began
      // with, and the sync filed for the next dispatch reads in the new one. A zone that cannot be
      // read leaves the account's as it is and the sync goes on.
      if (provider.calendarZone && job.due === dispatchSlot(nextSyncAt(job.due - 1, account.timeZone))) {
        const zone = await provider.calendarZone().catch((e: unknown) => {
          // A grant gone ends the job as any call's would; a permission for this read alone
          // withdrawn (Outlook's MailboxSettings.Read) leaves the zone as it is and the sync goes on.
          if (isRevoked(e) && !(e instanceof MissingScopeError)) throw e;
          console.warn(JSON.stringify({ msg: "zone", account: email, read: "failed", error: e instanceof Error ? e.message : String(e) }));
          return undefined;
        });
        if (await followCalendarZone(repo, account, zone, now)) return "rezoned";
      }
      // Cut short, the next dispatch continues it.
      const calendar = await syncCalendar();
      if (calendar.stopped) {
        await putJob(repo, email, "sync", undefined, retrySlot());
        return "continued";
      }
      await planEventJobs({ repo, account, now, clock: o.clock });
      return "synced";
    } catch (e) {
      // Each sync plans the next: one that fails (the provider down past the adapter's retries, the
      // table throttled) is filed again, so the chain goes on: the day's own sync (07:00, or 17:00)
      // an hour on, once; a retry or a continuation that fails, at the next sync hour, so a failure
      // that lasts costs a run or two a day, as the chain does anyway. That hour counts 17:00 only
      // where the owner has set a goal (read here, as no plan was written to say; a read that fails
      // counts none): without one, an outage would double every account's retries. Its message still
      // fails: redelivered, it finds its item moved (stale) and does nothing, so nothing reaches the
      // dead-letter queue and the chain does not wait for the next weekly run. A revoked grant ends it.
      // (A refiling that fails too leaves the failure reported the first one.)
      if (!isRevoked(e)) {
        const at = o.clock?.() ?? now;
        const regular = job.due === dispatchSlot(nextSyncAt(job.due - 1, account.timeZone, true));
        const evening = !regular && (await loadStatements(repo, email).then((st) => st.goals.size > 0, () => false));
        await putJob(repo, email, "sync", undefined, regular ? nextDispatchSlot(at + SYNC_RETRY_MS) : dispatchSlot(nextSyncAt(at, account.timeZone, evening)), { ifPresent: true }).catch(() => undefined);
      }
      throw e;
    }
  }
  const kind = job.kind;
  const eventId = job.evt!;
  /**
   * Whether the email may still be filed for a slot (eventMailLatest: a morning-of one until the
   * event starts, a morning-after one up to 12 hours after its hour), reckoned from the stored event.
   */
  const fileableAt = async (slot: number) => {
    const stored = await findEvent(repo, account, eventId);
    return stored !== undefined && Number.isFinite(stored.start) && slot < eventMailLatest(kind, stored, account.timeZone);
  };
  const done = async (outcome: EventJobOutcome) => {
    await repo.delete(jobKey);
    return outcome;
  };
  /**
   * An email whose slot, reckoned now, is still ahead once its reads are done is filed there instead
   * of sent: in that slot, unless its dispatch may have read the index while this job read the
   * calendar. A slot that came while the reads ran is this one: it is sent.
   */
  const movedLater = async (slot: number): Promise<"moved" | undefined> => {
    const at = o.clock?.() ?? now;
    if (slot <= at) return undefined;
    const open = at + PLAN_MARGIN_MS;
    await putJob(repo, email, kind, eventId, slot > open ? slot : nextDispatchSlot(open));
    return "moved";
  };
  if (!eventEmailOn(account, kind)) return done("off");
  try {
    let mail: EventMail;
    /** The first moment the email could have gone, whatever the zone: a day before the event's start, or its end. */
    let earliest: number;
    if (kind === "morning-of") {
      // No goal, no email (the goal is read when it is sent): decided before any provider call.
      const statements = await loadStatements(repo, email);
      const goal = statements.goals.get(eventId);
      if (goal === undefined) return done("no-goal");
      // The calendar as it is now, not as the 07:00 sync stored it (an evening-before email comes 11
      // hours later): an event cancelled, declined or moved since is not announced. A calendar that
      // fails to answer leaves what is stored, as before this read existed: the email still goes.
      const calendar = await syncCalendar().catch((e: unknown) => {
        if (isRevoked(e)) throw e;
        console.warn(`morning-of ${eventId}: calendar not read (${e instanceof Error ? e.message : String(e)}); the stored meetings decide`);
        return undefined;
      });
      if (calendar?.stopped) {
        await putJob(repo, email, kind, eventId, retrySlot());
        return "continued";
      }
      const m = networkingMeetings(account, await repo.loadMeetings(email), statements, now, now + PLAN_AHEAD_MS).find((x) => x.id === eventId);
      if (!m || m.start <= now) return done("not-networking");
      // Moved later: its email goes at the new time (an event moved earlier is announced now).
      earliest = m.start - DAY;
      const later = await movedLater(dispatchSlot(morningOfAt(m, account.timeZone)));
      if (later) return later;
      mail = morningOfMail({ account, event: m, goal, now, links: o.links });
    } else {
      const result = await scan({ owner: account, provider, repo, now, stopBefore: o.stopBefore, abandonPageBefore: o.abandonPageBefore });
      if (!result.complete) {
        // Cut short (a cursor expired and a full sync is under way): the next dispatch continues it,
        // while the email may still go (eventMailLatest, reckoned from the stored event).
        const slot = retrySlot();
        if (!(await fileableAt(slot))) return done("too-late");
        await putJob(repo, email, kind, eventId, slot);
        return "continued";
      }
      const owner = { ...account, aliases: result.owner.aliases };
      const attended = result.networkingEvents?.attended.find((e) => e.eventId === eventId);
      if (!attended) return done("not-attended");
      // However it got here this late (re-filed while reads were cut short, its send claim held by an
      // attempt that died, its record sent back while the account was busy): "the morning after" no
      // longer, it is not sent (a plan would not file it now, core/events eventMailLatest).
      if (now >= eventMailLatest(kind, attended, account.timeZone)) return done("too-late");
      // Its 08:00 still ahead, in the owner's zone as it is now (changed at a reconnect after the
      // plan), or the event moved later: it goes then, as a morning-of email does.
      earliest = attended.end;
      const later = await movedLater(dispatchSlot(morningAfterAt(attended, account.timeZone)));
      if (later) return later;
      mail = morningAfterMail({ account: owner, event: attended, met: attended.met, now, links: o.links });
    }
    // The reads took the job's time: a page slowed by throttling may end with seconds left (each of
    // its calls starts with one call's worst case left, `abandonPageBefore`). The send is such a
    // call; started past that, Lambda may end the invocation in it. The email is filed for the next
    // dispatch instead, while it may still go there; past that, it is tried now, as before.
    if (o.abandonPageBefore?.()) {
      const slot = retrySlot();
      if (await fileableAt(slot)) {
        await putJob(repo, email, kind, eventId, slot);
        return "continued";
      }
    }
    const messageId = eventMailMessageId(email, kind, eventId);
    const record: EventMailRecord = { status: "sending", messageId, claimedAt: now, kind, eventId, subject: mail.subject };
    const outgoing: OutgoingMail & { messageId: string } = {
      to: account.email,
      subject: mail.subject,
      html: mail.html,
      text: mail.text,
      messageId,
      headers: { "Auto-Submitted": "auto-generated", "X-Followthrough-Event-Mail": kind },
    };
    // Paused since this job loaded the account (its read can take minutes): nothing goes, and the item
    // stays for the plan a resume makes, as for a job that finds the account paused at its start.
    // Its kind switched off meanwhile in settings: nothing goes either, as when off at the start (helper-129 #2).
    let switchedOff = false;
    const stillOn = (current: AccountRecord) => {
      switchedOff = !eventEmailOn(current, kind);
      return !switchedOff;
    };
    // A connection made since the email could first have gone may have no record of its going: a
    // disconnect deletes the account's records, and the new connection's plan files the email again
    // (helper-176 #1), on time or late, at an hour its zone may have moved later than the first one's
    // (helper-178 #3). It looks in Sent before sending, back to that first moment. On a connection
    // older than the email, whose record would say, it does not: on Gmail the look reads every
    // message sent since.
    const firstOnThisConnection = account.connectedAt > earliest;
    const outcome = await sendOnce({
      repo,
      provider,
      key: keys.eventMail(email, kind, eventId),
      field: "mail",
      record,
      mail: outgoing,
      now,
      proceed: () => stillActive(repo, account, stillOn),
      ...(firstOnThisConnection ? { lookFirstSince: earliest - 5 * 60_000 } : {}),
    });
    if (outcome === "paused") return switchedOff ? done("off") : outcome;
    if (outcome === "sent" || outcome === "already-sent" || outcome === "reconciled") await repo.delete(jobKey);
    // Claimed by an attempt that died, its claim not stale yet: filed again for the first dispatch
    // after it is, whose run looks in Sent before sending (its slot here has passed: never read again).
    else await putJob(repo, email, kind, eventId, nextDispatchSlot(now + SEND_CLAIM_STALE_MS));
    return outcome;
  } catch (e) {
    // An email whose run fails (the provider down past the adapter's retries, the send refused, the
    // table throttled) is filed again an hour on, for as long as a plan would still file it
    // (eventMailLatest: a morning-of email until the event starts, a morning-after one up to 12
    // hours after its hour), reckoned from the stored event each time, so a plan written meanwhile
    // changes nothing. Without this its message went through the queue's retries, minutes apart,
    // to the dead-letter queue, and the item stayed in a slot already read: the email was lost to
    // a failure of an hour. The message still fails: redelivered, it finds its item moved (stale).
    // A send claim marked failed is taken again by the retry, which looks in Sent first (core/digest
    // sendOnce). A revoked grant ends it; an item gone meanwhile (the account deleted) stays gone.
    if (!isRevoked(e)) {
      const refile = async () => {
        // Not before the provider said it would take calls again (a 429's Retry-After past the adapter's own waits).
        const wait = Math.max(EMAIL_RETRY_MS, e instanceof ProviderError ? (e.retryAfterMs ?? 0) : 0);
        const next = nextDispatchSlot((o.clock?.() ?? now) + wait);
        if (await fileableAt(next)) {
          await putJob(repo, email, kind, eventId, next, { ifPresent: true });
          return;
        }
        console.warn(`${kind} ${eventId}: failed, and too late to try again`);
        await repo.delete(jobKey);
      };
      await refile().catch(() => undefined);
    }
    throw e;
  }
}

// ---- The emails -------------------------------------------------------------------------------

const people = (n: number) => `${n} new ${n === 1 ? "person" : "people"}`;
/**
 * An event email's HTML: one column of at most 576 px in layout tables, as the digest's (Outlook's
 * Word engine ignores a body's max-width), sizes in px, and its colours stated with their
 * background, light only: a client darkening the page without our colours kept dark text on it
 * (helper-240 #8). A long unbroken address or title wraps in the column rather than widening it
 * past a phone's screen.
 */
const page = (title: string, preview: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light"><meta name="supported-color-schemes" content="light"><title>${esc(title)}</title></head>` +
  `<body style="margin:0;padding:0;background:#ffffff;color:#1a1a1a">${previewHtml(preview)}<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#ffffff"><tr><td align="center" style="padding:16px">` +
  `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:576px"><tr><td style="font-family:system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5;color:#1a1a1a;text-align:left;overflow-wrap:anywhere;word-break:break-word">${body}</td></tr></table>` +
  `</td></tr></table></body></html>`;

/** The preview hidden first in the body, as the digest's (React Email's <Preview>: padded so that no body text follows it in the inbox). */
const previewHtml = (line: string) => {
  const text = previewText(line);
  const pad = "\u00a0\u200c\u200b\u200d\u200e\u200f\ufeff".repeat(Math.max(0, PREHEADER_MAX - text.length));
  return `<div style="display:none;overflow:hidden;line-height:1px;opacity:0;max-height:0;max-width:0" data-skip-in-text="true">${esc(text)}${pad ? `<div>${pad}</div>` : ""}</div>`;
};

/**
 * The foot of every event email: why it came and where it is changed (the settings' event emails),
 * as the digest carries its settings link. Until 2026-12-05 an event email had no way to its
 * settings, which the settings page says can switch each kind off (helper-208 #4).
 */
function eventMailFoot(links: LinkConfig, account: string, now: number): { text: string; html: string } {
  const settings = `${actionUrl(links, account, "settings", now)}#event-emails`;
  return {
    // The signature delimiter of RFC 3676 4.3: dash, dash, space.
    text: `\n-- \nYou get this email because your event emails are on. Change them in your settings: ${settings}\n`,
    html: `<p style="color:#555555;font-size:14px;border-top:1px solid #dddddd;padding-top:12px">You get this email because your event emails are on. <a href="${esc(settings)}">Change them in your settings</a></p>`,
  };
}

/** The morning of an upcoming networking event with a goal ("Today: Founders Mixer. Your goal: meet 3 new people."). */
export function morningOfMail(o: { account: AccountRecord; event: Pick<Meeting, "id" | "title" | "start" | "allDay" | "dates">; goal: number; now: number; links: LinkConfig }): EventMail {
  const zone = o.account.timeZone;
  // An all-day event's own first date where kept (Meeting.dates): the stored midnight is the zone's of
  // the last read, which a job falling back on stored meetings after a zone change still has.
  const first = o.event.allDay && o.event.dates ? o.event.dates.start : localDate(o.event.start, zone);
  const sameDay = first === localDate(o.now, zone);
  const when = sameDay ? "Today" : "Tomorrow";
  const at = o.event.allDay ? "" : ` at ${formatLocal(o.event.start, zone, "HH:mm")}`;
  // One clean line of at most 100 characters, as the digest shows a title (helper-240 #2).
  const title = eventTitle(o.event);
  // A title ending in its own stop ("Why AI?", one cut short with "…") takes no second one (helper-242 #8).
  const headline = `${when}: ${title}${/[.?!\u2026]$/.test(title) ? "" : "."} Your goal: meet ${people(o.goal)}.`;
  // Any hour: a breakfast, a conference's day (helper-240 #5).
  const why = "Going with a number in mind is what turns small talk into people you will still know next month.";
  const goal = eventUrl(o.links, o.account.email, "goal", o.event.id, o.now);
  const foot = eventMailFoot(o.links, o.account.email, o.now);
  return {
    subject: `${when}: ${title}`,
    text: `${headline}\n\nIt starts ${when.toLowerCase()}${at}. ${why}\n\nChange your goal: ${goal}\n${foot.text}`,
    html: page(`${when}: ${title}`, `Your goal: meet ${people(o.goal)}. It starts ${when.toLowerCase()}${at}.`, `<h1 style="font-size:21px;line-height:1.3">${esc(`${when}: ${title}`)}</h1><p><strong>Your goal: meet ${esc(people(o.goal))}.</strong></p><p>It starts ${esc(when.toLowerCase() + at)}. ${esc(why)}</p><p><a href="${esc(goal)}">Change your goal</a></p>${foot.html}`),
  };
}

/** The link that says whom else the owner met at an event (LinkAction "met", the event in `evt`). */
export function metUrl(links: LinkConfig, account: string, eventId: string, now: number): string {
  return eventUrl(links, account, "met", eventId, now);
}

/**
 * How a person met at the event was followed up (behaviour.md "Follow-ups"): mail the owner sent
 * ("you wrote on 19 Jun"), or a later meeting with them, which counts even before it happens
 * ("you meet again on 19 Jun", then "you met again on 19 Jun"). A contact without a kind is mail,
 * as the digest's wins read it.
 */
export function followUpWords(c: Pick<Contact, "followedUpBy" | "secondMeetingDate"> & { followedUpAt: number }, now: number, zone: string): string {
  const { followedUpBy: by, followedUpAt: at } = c;
  // A later meeting that is an all-day event on its own date, whatever zone it was read in (Contact.secondMeetingDate).
  const day = followedUpOn(c, zone, "d MMM");
  if (by !== "meeting") return `you wrote on ${day}`;
  return at > now ? `you meet again on ${day}` : `you met again on ${day}`;
}

/**
 * An event's result in one sentence (events.md "result": the new people met there, how many of them
 * followed up, the goal if set): "Your goal was 3 new people: you met 2 so far, 1 short; 1 of 2
 * followed up." or, without a goal, "1 of 2 followed up so far." ("" when nobody and no goal).
 */
export function eventResultLine(met: readonly Contact[], goal: number | undefined): string {
  const n = met.length;
  const followed = `${met.filter((c) => c.followedUpAt !== undefined).length} of ${n} followed up`;
  if (goal === undefined) return n ? `${followed} so far.` : "";
  const against = n >= goal ? "goal met" : `${goal - n} short`;
  return `Your goal was ${people(goal)}: you met ${n} so far, ${against}${n ? `; ${followed}` : ""}.`;
}

/** The morning after an attended networking event: its result (the goal against the people met), the new people met there so far, drafts for those not yet written to, and the "whom else" link. */
export function morningAfterMail(o: { account: AccountRecord; event: { eventId: string; title: string; start: number; end?: number; goal?: number }; met: readonly Contact[]; now: number; links: LinkConfig }): EventMail {
  const zone = o.account.timeZone;
  const title = eventTitle(o.event);
  // An event over several days (a conference Tuesday to Thursday) is named by both dates (helper-150
  // #3); one night's event past midnight (a mixer 23:00–01:00), ending by 06:00 the next morning by
  // the local clock, by the day it began (helper-152, helper-153).
  // (core/events lastLocalDay, by which its email is timed too.)
  const first = formatLocal(o.event.start, zone, "EEEE d MMMM");
  const end = o.event.end ?? o.event.start;
  const last = lastLocalDay({ start: o.event.start, end }, zone) === localDate(o.event.start, zone) ? first : formatLocal(Math.max(o.event.start, end - 1), zone, "EEEE d MMMM");
  const day = first === last ? `on ${first}` : `from ${first} to ${last}`;
  const other = metUrl(o.links, o.account.email, o.event.eventId, o.now);
  const subject = o.met.length ? `${title}: ${people(o.met.length)} met` : `${title}: whom did you meet?`;
  const lines: string[] = [];
  const items: string[] = [];
  for (const c of o.met) {
    // The address as their calendar entry wrote it (Gmail's dots kept), as the digest shows it.
    const shown = cleanText(c.address ?? c.email, 120);
    const name = cleanText(c.name, 80);
    const who = name && name !== shown && name !== c.email ? `${name} <${shown}>` : shown;
    if (c.followedUpAt !== undefined) {
      const how = followUpWords({ ...c, followedUpAt: c.followedUpAt }, o.now, zone);
      lines.push(`- ${who}: ${how}`);
      items.push(`<li>${esc(who)}: ${esc(how)}</li>`);
    } else {
      const draft = actionUrl(o.links, o.account.email, "draft", o.now, c);
      lines.push(`- ${who}: draft a follow-up ${draft}`);
      // The link names whom, as the digest's buttons do (a list of links each "Draft a follow-up" reads as one to a screen reader).
      items.push(`<li>${esc(who)}: <a href="${esc(draft)}">Draft a follow-up to ${esc(name || shown)}</a></li>`);
    }
  }
  const intro = o.met.length ? `The new people you met at ${title} ${day}, so far:` : `Nobody from ${title} ${day} is in your list yet.`;
  const result = eventResultLine(o.met, o.event.goal);
  const foot = eventMailFoot(o.links, o.account.email, o.now);
  // What the subject does not say: the result, then whom to write to (or how to say whom was met).
  const pending = o.met.filter((c) => c.followedUpAt === undefined).map((c) => cleanText(c.name, 80) || cleanText(c.address ?? c.email, 120));
  const next = o.met.length === 0 ? "Nobody met there is in your list yet: say whom, and get a draft to each." : pending.length ? `Still to follow up: ${pending.join(", ")}.` : "";
  const preview = [result, next].filter(Boolean).join(" ");
  return {
    subject,
    text: `${result ? `${result}\n\n` : ""}${intro}\n${lines.join("\n")}${lines.length ? "\n" : ""}\nMet someone else there? Say whom: ${other}\n${foot.text}`,
    html: page(subject, preview, `<h1 style="font-size:21px;line-height:1.3">${esc(title)}</h1>${result ? `<p><strong>${esc(result)}</strong></p>` : ""}<p>${esc(intro)}</p>${items.length ? `<ul>${items.join("")}</ul>` : ""}<p><a href="${esc(other)}">Met someone else there? Say whom</a></p>${foot.html}`),
  };
}
