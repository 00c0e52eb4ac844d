import { BatchWriteCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Contact } from "../inference";
import type { MailMessage, Meeting } from "../model";
import type { SyncCursor } from "../providers";
import { keys } from "./keys";
import { unpacked } from "./packed";

/** A stored person: the rules' view (a Contact) plus the follow-up stage the owner moves along. */
export interface PersonRecord extends Contact {
  /** met: no follow-up yet; drafted: a one-tap draft exists; followed_up; dismissed: "no follow-up needed". */
  stage: "met" | "drafted" | "followed_up" | "dismissed";
  draftId?: string;
  draftLink?: string;
  /**
   * Their first meeting is a networking event (shared/spec/events.md: met at a large gathering,
   * confirmed by the owner, or a first meeting that is a networking event): drafts default to the
   * "After an event" template. Written by the scan; absent on records stored before it existed.
   */
  atEvent?: true;
  /**
   * No longer a contact: the scan found no first meeting for them any more (a confirmation taken
   * back, the meeting cancelled or gone from the calendar). The record stays for its stage and
   * draft, should they come back; links about them answer "no longer in your list".
   */
  gone?: true;
}

type Item = Record<string, unknown>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The condition part of a conditional write. */
const conditionOf = (condition: string, values: Item, names?: Record<string, string>) => ({
  ConditionExpression: condition,
  ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
  ...(names ? { ExpressionAttributeNames: names } : {}),
});

/** Mail and meetings leave the table (DynamoDB TTL) 400 days after they happened: past every window the rules read. */
export const RETAIN_DAYS = 400;

/** Typed access to the single table for one service instance. Table name and client are injected. */
export class Repository {
  constructor(
    readonly doc: DynamoDBDocumentClient,
    readonly table: string,
  ) {}

  /** Writes items in batches of 25, retrying unprocessed ones. */
  async batch(requests: ({ PutRequest: { Item: Item } } | { DeleteRequest: { Key: Item } })[]): Promise<void> {
    for (let i = 0; i < requests.length; i += 25) {
      let pending = requests.slice(i, i + 25);
      for (let attempt = 0; pending.length; attempt++) {
        const out = await this.doc.send(new BatchWriteCommand({ RequestItems: { [this.table]: pending } }));
        pending = (out.UnprocessedItems?.[this.table] ?? []) as typeof pending;
        if (pending.length) await sleep(Math.min(2000, 50 * 2 ** attempt));
      }
    }
  }

  /** Deletes these items (by their keys), in batches. */
  async deleteEach(items: readonly Item[]): Promise<void> {
    await this.batch(items.map((i) => ({ DeleteRequest: { Key: { pk: i.pk, sk: i.sk } } })));
  }

  /**
   * Every item of a partition whose sort key starts with `prefix` (the whole partition for ""),
   * strongly consistent as `get` is: callers read back what they just wrote (a mark, then the plan
   * that reads the statements; a calendar read stored, then the meetings loaded).
   */
  async query(pk: string, prefix: string): Promise<Item[]> {
    const items: Item[] = [];
    for await (const page of this.pages(pk, prefix)) items.push(...page);
    return items;
  }

