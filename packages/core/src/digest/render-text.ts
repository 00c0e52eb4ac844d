/**
 * The plain-text part of the digest, written directly (not converted from the
 * HTML) so it reads as a note: same sections, URLs written out in full.
 */
import type { DigestData, DigestPerson } from "./model";
import {
  actionUrl,
  alreadyInTouchLine,
  caughtUpNote,
  COMING_UP_TITLE,
  cleanText,
  displayName,
  EVENTS_LINK_LABEL,
  eventPeople,
  eventResult,
  eventTitle,
  goalLine,
  goalLinkLabel,
  greeting,
  metLine,
  metAgainLine,
  metricRows,
  metricsSummary,
  metLinkLabel,
  NO_UPCOMING_NOTE,
  PRIVACY_LINE,
  QUIET_NOTE,
  safeUrl,
  winHow,
  YOUR_EVENTS_TITLE,
} from "./render-format";

function heading(title: string): string[] {
  return ["", title, "-".repeat(Math.min(title.length, 60))];
}

function who(p: DigestPerson): string {
  const name = displayName(p);
  const email = cleanText(p.address ?? p.email, 120);
  return email && email !== name ? `${name} <${email}>` : name;
}

/** "Your events" (when any were attended) and "Coming up" (always: it carries the events link). */
function eventSections(d: DigestData): string[] {
  const out: string[] = [];
  const ev = d.events;
  if (ev.attended.length > 0) {
    out.push(...heading(`${YOUR_EVENTS_TITLE} (${ev.attended.length})`));
    for (const e of ev.attended) {
      out.push("", `* ${eventTitle(e)}, ${cleanText(e.when, 60)}`, `  ${eventResult(e)}`);
      const names = eventPeople(e);
      if (names) out.push(`  ${names}`);
      const known = alreadyInTouchLine(e);
      if (known) out.push(`  ${known}`);
      const href = safeUrl(e.metUrl);
      if (href) out.push(`  ${metLinkLabel(e)}: ${href}`);
    }
  }
  out.push(...heading(COMING_UP_TITLE));
  if (ev.upcoming.length === 0) out.push(NO_UPCOMING_NOTE);
  for (const e of ev.upcoming) {
    out.push("", `* ${eventTitle(e)}, ${cleanText(e.when, 60)}`, `  ${goalLine(e)}`);
    const href = safeUrl(e.goalUrl);
    if (href) out.push(`  ${goalLinkLabel(e)}: ${href}`);
  }
  // An unusable link is dropped, not pointed elsewhere: the label must do what it says.
  const events = safeUrl(ev.eventsUrl);
  if (events) out.push("", `${EVENTS_LINK_LABEL}: ${events}`);
  return out;
}

export function renderDigestText(d: DigestData): string {
  const out: string[] = [greeting(d)];

  out.push(...heading("Activity against productivity"));
  // The sentence first, then the numbers, as the HTML lays them out (helper-240 #9).
  out.push(metricsSummary(d));
  for (const m of metricRows(d)) out.push(`${m.label}: ${m.value} (${m.delta})`);
  const again = metAgainLine(d);
  if (again) out.push(again);

  const nothingToList = d.missing.length === 0 && d.newPeople.length === 0 && d.wins.length === 0;
  if (d.quiet && nothingToList) out.push("", QUIET_NOTE);
  else if (d.missing.length === 0) out.push("", caughtUpNote(d));

  if (d.missing.length > 0) {
    out.push(...heading(`Waiting for a follow-up (${d.missing.length})`));
    for (const f of d.missing) {
      const draft = actionUrl(f.draftUrl, d);
      // An unusable dismiss link is dropped, not pointed elsewhere: the label must do what it says.
      const dismiss = safeUrl(f.dismissUrl);
      out.push("", `* ${who(f)}`, `  ${metLine(f)}`);
      out.push(`  ${f.drafted ? "Open draft" : "Draft follow-up"}: ${draft ?? "open Followthrough to write it"}`);
      if (dismiss) out.push(`  No follow-up needed: ${dismiss}`);
    }
  }

  out.push(...eventSections(d));

  if (d.newPeople.length > 0) {
    out.push(...heading(`Also new this week (${d.newPeople.length})`));
    for (const p of d.newPeople) out.push(`* ${who(p)}, ${metLine(p)}`);
  }

  if (d.wins.length > 0) {
    out.push(...heading(`Followed up (${d.wins.length})`));
    for (const w of d.wins) out.push(`* ${who(w)}, ${metLine(w)} — ${winHow(w.by)}`);
  }

  // The signature delimiter of RFC 3676 4.3: dash, dash, space.
  out.push("", "-- ");
  const links: [string, string | undefined][] = [
    ["Digest settings", safeUrl(d.settingsUrl)],
    ["Pause these digests", safeUrl(d.pauseUrl)],
    ["View in browser", safeUrl(d.webUrl)],
  ];
  for (const [label, href] of links) if (href) out.push(`${label}: ${href}`);
  out.push("", PRIVACY_LINE);
  const to = cleanText(d.owner.email, 120);
  if (to) out.push(`Sent to ${to}, your weekly Followthrough digest.`);
  return `${out.join("\n")}\n`;
}
