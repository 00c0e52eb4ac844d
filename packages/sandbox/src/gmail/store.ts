import type { gmail_v1 } from "@googleapis/gmail";
import type { AccountInfo } from "../fixtures";

/** STUB: the Gmail mailbox of one account (messages, history, drafts, sent). */
export class GmailStore {
  constructor(
    readonly account: AccountInfo,
    messages: gmail_v1.Schema$Message[],
    readonly now: () => number,
  ) {
    void messages;
  }
  /** Makes every history id issued so far expire (history.list answers 404). */
  expireHistory(): void {}
}
