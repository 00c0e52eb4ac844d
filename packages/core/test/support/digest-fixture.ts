/** A week's digest as core/digest/render takes it: three follow-ups (one drafted, one without a name), two new people, two wins. */
import type { DigestData, DigestFollowUp, DigestPerson, DigestWin } from "../../src/digest/model";

export const APP = "https://app.followthrough.test";

export function person(over: Partial<DigestPerson> & Pick<DigestPerson, "email" | "name">): DigestPerson {
  return {
    firstName: over.name.split(" ")[0] ?? "",
    eventTitle: "Coffee",
    metAt: "2026-04-14T09:00:00Z",
    metOn: "Tue 14 Apr",
    daysAgo: 6,
    ...over,
  };
}

export function followUp(id: string, over: Partial<DigestFollowUp> & Pick<DigestFollowUp, "email" | "name">): DigestFollowUp {
  return {
    ...person(over),
    draftUrl: `${APP}/a/draft?t=${id}`,
    dismissUrl: `${APP}/a/dismiss?t=${id}`,
    drafted: false,
    ...over,
  };
}

export function digestFixture(): DigestData {
  return {
    owner: { email: "maya@studio.test", name: "Maya Chen", firstName: "Maya", timeZone: "Europe/London" },
    week: "2026-W17",
    range: "the 7 days to 20 Apr 2026",
    generatedAt: "2026-04-20T07:00:00Z",
    metrics: {
      meetingsAttended: { value: 12, previous: 10 },
      newPeopleMet: { value: 5, previous: 5 },
      followUpsSent: { value: 3, previous: 4 },
      followUpRate: { value: 0.6, previous: 0.5 },
      secondMeetings: { value: 1, previous: 0 },
      hoursAtMeetingsAndEvents: { value: 14.5, previous: 12 },
    },
    missing: [
      followUp("tok-ana", {
        email: "ana.souza@acme.test",
        name: "Ana Souza",
        eventTitle: "Acme × Studio intro",
        metOn: "Tue 14 Apr",
        daysAgo: 6,
      }),
      followUp("tok-ben", {
        email: "ben@ito.test",
        name: "Ben Ito",
        eventTitle: "Design review",
        metOn: "Thu 16 Apr",
        daysAgo: 4,
        drafted: true,
      }),
      followUp("tok-noname", {
        email: "cleo@partner.test",
        name: "",
        eventTitle: "Partnership sync",
        metOn: "Fri 17 Apr",
        daysAgo: 3,
      }),
    ],
    newPeople: [
      person({ email: "dan@north.test", name: "Dan North", eventTitle: "Founders breakfast", metOn: "Wed 15 Apr", daysAgo: 5 }),
      person({ email: "eve@south.test", name: "Eve South", eventTitle: "Quarterly planning", metOn: "Fri 17 Apr", daysAgo: 3 }),
    ],
    wins: [
      { ...person({ email: "fay@west.test", name: "Fay West", eventTitle: "Lunch & learn", metOn: "Mon 13 Apr" }), by: "mail" } as DigestWin,
      { ...person({ email: "gus@east.test", name: "Gus East", eventTitle: "Kickoff", metOn: "Tue 7 Apr", daysAgo: 13 }), by: "meeting" } as DigestWin,
    ],
    quiet: false,
    settingsUrl: `${APP}/settings/digest`,
    pauseUrl: `${APP}/digest/pause?t=owner-tok`,
    webUrl: `${APP}/digest/2026-W17`,
    events: { upcoming: [], attended: [], eventsUrl: `${APP}/l/events/owner-tok` },
  };
}
