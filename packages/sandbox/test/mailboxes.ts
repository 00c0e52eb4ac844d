import { type MailboxFixture, loadFixture } from "@followthrough/sandbox";
import { ownFixture, sharedFixture, sharedPresent } from "../../../test/support/fixtures";

/**
 * A mailbox fixture folder the contract tests run against. The project's own demo mailboxes
 * (fixtures/demo-*) are always present; the public samples in ../shared/fixtures only when that
 * folder is (suites over them are skipped otherwise, see test/support/fixtures.ts).
 */
export interface MailboxCase {
  /** Folder name, for test titles: demo-google, google-founder, … */
  name: string;
  dir: string;
  /** True for a public sample of ../shared/fixtures. */
  shared: boolean;
  /** False when the folder is not there (a shared sample in a clone without ../shared). */
  present: boolean;
  /** The fixture as `loadFixture` reads it (loaded on first use, then cached). */
  load(): MailboxFixture;
}

function mailboxCase(name: string, shared: boolean): MailboxCase {
  const dir = shared ? sharedFixture(name) : ownFixture(name);
  let loaded: MailboxFixture | undefined;
  return {
    name,
    dir,
    shared,
    // Asked by the suite that would read it, which then says why it skips.
    get present() {
      return shared ? sharedPresent() : true;
    },
    load: () => (loaded ??= loadFixture(dir)),
  };
}

/** The project's own Google demo mailbox: tests that only need some Google mailbox use it, so they never skip. */
export const demoGoogle = mailboxCase("demo-google", false);
/** The project's own Microsoft demo mailbox. */
export const demoMicrosoft = mailboxCase("demo-microsoft", false);

/** Every Google mailbox fixture: the demo mailbox, then the public sample (not present without ../shared). */
export const googleMailboxes: MailboxCase[] = [demoGoogle, mailboxCase("google-founder", true)];
/** Every Microsoft mailbox fixture: the demo mailbox, then the public sample (not present without ../shared). */
export const microsoftMailboxes: MailboxCase[] = [demoMicrosoft, mailboxCase("outlook-consultant", true)];

/** Data of a Google fixture (throws for a Microsoft one). */
export function googleData(f: MailboxFixture) {
  if (!f.google) throw new Error(`${f.dir} is not a Google mailbox`);
  return f.google;
}

/** Data of a Microsoft fixture (throws for a Google one). */
export function microsoftData(f: MailboxFixture) {
  if (!f.microsoft) throw new Error(`${f.dir} is not a Microsoft mailbox`);
  return f.microsoft;
}
