/** Everything the weekly digest shows, as plain data: the renderer only lays it out. */

/** A number with last week's value beside it. */
export interface Metric {
  value: number;
  previous: number;
}

/** One person in a digest list. */
export interface DigestPerson {
  email: string;
  /** Display name as the provider gave it (untrusted text). */
  name: string;
  firstName: string;
  /** Title of the meeting where they were first met (untrusted text). */
  eventTitle: string;
  /** ISO-8601 start of that meeting. */
  metAt: string;
  /** Human date of the meeting in the owner's time zone, e.g. "Tue 14 Apr". */
  metOn: string;
  /** Whole days since the meeting ended. */
  daysAgo: number;
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
  /** ISO week label, e.g. "2026-W17", and the human range "14–20 Apr 2026". */
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
    /** Hours in attended meetings over the last 7 days (activity, beside the productivity numbers). */
    hoursInMeetings?: Metric;
  };
  /**
   * What the follow-up rate is a share of: `followed` of the `eligible` new people met between
   * `fromDays` and `toDays` days ago (not this week's new people, whom the digest lists).
   */
  rateBasis?: { followed: number; eligible: number; fromDays: number; toDays: number };
  missing: DigestFollowUp[];
  /** New people this week who are in neither `missing` nor `wins`: each person in one list only. */
  newPeople: DigestPerson[];
  wins: DigestWin[];
  /** True when there is nothing to act on and nothing happened. */
  quiet: boolean;
  settingsUrl: string;
  pauseUrl: string;
  /** The app page that shows this digest in a browser. */
  webUrl: string;
}
