/**
 * The weekly digest across clock changes and schedule changes, simulated (support/schedule-sim: the
 * real dispatcher at every quarter hour the account's due index names, the real worker a minute
 * after each dispatch, jobs other than the weekly run re-deriving the index at given hours). Each
 * week's digest goes once, at the owner's local day and hour, and no week is skipped.
 *
 * helper-77 #1: the index keeps the UTC hour of the week, and the week the clocks go back next
 * week's occurrence has a later UTC hour, which came round an hour after this week's run; that run
 * named the next week, passed the 20-hour guard and sent next week's digest that night (the real
 * Sunday then had none). Since the account keeps the instant its index was derived for, the
 * dispatcher leaves it for that week. helper-78: the scenarios in which an earlier guard against
 * that lost a week's digest.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatLocal, localDate } from "@followthrough/core/time";
import { type LocalDynamo, Repository, startLocalDynamo } from "@followthrough/core/storage";
import { type Scenario, type Sent, simulate as run, weeklyViolations } from "./support/schedule-sim";

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startLocalDynamo();
}, 60_000);
afterAll(() => dynamo?.stop());

const simulate = (s: Scenario) => run(new Repository(dynamo.doc, dynamo.tableName), s);

describe("the weekly digest across clock changes (quarter-hourly dispatch, simulated)", () => {
  const cases: Scenario[] = [
    // The week the clocks go back, Sunday 23:00: next week's occurrence is an hour later in UTC.
    { zone: "Europe/Berlin", schedule: { day: 7, hour: 23 }, from: "2026-10-05T00:00:00Z", to: "2026-11-10T00:00:00Z", otherJobsAt: [5] },
    { zone: "America/New_York", schedule: { day: 7, hour: 23 }, from: "2026-10-19T00:00:00Z", to: "2026-11-17T00:00:00Z", otherJobsAt: [10] },
    { zone: "Australia/Sydney", schedule: { day: 7, hour: 23 }, from: "2026-03-23T00:00:00Z", to: "2026-04-21T00:00:00Z", otherJobsAt: [20] },
    // Lord Howe's clocks go back half an hour: next week's slot is 23:30, still Sunday (a control).
    { zone: "Australia/Lord_Howe", schedule: { day: 7, hour: 23 }, from: "2026-03-23T00:00:00Z", to: "2026-04-21T00:00:00Z", otherJobsAt: [20] },
    // Dispatches missed (a quarter, a half of them), a job re-deriving the index twenty minutes after each, and caught up later (helper-80 #1).
    { zone: "Europe/Berlin", schedule: { day: 1, hour: 8 }, from: "2026-09-28T00:00:00Z", to: "2026-12-01T00:00:00Z", otherJobsAt: [6], missed: 0.25 },
    { zone: "Europe/Berlin", schedule: { day: 7, hour: 23 }, from: "2026-09-28T00:00:00Z", to: "2026-12-01T00:00:00Z", otherJobsAt: [6], missed: 0.5 },
    // The clocks go forward (controls).
    { zone: "America/New_York", schedule: { day: 1, hour: 0 }, from: "2026-02-23T00:00:00Z", to: "2026-03-24T00:00:00Z", otherJobsAt: [3, 4, 5] },
    { zone: "Europe/London", schedule: { day: 1, hour: 8 }, from: "2026-03-16T00:00:00Z", to: "2026-04-14T00:00:00Z", otherJobsAt: [6] },
  ];
  for (const c of cases) {
    it(`${c.zone}, day ${c.schedule.day} at ${c.schedule.hour}:00, ${c.from.slice(0, 10)} to ${c.to.slice(0, 10)}${c.missed ? `, ${c.missed * 100}% of dispatches missed and caught up` : ""}`, async () => {
      expect(weeklyViolations(await simulate(c), c)).toEqual([]);
    });
  }
});

describe("the weekly digest when the owner moves it (simulated)", () => {
  const local = (sent: Sent[], zone: string) => sent.map((x) => `${x.week} ${localDate(x.at, zone)} ${formatLocal(x.at, zone, "HH:mm")}`);

  it("moved within 20 hours of the last run into the next week, a daily sync between: that week's digest goes at the new hour (helper-78)", async () => {
    // Sunday 20:00 in London; the Sunday 8 November run sends week 45; at 21:00 the owner moves the
    // digest to Monday 08:00, twelve hours on; the daily sync at 23:00 re-derives the index.
    const sent = await simulate({
      zone: "Europe/London",
      schedule: { day: 7, hour: 20 },
      from: "2026-11-02T00:00:00Z",
      to: "2026-11-17T00:00:00Z",
      otherJobsAt: [23],
      changes: [{ at: "2026-11-08T21:00:00Z", patch: { schedule: { day: 1, hour: 8 } } }],
    });
    expect(local(sent, "Europe/London")).toEqual(["2026-W45 2026-11-08 20:01", "2026-W46 2026-11-09 08:01", "2026-W47 2026-11-16 08:01"]);
  });

  it("moved within 20 hours of the last run, the clocks going back before the new hour, a daily sync between (helper-78)", async () => {
    // Saturday 20:00 in Berlin; the Saturday 24 October run sends week 43; at 21:00 the owner moves
    // the digest to Monday 01:00, after the clocks go back at 03:00 on Sunday.
    const sent = await simulate({
      zone: "Europe/Berlin",
      schedule: { day: 6, hour: 20 },
      from: "2026-10-19T00:00:00Z",
      to: "2026-11-03T00:00:00Z",
      otherJobsAt: [1, 22],
      changes: [{ at: "2026-10-24T19:00:00Z", patch: { schedule: { day: 1, hour: 1 } } }],
    });
    expect(local(sent, "Europe/Berlin")).toEqual(["2026-W43 2026-10-24 20:01", "2026-W44 2026-10-26 01:01", "2026-W45 2026-11-02 01:01"]);
  });

  it("moved to a later day of a week already sent: the next digest is the next week's, at the new time", async () => {
    // Monday 08:00 in New York; after the Monday 26 October digest the owner moves it to Sunday
    // 12:00, the last day of that ISO week (sent), and the clocks go back that Sunday morning.
    const sent = await simulate({
      zone: "America/New_York",
      schedule: { day: 1, hour: 8 },
      from: "2026-10-25T00:00:00Z",
      to: "2026-11-10T00:00:00Z",
      otherJobsAt: [6, 18],
      changes: [{ at: "2026-10-27T15:00:00Z", patch: { schedule: { day: 7, hour: 12 } } }],
    });
    expect(local(sent, "America/New_York")).toEqual(["2026-W44 2026-10-26 08:01", "2026-W45 2026-11-08 12:01"]);
  });
});


describe("the weekly digest where local midnight is skipped or comes twice, and across the date line (simulated, helper-294)", () => {
  const local = (sent: Sent[], zone: string) => sent.map((x) => `${x.week} ${localDate(x.at, zone)} ${formatLocal(x.at, zone, "HH:mm")}`);
  const cases: { name: string; s: Scenario; want: string[] }[] = [
    // The Azores go from -01 to +00 at 00:00 on Sunday 29 March 2026: that Sunday has no midnight,
    // and the digest chosen for it comes when the day begins, 01:00.
    {
      name: "Azores, Sunday 00:00, the Sunday without a midnight (29 March 2026): at 01:00, when that day begins",
      s: { zone: "Atlantic/Azores", schedule: { day: 7, hour: 0 }, from: "2026-03-16T00:00:00Z", to: "2026-04-07T00:00:00Z", otherJobsAt: [2, 13] },
      want: ["2026-W12 2026-03-22 00:01", "2026-W13 2026-03-29 01:01", "2026-W14 2026-04-05 00:01"],
    },
    // And back at 01:00 on Sunday 25 October 2026: midnight comes twice; the digest goes at the first, once.
    {
      name: "Azores, Sunday 00:00, the Sunday whose midnight comes twice (25 October 2026): at the first, once",
      s: { zone: "Atlantic/Azores", schedule: { day: 7, hour: 0 }, from: "2026-10-12T00:00:00Z", to: "2026-11-03T00:00:00Z", otherJobsAt: [0.5, 13] },
      want: ["2026-W42 2026-10-18 00:01", "2026-W43 2026-10-25 00:01", "2026-W44 2026-11-01 00:01"],
    },
    // Havana goes back from 01:00 to 00:00 on Sunday 1 November 2026.
    {
      name: "Havana, Sunday 00:00, midnight twice (1 November 2026)",
      s: { zone: "America/Havana", schedule: { day: 7, hour: 0 }, from: "2026-10-19T00:00:00Z", to: "2026-11-10T00:00:00Z", otherJobsAt: [4.5, 5.5] },
      want: ["2026-W43 2026-10-25 00:01", "2026-W44 2026-11-01 00:01", "2026-W45 2026-11-08 00:01"],
    },
    // Santiago goes back from 24:00 to 23:00 on Saturday 4 April 2026: 23:00 comes twice.
    {
      name: "Santiago, Saturday 23:00, the hour that comes twice (4 April 2026)",
      s: { zone: "America/Santiago", schedule: { day: 6, hour: 23 }, from: "2026-03-23T00:00:00Z", to: "2026-04-14T00:00:00Z", otherJobsAt: [3.5] },
      want: ["2026-W13 2026-03-28 23:01", "2026-W14 2026-04-04 23:01", "2026-W15 2026-04-11 23:01"],
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const sent = await simulate(c.s);
      expect(weeklyViolations(sent, c.s)).toEqual([]);
      expect(local(sent, c.s.zone)).toEqual(c.want);
    });
  }

  it("an owner who moves from Kiritimati (+14) to Pago Pago (-11) after Monday's digest: next Monday's at 08:00 in Pago Pago, the week already sent not sent again", async () => {
    // Monday 7 December 08:00 in Kiritimati is Sunday 6 December 18:00 UTC; two hours later the owner
    // is in Pago Pago, where it is still Sunday morning. Its Monday 7 December 08:00 (19:00 UTC, 25
    // hours on) is in the ISO week whose digest went: the next is Monday 14 December's.
    const s: Scenario = {
      zone: "Pacific/Kiritimati",
      schedule: { day: 1, hour: 8 },
      from: "2026-11-30T00:00:00Z",
      to: "2026-12-22T00:00:00Z",
      otherJobsAt: [13],
      changes: [{ at: "2026-12-06T20:00:00Z", patch: { timeZone: "Pacific/Pago_Pago" } }],
    };
    const sent = await simulate(s);
    expect(sent.map((x) => `${x.week} ${new Date(x.at).toISOString()}`)).toEqual([
      "2026-W50 2026-12-06T18:01:00.000Z",
      "2026-W51 2026-12-14T19:01:00.000Z",
      "2026-W52 2026-12-21T19:01:00.000Z",
    ]);
    expect(local(sent.slice(1), "Pacific/Pago_Pago")).toEqual(["2026-W51 2026-12-14 08:01", "2026-W52 2026-12-21 08:01"]);
  });

  it("and back the other way, Pago Pago to Kiritimati after Monday's digest: the next Monday's 08:00 in Kiritimati, six days and 23 hours on", async () => {
    const s: Scenario = {
      zone: "Pacific/Pago_Pago",
      schedule: { day: 1, hour: 8 },
      from: "2026-12-01T00:00:00Z",
      to: "2026-12-22T00:00:00Z",
      otherJobsAt: [13],
      changes: [{ at: "2026-12-08T00:00:00Z", patch: { timeZone: "Pacific/Kiritimati" } }],
    };
    const sent = await simulate(s);
    expect(sent.map((x) => `${x.week} ${new Date(x.at).toISOString()}`)).toEqual([
      "2026-W50 2026-12-07T19:01:00.000Z",
      "2026-W51 2026-12-13T18:01:00.000Z",
      "2026-W52 2026-12-20T18:01:00.000Z",
    ]);
    expect(local(sent.slice(1), "Pacific/Kiritimati")).toEqual(["2026-W51 2026-12-14 08:01", "2026-W52 2026-12-21 08:01"]);
  });
});