  /**
   * The pages of a partition's items whose sort key starts with `prefix` (the whole partition for
   * ""), strongly consistent, in key order or, `latestFirst`, from the greatest key down, `limit`
   * items a request where given: {@link query} reads them all, {@link lastWhere} stops at the first
   * it wants.
   */
  private async *pages(pk: string, prefix: string, o: { latestFirst?: boolean; limit?: number } = {}): AsyncGenerator<Item[]> {
    let start: Item | undefined;
    do {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          ConsistentRead: true,
          KeyConditionExpression: prefix ? "pk = :pk AND begins_with(sk, :p)" : "pk = :pk",
          ExpressionAttributeValues: prefix ? { ":pk": pk, ":p": prefix } : { ":pk": pk },
          ...(o.latestFirst ? { ScanIndexForward: false } : {}),
          ...(o.limit ? { Limit: o.limit } : {}),
          ExclusiveStartKey: start,
        }),
      );
      yield (out.Items ?? []) as Item[];
      start = out.LastEvaluatedKey as Item | undefined;
    } while (start);
  }

  /**
   * The item of a partition with the greatest sort key starting with `prefix` that `wanted` accepts;
   * undefined when none does. Read from the greatest down, `pageSize` items a request (strongly
   * consistent, as {@link query} is), so finding the latest of a long history (a weekly digest's
   * record, one a week and kept) reads a few items, not all of them.
   */
  async lastWhere(pk: string, prefix: string, wanted: (item: Item) => boolean, pageSize = 4): Promise<Item | undefined> {
    for await (const page of this.pages(pk, prefix, { latestFirst: true, limit: pageSize })) {
      const found = page.find(wanted);
      if (found) return found;
    }
    return undefined;
  }

  async get<T>(key: { pk: string; sk: string }): Promise<T | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }));
    return out.Item as T | undefined;
  }

  async put(item: Item): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.table, Item: item }));
  }

  /**
   * Puts `item` only when `condition` holds (DynamoDB condition expression); false when it did not.
   * This is how "exactly once" is expressed: one digest a week, one draft per tap.
   */
  putIf(item: Item, condition: string, values: Item = {}, names?: Record<string, string>): Promise<boolean> {
    return this.conditional(new PutCommand({ TableName: this.table, Item: item, ...conditionOf(condition, values, names) }));
  }

  async delete(key: { pk: string; sk: string }): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.table, Key: key }));
  }

  /** Deletes `key` only when `condition` holds; false when it did not. */
  deleteIf(key: { pk: string; sk: string }, condition: string, values: Item = {}, names?: Record<string, string>): Promise<boolean> {
    return this.conditional(new DeleteCommand({ TableName: this.table, Key: key, ...conditionOf(condition, values, names) }));
  }

  /**
   * Sets `fields` inside the map attribute `attribute` of an existing item, leaving the rest of the
   * item as it is (an UpdateItem: only these values travel; DynamoDB still bills the larger of the
   * item's sizes before and after, docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html),
   * when that map holds `match`'s values; false when the item, the map or the match is not there
   * (nothing is written then).
   */
  async setIn(key: { pk: string; sk: string }, attribute: string, fields: Item, match: Item = {}): Promise<boolean> {
    const entries = Object.entries(fields).filter(([, v]) => v !== undefined);
    if (!entries.length) throw new Error("setIn: no field to set");
    const names: Record<string, string> = { "#a": attribute };
    const values: Item = {};
    entries.forEach(([k, v], i) => {
      names[`#f${i}`] = k;
      values[`:v${i}`] = v;
    });
    const matches = Object.entries(match).map(([k, v], i) => {
      names[`#m${i}`] = k;
      values[`:m${i}`] = v;
      return ` AND #a.#m${i} = :m${i}`;
    });
    return this.conditional(
      new UpdateCommand({
        TableName: this.table,
        Key: key,
        UpdateExpression: `SET ${entries.map((_, i) => `#a.#f${i} = :v${i}`).join(", ")}`,
        ConditionExpression: `attribute_exists(#a)${matches.join("")}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  /** Sends a conditional write: true when it applied, false when its condition did not hold. */
  async conditional(command: PutCommand | DeleteCommand | UpdateCommand): Promise<boolean> {
    try {
      await this.doc.send(command as PutCommand);
      return true;
    } catch (e) {
      if ((e as { name?: string }).name === "ConditionalCheckFailedException") return false;
      throw e;
    }
  }

  /** The stored sync cursor of a stream. */
  async getCursor(account: string, stream: string): Promise<SyncCursor | undefined> {
    return (await this.get<{ cursor: SyncCursor }>(keys.cursor(account, stream)))?.cursor;
  }

  async putCursor(account: string, stream: string, cursor: SyncCursor): Promise<void> {
    await this.put({ ...keys.cursor(account, stream), cursor });
  }

  async deleteCursor(account: string, stream: string): Promise<void> {
    await this.delete(keys.cursor(account, stream));
  }

  async loadMeetings(account: string): Promise<Meeting[]> {
    return (await this.query(keys.partition(account), keys.prefix.meeting)).map((i) => {
      const m = unpacked<Meeting & { start: number | null; end: number | null }>(i, "meeting")!;
      return { ...m, start: m.start ?? Number.NaN, end: m.end ?? Number.NaN };
    });
  }

  async loadMessages(account: string): Promise<MailMessage[]> {
    return (await this.query(keys.partition(account), keys.prefix.message)).map((i) => unpacked<MailMessage>(i, "message")!);
  }

  async loadPeople(account: string): Promise<PersonRecord[]> {
    return (await this.query(keys.partition(account), keys.prefix.person)).map((i) => i.person as PersonRecord);
  }

  async getPerson(account: string, email: string): Promise<PersonRecord | undefined> {
    return (await this.get<{ person: PersonRecord }>(keys.person(account, email)))?.person;
  }

  async putPeople(account: string, people: PersonRecord[]): Promise<void> {
    await this.batch(people.map((p) => ({ PutRequest: { Item: { ...keys.person(account, p.email), person: p } } })));
  }

  /**
   * Puts a person's record only while the owner's part of the stored one (its stage, its draft) is
   * `expected`'s; false when it is not, or the person is not stored.
   */
  putPersonIf(account: string, person: PersonRecord, expected: Pick<PersonRecord, "stage" | "draftId">): Promise<boolean> {
    const names = { "#p": "person", "#s": "stage", "#d": "draftId" };
    const draft = expected.draftId === undefined ? "attribute_not_exists(#p.#d)" : "#p.#d = :d";
    return this.putIf({ ...keys.person(account, person.email), person }, `#p.#s = :s AND ${draft}`, { ":s": expected.stage, ...(expected.draftId === undefined ? {} : { ":d": expected.draftId }) }, names);
  }

  /**
   * One page of a due-hour index partition (GSI2): the string `attribute` of each item under `pk`,
   * up to `limit`, and where the next page starts. One query, never a scan.
   */
  async gsi2Page(pk: string, attribute: string, start?: Record<string, unknown>, limit = 1000): Promise<{ values: string[]; next?: Record<string, unknown> }> {
    const page = await this.gsi2Items(pk, [attribute], start, limit);
    return { values: page.items.map((i) => String(i[attribute])), next: page.next };
  }

  /** One page of a due-hour index partition (GSI2): the given attributes of each item under `pk` (those it has). */
  async gsi2Items(pk: string, attributes: string[], start?: Record<string, unknown>, limit = 1000): Promise<{ items: Record<string, unknown>[]; next?: Record<string, unknown> }> {
    const names = Object.fromEntries(attributes.map((a, i) => [`#a${i}`, a]));
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: "gsi2",
        KeyConditionExpression: "gsi2pk = :k",
        ExpressionAttributeValues: { ":k": pk },
        ProjectionExpression: Object.keys(names).join(", "),
        ExpressionAttributeNames: names,
        ExclusiveStartKey: start,
        Limit: limit,
      }),
    );
    return { items: out.Items ?? [], next: out.LastEvaluatedKey as Record<string, unknown> | undefined };
  }

  /** Every item of an account (tests, disconnect). */
  async allItems(account: string): Promise<Item[]> {
    return this.query(keys.partition(account), "");
  }
}
