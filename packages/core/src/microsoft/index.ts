import type { MailboxProvider } from "../providers";
import { PageAbandoned } from "../resilience";
import { graphAdapter, type MicrosoftProviderOptions } from "./adapter";
import { type GraphGet, graphCalendarStream, graphGetter, graphOwnerInboxStream, graphSentStream } from "./streams";

export * from "./adapter";
export { graphEventTexts, mapGraphEvent, mapGraphMessage } from "./map";
/** What a caller of the event mapper awaits first over the events' texts: the HTML decoder, where one needs it (core/events/platform). */
export { platformTextsReady } from "../events/platform";
export { classifyGraphError } from "./errors";

/** Graph behind the role interfaces, paced under the per-mailbox limit, with one retry policy. */
export function microsoftProvider(o: MicrosoftProviderOptions): MailboxProvider {
  return graphAdapter(o, ({ call, client }) => {
    const rawGet = graphGetter(client, o.pageSize ?? 200);
    const get: GraphGet = (url, g) =>
      call(
        () => {
          if (g?.abandon?.()) throw new PageAbandoned();
          return rawGet(url, g);
        },
        false,
        `GET ${url}`,
      );
    return {
      sentMail: graphSentStream(get, o.pageSize ?? 200),
      ownerMail: (identities) => graphOwnerInboxStream(get, identities, o.pageSize ?? 200),
      calendar: graphCalendarStream(get, o.owner),
    };
  });
}
