import type { calendar_v3 } from "@googleapis/calendar";
import type { AccountInfo } from "../fixtures";

/** STUB: the primary calendar of one Google account, with sync tokens. */
export class CalendarStore {
  constructor(
    readonly account: AccountInfo,
    events: calendar_v3.Schema$Event[],
    readonly now: () => number,
  ) {
    void events;
  }
  /** Makes every sync token issued so far expire (events.list answers 410). */
  expireSyncTokens(): void {}
}
