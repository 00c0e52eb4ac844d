/** Key composition of every entity of the single table, in one place. */
import { createHash } from "node:crypto";

const account = (email: string) => `ACCOUNT#${email.toLowerCase()}`;

/**
 * A provider's id as a sort-key segment. DynamoDB keeps a sort key to 1,024 bytes
 * (docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html, "Partition key and
 * sort key length"), and a Calendar event id may be 1,024 characters itself (the discovery
 * document's `Event.id`: "between 5 and 1024 characters"; an instance adds 17): an id past 256
 * bytes is keyed by its SHA-256 instead (`~` and base64url, never a provider id's form), the same
 * for every lookup; the item keeps the id itself (helper-116 #1: a 1,017-character id stopped the
 * scan). Nothing reads an id back from a key.
 */
const idKey = (id: string) => (Buffer.byteLength(id) <= 256 ? id : `~${createHash("sha256").update(id).digest("base64url")}`);

/** Keys by entity. */
export const keys = {
  account: (email: string) => ({ pk: account(email), sk: "ACCOUNT" }),
  cursor: (email: string, stream: string) => ({ pk: account(email), sk: `CURSOR#${stream}` }),
  meeting: (email: string, id: string) => ({ pk: account(email), sk: `MEETING#${idKey(id)}` }),
  message: (email: string, id: string) => ({ pk: account(email), sk: `MSG#${idKey(id)}` }),
  person: (email: string, person: string) => ({ pk: account(email), sk: `PERSON#${person}` }),
  scan: (email: string, nowIso: string) => ({ pk: account(email), sk: `SCAN#${nowIso}` }),
  /** One follow-up draft per person, whatever their first meeting turns out to be. */
  draft: (email: string, person: string) => ({ pk: account(email), sk: `DRAFT#${person}` }),
  /** Where the account of this address went when the provider renamed it (core/accounts finishMove): links issued before follow it. */
  movedTo: (email: string) => ({ pk: account(email), sk: "MOVEDTO" }),
  /**
   * A sign-in through the other provider kept aside until it is confirmed, moving the address's
   * account there (core/connect offerMove): one item per offer, under the hash of its reference, in
   * a partition of their own (a move deletes the old account's partition before it stores the new).
   */
  providerMove: (email: string, refHash: string) => ({ pk: `PROVIDERMOVE#${email.toLowerCase()}`, sk: refHash }),
  providerMoves: (email: string) => `PROVIDERMOVE#${email.toLowerCase()}`,
  /** An account's provider identity (oauth.identityKey), pointing at its address. */
  identity: (key: string) => ({ pk: `IDENTITY#${key}`, sk: "IDENTITY" }),
  /** A connect attempt's state once its callback came back (single use, server-side; hashed). */
  oauthState: (hash: string) => ({ pk: `OAUTHSTATE#${hash}`, sk: "STATE" }),
  /** One digest per account and week. */
  digest: (email: string, week: string) => ({ pk: account(email), sk: `DIGEST#${week}` }),
  /** The owner's statements about events (shared/spec/events.md "What the owner says"): a mark, a goal, whom they met. */
  eventMark: (email: string, eventId: string) => ({ pk: account(email), sk: `SAYS#MARK#${idKey(eventId)}` }),
  eventGoal: (email: string, eventId: string) => ({ pk: account(email), sk: `SAYS#GOAL#${idKey(eventId)}` }),
  metConfirmation: (email: string, eventId: string, person: string) => ({ pk: account(email), sk: `SAYS#MET#${idKey(eventId)}#${person}` }),
  /** An event email (or the account's daily event sync) waiting for its dispatch slot (a quarter hour): one item per (account, event, kind), on GSI2 "EVDUE#<slot>" (core/events/due eventDueKey). */
  eventJob: (email: string, kind: string, eventId?: string) => ({ pk: account(email), sk: `EVJOB#${kind}${eventId === undefined ? "" : `#${idKey(eventId)}`}` }),
  /** One event email per (account, event, kind): the exactly-once claim and what was sent. */
  eventMail: (email: string, kind: string, eventId: string) => ({ pk: account(email), sk: `EVMAIL#${kind}#${idKey(eventId)}` }),
  /** The dispatcher's own record: the last quarter hour it dispatched in full (core/dispatch missedSlots). */
  dispatched: { pk: "DISPATCH", sk: "LAST" },
  /** Prefix of an entity's sort keys within an account's partition. */
  prefix: { meeting: "MEETING#", message: "MSG#", person: "PERSON#", scan: "SCAN#", cursor: "CURSOR#", draft: "DRAFT#", digest: "DIGEST#", says: "SAYS#", eventJob: "EVJOB#", eventMail: "EVMAIL#" },
  partition: account,
  /** GSI1 partition listing every account (replaced by a due-hour index for the scheduler). */
  allAccounts: "ACCOUNTS",
} as const;
