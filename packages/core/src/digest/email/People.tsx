/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { Heading, Section, Text } from "@react-email/components";
import type { DigestData, DigestPerson, DigestWin } from "../model";
import { cleanText, displayName, metLine, winHow } from "../render-format";
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

export function NewPeople({ d }: { d: DigestData }) {
  if (d.newPeople.length === 0) return null;
  return (
    <Section style={{ marginTop: "24px" }}>
      <Heading as="h2" className="ft-ink" style={s.h2}>
        New people this week ({d.newPeople.length})
      </Heading>
      {d.newPeople.map((p, i) => (
        <PersonLine key={`${p.email}-${i}`} p={p} note={capitalise(metLine(p))} />
      ))}
    </Section>
  );
}

export function Wins({ d }: { d: DigestData }) {
  if (d.wins.length === 0) return null;
  return (
    <Section style={{ marginTop: "24px" }}>
      <Heading as="h2" className="ft-ink" style={s.h2}>
        Followed up ({d.wins.length})
      </Heading>
      {d.wins.map((w: DigestWin, i) => (
        <PersonLine key={`${w.email}-${i}`} p={w} note={`${capitalise(winHow(w.by))} — ${metLine(w)}`} />
      ))}
    </Section>
  );
}

function capitalise(t: string): string {
  return t.charAt(0).toUpperCase() + t.slice(1);
}
