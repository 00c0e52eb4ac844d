/**
 * A connect attempt's state is burned once: its callback works the first time, a copy of it never.
 * A burn the table applied whose answer was lost (the SDK's retry of the put then fails its
 * condition on that very item) is still the first callback's: it was refused as a replay, and the
 * owner had to connect again (helper-189).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { burnState } from "@followthrough/core/connect";
import { type LocalDynamo, Repository, startLocalDynamo } from "@followthrough/core/storage";

describe("burnState", () => {
  let db: LocalDynamo;
  let repo: Repository;
  beforeAll(async () => {
    db = await startLocalDynamo({ engine: "dynalite" });
    repo = new Repository(db.doc, db.tableName);
  });
  afterAll(() => db?.stop());

  it("is true for the first callback of a state and false for every copy", async () => {
    const now = Date.parse("2026-12-05T10:00:00Z");
    expect(await burnState(repo, "google", "state-once", now)).toBe(true);
    expect(await burnState(repo, "google", "state-once", now + 1)).toBe(false);
    expect(await burnState(repo, "microsoft", "state-once", now)).toBe(true);
  });

  it("a burn whose answer was lost is still the first callback's; a copy after it is not", async () => {
    const now = Date.parse("2026-12-05T10:00:00Z");
    const lostAnswer = Object.create(repo) as Repository;
    lostAnswer.putIf = async (...args: Parameters<Repository["putIf"]>) => {
      await repo.putIf(...args);
      return repo.putIf(...args);
    };
    expect(await burnState(lostAnswer, "google", "state-lost-answer", now)).toBe(true);
    expect(await burnState(repo, "google", "state-lost-answer", now + 1)).toBe(false);
  });
});
