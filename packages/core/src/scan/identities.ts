import { normalizeAddress, ownerIdentity } from "../identity";
import type { MailMessage, Meeting, Owner } from "../model";
import { personalMicrosoftIdentity } from "../oauth";

/** The owner's identities as the scan learned them: the stored aliases plus any found in the data. */
export interface LearnedIdentities {
  /** Stored aliases first, then new ones (normalised), without the primary address. */
  aliases: string[];
  /** The stored display name, else the name the owner's own mail or calendar entry shows. */
  displayName?: string;
  /** True when `aliases` or `displayName` differ from what the owner record had. */
  changed: boolean;
}

/**
 * Whether the From of this message of the owner's Sent can name an owner identity the profile did
 * not list. Gmail's profile names the primary address only: its send-as addresses need
 * users.settings.sendAs and a settings scope we do not request, so Sent's From is where they show.
 * Graph's `/me` lists every address of an organisation's mailbox (`mail`, `userPrincipalName`,
 * `proxyAddresses`: shared/spec/behaviour.md's Outlook identities, stored as the account's aliases
 * at connect), so a From outside them in Sent Items is another mailbox's: a user, group or shared
 * mailbox the owner has Send As permission on (learn.microsoft.com/graph/outlook-send-mail-from-other-user).
 * Exchange files such a message in the sender's own Sent Items by default, not the other mailbox's
 * (learn.microsoft.com/powershell/module/exchange/set-mailboxsentitemsconfiguration). That mailbox
 * is not the owner, and its mail to the owner is inbound (helper-102 #1).
 *
 * A personal Microsoft account (its identity's tenant is the consumer one, core/oauth) is told
 * apart: Graph's `/me` names no alias of it (`mail` null, no proxyAddresses: docs/provider-quirks.md),
 * though its aliases share its mailbox and send from it (support.microsoft.com, "Add or remove an
 * email alias", article 12407), and it has no Send As on another mailbox, an organisation's
 * permission (helper-151). Its Sent Items' From is taken for the owner's only under the owner's own
 * name (an alias sends under the account's name) and not from a meeting notice: any message can be
 * moved or filed into Outlook's Sent Items (by hand, a rule, an import, another client's copy; a
 * family member's Outlook.com mail too), and Graph shows no redirect's resent fields; a stranger's
 * address learned as the owner's would make their mail the owner's and every address of their
 * domain a colleague (helper-152, helper-153).
 */
export function sentFromTeaches(owner: Pick<Owner, "provider" | "identity" | "displayName">, m: MailMessage): boolean {
  if (owner.provider !== "microsoft") return true;
  const mine = owner.displayName?.trim().toLowerCase();
  return personalMicrosoftIdentity(owner.identity) && !m.meetingNotice && !!mine && m.fromName?.trim().toLowerCase() === mine;
}

/**
 * Learns owner identities from what the read scopes already show (shared/spec/behaviour.md,
 * "Owner identities"): on Gmail, the From of every non-draft message in Sent (send-as addresses,
 * which the settings API would list but gmail.metadata cannot read; see {@link sentFromTeaches})
 * and the calendar entry the provider marks as the calendar's owner (Google `self`). The display
 * name comes from the From name of the owner's sent mail (the most frequent), else from that
 * calendar entry. Pure.
 */
export function learnOwnerIdentities(owner: Owner, meetings: readonly Meeting[], messages: readonly MailMessage[]): LearnedIdentities {
  const known = new Set(ownerIdentity(owner.email, owner.aliases).addresses);
  const found = new Set<string>();
  const names = new Map<string, number>();
  const add = (raw: string | undefined) => {
    const email = raw ? normalizeAddress(raw) : undefined;
    if (email && !known.has(email)) found.add(email);
  };
  for (const m of messages) {
    // Sent on someone else's behalf (a delegate's copy: Graph `sender` is the owner, `from` them), or
    // someone's message the owner sent on (a redirect: its Resent-From may be any of the owner's
    // addresses, or name the original author where a client wrote no block of its own).
    if (!m.inSent || m.draft || !m.from || m.onBehalfOf || m.resent) continue;
    if (sentFromTeaches(owner, m)) add(m.from);
    else if (!known.has(normalizeAddress(m.from) ?? "")) continue; // another mailbox's name is not the owner's
    const name = m.fromName?.trim();
    if (name && !name.includes("@")) names.set(name, (names.get(name) ?? 0) + 1);
  }
  let calendarName: string | undefined;
  for (const m of meetings) {
    if (!m.self) continue;
    add(m.self.email);
    calendarName ??= m.self.name.trim() || undefined;
  }
  const aliases = [...owner.aliases, ...[...found].sort()];
  const fromMail = [...names].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0];
  const displayName = owner.displayName || fromMail || calendarName;
  return { aliases, ...(displayName ? { displayName } : {}), changed: found.size > 0 || displayName !== owner.displayName };
}
