/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { Heading } from "@react-email/heading";
import { Section } from "@react-email/section";
import { Text } from "@react-email/text";
import type { DigestData, DigestPerson, DigestWin } from "../model";
import { cleanText, displayName, metLine, winHow } from "../render-format";
import { More } from "./More";
import { s } from "./styles";

function PersonLine({ p, note }: { p: DigestPerson; note: string }) {
  const name = displayName(p);
  const email = cleanText(p.address ?? p.email, 120);
  return (
    <Section className="ft-rule" style={{ ...s.item, padding: "10px 0" }}>
      <Text className="ft-ink" style={s.text}>
        <strong>{name}</strong>
        {email && email !== name ? <span className="ft-muted" style={{ color: s.small.color }}> · {email}</span> : null}
      </Text>
      <Text className="ft-muted" style={s.small}>
        {note}
      </Text>
    </Section>
  );
}

export function NewPeople({ d, max = Infinity }: { d: DigestData; max?: number }) {
  if (d.newPeople.length === 0) return null;
  const shown = d.newPeople.slice(0, max);
  return (
    <Section id="new-people" style={{ marginTop: "24px" }}>
      <Heading as="h2" className="ft-ink" style={s.h2}>
        Also new this week ({d.newPeople.length})
      </Heading>
      {shown.map((p, i) => (
        <PersonLine key={`${p.email}-${i}`} p={p} note={capitalise(metLine(p))} />
      ))}
      <More d={d} shown={shown.length} total={d.newPeople.length} what="new people" anchor="new-people" />
    </Section>
  );
}

export function Wins({ d, max = Infinity }: { d: DigestData; max?: number }) {
  if (d.wins.length === 0) return null;
  const shown = d.wins.slice(0, max);
  return (
    <Section id="followed-up" style={{ marginTop: "24px" }}>
      <Heading as="h2" className="ft-ink" style={s.h2}>
        Followed up ({d.wins.length})
      </Heading>
      {shown.map((w: DigestWin, i) => (
        <PersonLine key={`${w.email}-${i}`} p={w} note={`${capitalise(metLine(w))} — ${winHow(w.by)}`} />
      ))}
      <More d={d} shown={shown.length} total={d.wins.length} what="you followed up" anchor="followed-up" />
    </Section>
  );
}

function capitalise(t: string): string {
  return t.charAt(0).toUpperCase() + t.slice(1);
}
