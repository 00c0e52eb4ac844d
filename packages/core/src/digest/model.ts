/** Everything the weekly digest shows, as plain data: the renderer only lays it out. */

/** A number with last week's value beside it. */
export interface Metric {
  value: number;
  previous: number;
}

/** One person in a digest list. */
export interface DigestPerson {
  /** Normalised address: the person's identity (links, lists). */
  email: string;
  /** The address as their calendar entry wrote it, where normalising changed it (a `+tag`, Gmail's dots): what is shown, and where a draft goes. */
  address?: string;
  /** Display name as the provider gave it (untrusted text). */
  name: string;
  firstName: string;
  /** Title of the meeting where they were first met (untrusted text). */
  eventTitle: string;
  /** ISO-8601 start of that meeting. */
  metAt: string;
  /** Human date of the meeting in the owner's time zone, e.g. "Tue 14 Apr". */
  metOn: string;
  /**
   * Calendar days in the owner's zone from the meeting's start (the date `metOn` shows) to now: 0 is
   * "today", 1 "yesterday" (core/digest buildDigest). Not counted from its end: a person met at a
   * conference that began on Monday is "met … on Mon 26 Oct, 10 days ago".
   */
  daysAgo: number;
  /**
   * A meeting with them still ahead, which follows them up already (behaviour.md), as "Tue 14 Apr":
   * only for the new people listed in neither waiting nor followed up (helper-242 #2).
   */
  meetsAgainOn?: string;
}

/** A missing follow-up, with its one-tap links. */
export interface DigestFollowUp extends DigestPerson {
  draftUrl: string;
  dismissUrl: string;
  /** True when a draft was already created (the button then opens it). */
  drafted: boolean;
}

/** A person followed up this week. */
export interface DigestWin extends DigestPerson {
  by: "mail" | "meeting";
}

/** The digest of one account for one week. */
export interface DigestData {
  owner: { email: string; name: string; firstName: string; timeZone: string };
  /** ISO week label, e.g. "2026-W17", and the rolling week in words, "the 7 days to 20 Apr 2026". */
  week: string;
  range: string;
  generatedAt: string;
  metrics: {
    meetingsAttended: Metric;
    newPeopleMet: Metric;
    followUpsSent: Metric;
    /** Share (0..1) of the new people met 1–30 days ago who have been followed up. */
    followUpRate: Metric;
    secondMeetings: Metric;
    /**
     * Hours at meetings and networking events (activity, beside the productivity numbers): the union
     * of the spans of the attended meetings and attended networking events that ended in the 7 days,
     * all-day events left out, overlaps counted once (shared/spec/events.md), to the half hour.
     */
    hoursAtMeetingsAndEvents: Metric;
  };
  /**
   * What the follow-up rate is a share of: `followed` of the `eligible` new people met between
   * `fromDays` and `toDays` days ago (not this week's new people, whom the digest lists).
   */
  /** `eligible` 0: nobody to follow up, so no rate (shown as "–"); `previousEligible` 0: none last week to compare with. */
  rateBasis?: { followed: number; eligible: number; previousEligible?: number; fromDays: number; toDays: number };
  /**
   * The people `metrics.secondMeetings` counts (their second meeting held in the 7 days), newest
   * first, so the figure names whom it counts; `on` is that meeting's date in the owner's zone.
   */
  metAgain?: { email: string; name: string; on: string }[];
  missing: DigestFollowUp[];
  /** New people this week who are in neither `missing` nor `wins`: each person in one list only. */
  newPeople: DigestPerson[];
  wins: DigestWin[];
  /** The networking events of shared/spec/events.md: "Coming up" and "Your events". */
  events: DigestEvents;
  /** True when there is nothing to act on and nothing happened (no people, no networking events). */
  quiet: boolean;
  settingsUrl: string;
  pauseUrl: string;
  /** The app page that shows this digest in a browser. */
  webUrl: string;
}

/** An upcoming networking event (now < start ≤ now + 7 days), with the one-tap way to set its goal. */
export interface DigestUpcomingEvent {
  eventId: string;
  /** Untrusted text (the calendar's title). */
  title: string;
  /** ISO-8601 start. */
  start: string;
  /** Human local date and time in the owner's zone, e.g. "Thu 4 Jun, 18:30" or "Thu 4 Jun (all day)". */
  when: string;
  /** The owner's goal: meet this many new people (1–20), when set. */
  goal?: number;
  /** Sets (or changes) the goal of this event (link action "goal", the event in `evt`). */
  goalUrl: string;
}

/** Someone met at an attended networking event: a new contact whose first meeting is the event. */
export interface DigestEventPerson {
  email: string;
  /** Untrusted text; the address when no name is known. */
  name: string;
  followedUp: boolean;
  /** The owner said they need no follow-up: met (counted), but never listed as waiting. */
  dismissed?: true;
}

/** An attended networking event (ended in the 7 days) with its result against its goal. */
export interface DigestAttendedEvent {
  eventId: string;
  title: string;
  start: string;
  /** Human local date and time of its start, as in {@link DigestUpcomingEvent.when}. */
  when: string;
  goal?: number;
  /** The new people met there (inferred or confirmed). */
  met: DigestEventPerson[];
  /** How many of `met` have been followed up. */
  followedUp: number;
  /** True when a goal is set and met.length >= goal. */
  goalMet: boolean;
  /** People the owner says they met there who are not new ("already in touch"): not counted. */
  alreadyInTouch: string[];
  /** Says whom the owner met there (link action "met", the event in `evt`). */
  metUrl: string;
}

/** The digest's event sections. `eventsUrl` is in every digest, quiet or not, events or none. */
export interface DigestEvents {
  upcoming: DigestUpcomingEvent[];
  attended: DigestAttendedEvent[];
  /** The owner's events page (link action "events"): mark or unmark events of the next 14 days. */
  eventsUrl: string;
}
