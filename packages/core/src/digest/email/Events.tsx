/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { Heading } from "@react-email/heading";
import { Link } from "@react-email/link";
import { Section } from "@react-email/section";
import { Text } from "@react-email/text";
import type { DigestAttendedEvent, DigestData, DigestUpcomingEvent } from "../model";
import {
  alreadyInTouchLine,
  cleanText,
  COMING_UP_TITLE,
  EVENTS_LINK_LABEL,
  eventPeople,
  eventResult,
  eventTitle,
  goalLine,
  goalLinkLabel,
  metLinkLabel,
  NO_UPCOMING_NOTE,
  safeUrl,
  YOUR_EVENTS_TITLE,
} from "../render-format";
import { s } from "./styles";

/** An event's name as a real (level 3) heading, with its local date and time under it. */
function EventHead({ e }: { e: { title: string; when: string } }) {
  return (
    <>
      <Heading as="h3" className="ft-ink" style={s.h3}>
        {eventTitle(e)}
      </Heading>
      <Text className="ft-muted" style={s.small}>
        {cleanText(e.when, 60)}
      </Text>
    </>
  );
}

/** A link whose text says what it does (it names the event); dropped when its URL is unusable. */
function ActionLink({ href, label }: { href: string; label: string }) {
  const url = safeUrl(href);
  if (!url) return null;
  return (
    <Text style={{ margin: "4px 0 0" }}>
      <Link className="ft-link" href={url} style={s.actionLink}>
        {label}
      </Link>
    </Text>
  );
}

function UpcomingItem({ e }: { e: DigestUpcomingEvent }) {
  return (
    <Section className="ft-rule" style={s.item}>
      <EventHead e={e} />
      <Text className="ft-ink" style={{ ...s.text, marginTop: "4px" }}>
        {goalLine(e)}
      </Text>
      <ActionLink href={e.goalUrl} label={goalLinkLabel(e)} />
    </Section>
  );
}

function AttendedItem({ e }: { e: DigestAttendedEvent }) {
  const names = eventPeople(e);
  const known = alreadyInTouchLine(e);
  return (
    <Section className="ft-rule" style={s.item}>
      <EventHead e={e} />
      <Text className="ft-ink" style={{ ...s.text, marginTop: "4px" }}>
        {eventResult(e)}
      </Text>
      {names ? (
        <Text className="ft-muted" style={s.small}>
          {names}
        </Text>
      ) : null}
      {known ? (
        <Text className="ft-muted" style={s.small}>
          {known}
        </Text>
      ) : null}
      <ActionLink href={e.metUrl} label={metLinkLabel(e)} />
    </Section>
  );
}

/** "Your events": the networking events attended this week, each goal against its result. */
export function YourEvents({ d }: { d: DigestData }) {
  const list = d.events.attended;
  if (list.length === 0) return null;
  return (
    <Section style={{ marginTop: "24px" }}>
      <Heading as="h2" className="ft-ink" style={s.h2}>
        {`${YOUR_EVENTS_TITLE} (${list.length})`}
      </Heading>
      <Text className="ft-muted" style={s.small}>
        The networking events you went to this week, and the new people you met there.
      </Text>
      {list.map((e, i) => (
        <AttendedItem key={`${e.eventId}-${i}`} e={e} />
      ))}
    </Section>
  );
}

/** "Coming up": the networking events of the next 7 days, and always the link to the events page. */
export function ComingUp({ d }: { d: DigestData }) {
  const list = d.events.upcoming;
  const events = safeUrl(d.events.eventsUrl);
  return (
    <Section style={{ marginTop: "24px" }}>
      <Heading as="h2" className="ft-ink" style={s.h2}>
        {COMING_UP_TITLE}
      </Heading>
      {list.length === 0 ? (
        <Text className="ft-muted" style={s.small}>
          {NO_UPCOMING_NOTE}
        </Text>
      ) : (
        list.map((e, i) => <UpcomingItem key={`${e.eventId}-${i}`} e={e} />)
      )}
      {events ? (
        <Text style={{ margin: "8px 0 0" }}>
          <Link className="ft-link" href={events} style={s.actionLink}>
            {EVENTS_LINK_LABEL}
          </Link>
        </Text>
      ) : null}
    </Section>
  );
}
