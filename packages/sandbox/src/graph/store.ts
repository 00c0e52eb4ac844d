import type { AccountInfo, MicrosoftData } from "../fixtures";

/** STUB: the Outlook mailbox and calendar of one Microsoft account, with delta tokens. */
export class GraphStore {
  constructor(
    readonly account: AccountInfo,
    data: MicrosoftData,
    readonly now: () => number,
  ) {
    void data;
  }
  /** Makes every delta link issued so far expire (syncStateNotFound). */
  expireDeltaTokens(): void {}
}
