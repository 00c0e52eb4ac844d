import { findIana, findWindows } from "windows-iana";
import type { Hono } from "hono";
import { guard, type SandboxEnv } from "../guard";
import type { SandboxState } from "../state";
import { MICROSOFT_CONSUMER_TENANT } from "@followthrough/core/oauth";
import { microsoftTenant } from "../oauth/id-token";
import { graphCalendarRoutes } from "./calendar-routes";
import { graphControlRoutes } from "./control-routes";
import { graphHandler, ok } from "./http";
import { graphMailRoutes } from "./mail-routes";
import { parseSelect, queryOf } from "./query";
import type { GraphStore } from "./store";
import { USER_PROPERTIES } from "./user-properties";

const defaultUserProps = ["businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone", "officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id"];

/**
 * True for a personal Microsoft account (Outlook.com, Hotmail: the consumer tenant, oauth/id-token).
 * Its GET /me has `mail` null, the address being the userPrincipalName (a Microsoft engineer in
 * jasonjoh/node-tutorial#16 and OfficeDev/outlook-dev-docs#196; microsoftgraph/microsoft-graph-docs
 * #9037), and ignores `$select`, answering the default properties ("$select is not currently
 * supported for /me requests for consumer accounts", microsoftgraph/microsoft-graph-docs#2117;
 * #2101): no proxyAddresses.
 */
const personal = (store: GraphStore) => microsoftTenant(store.account.email) === MICROSOFT_CONSUMER_TENANT;

/** The signed-in user as GET /me returns it; every property, of which the caller picks. */
function user(store: GraphStore): Record<string, unknown> {
  const a = store.account;
  const [givenName, ...rest] = a.displayName.split(/\s+/);
  return {
    businessPhones: [],
    displayName: a.displayName,
    givenName: givenName ?? null,
    jobTitle: null,
    mail: personal(store) ? null : a.email,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: personal(store) ? null : "en-US",
    surname: rest.join(" ") || null,
    userPrincipalName: a.email,
    id: store.userId,
    proxyAddresses: [`SMTP:${a.email}`, ...a.aliases.map((x) => `smtp:${x}`)],
    otherMails: [],
    mailNickname: a.email.split("@")[0],
  };
}

/** Offsets of a zone at weekly instants over 2024-2028, for comparing two zones' rules. */
function offsets(zone: string): string {
  const f = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" });
  const out: string[] = [];
  for (let t = Date.UTC(2024, 0, 1); t < Date.UTC(2028, 0, 1); t += 7 * 86_400_000) out.push(f.formatToParts(t).find((p) => p.type === "timeZoneName")?.value ?? "");
  return out.join(",");
}
const settingsZone = new Map<string, string>();

/**
 * The zone mailboxSettings names: the Windows name, as Outlook stores it ("Singapore Standard
 * Time"), where one names this zone's rules, i.e. where the zone CLDR maps that Windows name back
 * to (its first, as any reader of it must pick) keeps the same offsets; else the IANA name, which
 * mailboxSettings also holds (a zone set through the API). America/Mazatlan is "Mountain Standard
 * Time (Mexico)", which reads back as America/Chihuahua, an hour off since 2022: the fixture's own
 * zone is answered instead, so a scan applies the owner's zone (shared/spec/behaviour.md).
 */
function windowsNameOf(zone: string): string {
  let name = settingsZone.get(zone);
  if (name === undefined) {
    const windows = findWindows(zone)[0];
    const back = windows ? findIana(windows)[0] : undefined;
    name = windows && back && (back === zone || offsets(back) === offsets(zone)) ? windows : zone;
    settingsZone.set(zone, name);
  }
  return name;
}

/**
 * The mailbox's settings as `GET /me/mailboxSettings` answers them: `timeZone` and the working
 * hours' `timeZone.name` both name the owner's zone (a timeZoneBase, learn.microsoft.com/graph/api/
 * resources/workinghours), unless the control API set them apart ({@link GraphStore.settingsZones}):
 * a mailbox with no `timeZone` whose working hours name its zone (a work account's, microsoftgraph/
 * msgraph-sample-reactspa issue 60), one whose `timeZone` is no string (calcom/cal.diy PR 23700;
 * "'[]'" in microsoftgraph/msgraph-sample-rubyrailsapp issue 195), or the two zones apart (separate
 * settings: MicrosoftDocs/OfficeDocs-Support issue 1959).
 */
function mailboxSettings(store: GraphStore): Record<string, unknown> {
  const tz = windowsNameOf(store.account.timeZone);
  const set = store.settingsZones;
  const zone = set === undefined ? { timeZone: tz } : "timeZone" in set ? { timeZone: set.timeZone } : {};
  const workingZone = set !== undefined && "workingHoursTimeZone" in set ? set.workingHoursTimeZone : tz;
  return {
    archiveFolder: null,
    ...zone,
    automaticRepliesSetting: { status: "disabled", externalAudience: "all" },
    dateFormat: "yyyy-MM-dd",
    timeFormat: "HH:mm",
    delegateMeetingMessageDeliveryOptions: "sendToDelegateOnly",
    language: { locale: "en-US", displayName: "English (United States)" },
    workingHours: {
      daysOfWeek: ["monday", "tuesday", "wednesday", "thursday", "friday"],
      startTime: "08:00:00.0000000",
      endTime: "17:00:00.0000000",
      timeZone: { name: workingZone },
    },
    userPurpose: { value: "user" },
  };
}

/** Registers the Microsoft Graph v1.0 routes (api "graph") and the Graph control routes. */
export function graphRoutes(app: Hono<SandboxEnv>, state: SandboxState): void {
  app.get(
    "/v1.0/me",
    guard(state, "graph", "graph.me"),
    graphHandler((call) => {
      const all = user(call.store);
      // A name the user type does not have is refused, as for messages and events (a typo in the
      // adapter's list would otherwise read as a null property here and fail the connect on Graph).
      const select = parseSelect(queryOf(call.c.req.url).get("$select"), USER_PROPERTIES, "user");
      const out: Record<string, unknown> = { "@odata.context": `${call.origin}/v1.0/$metadata#users/$entity` };
      for (const p of select?.length && !personal(call.store) ? select : defaultUserProps) {
        const key = Object.keys(all).find((k) => k.toLowerCase() === p.toLowerCase());
        out[key ?? p] = key ? all[key] : null;
      }
      return ok(call, out);
    }),
  );

  app.get(
    "/v1.0/me/mailboxSettings",
    guard(state, "graph", "graph.mailboxSettings"),
    graphHandler((call) => ok(call, { "@odata.context": `${call.origin}/v1.0/$metadata#users('${call.store.userId}')/mailboxSettings`, ...mailboxSettings(call.store) })),
  );
  app.get(
    "/v1.0/me/mailboxSettings/timeZone",
    guard(state, "graph", "graph.mailboxSettings"),
    graphHandler((call) => ok(call, { "@odata.context": `${call.origin}/v1.0/$metadata#users('${call.store.userId}')/mailboxSettings/timeZone`, value: mailboxSettings(call.store).timeZone ?? null })),
  );

  app.post(
    "/v1.0/me/revokeSignInSessions",
    guard(state, "graph", "graph.revokeSignInSessions"),
    graphHandler((call) => {
      state.tokens.revokeAccount(call.store.account.email);
      return ok(call, { "@odata.context": `${call.origin}/v1.0/$metadata#Edm.Boolean`, value: true });
    }),
  );

  graphMailRoutes(app, state);
  graphCalendarRoutes(app, state);
  graphControlRoutes(app, state);
}
