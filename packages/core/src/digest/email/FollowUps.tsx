/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { Button } from "@react-email/button";
import { Heading } from "@react-email/heading";
import { Link } from "@react-email/link";
import { Section } from "@react-email/section";
import { Text } from "@react-email/text";
import type { DigestData, DigestFollowUp } from "../model";
import { actionUrl, cleanText, displayName, metLine, safeUrl } from "../render-format";
import { More } from "./More";
import { s } from "./styles";

function FollowUpItem({ f, d }: { f: DigestFollowUp; d: DigestData }) {
  const name = displayName(f);
  const email = cleanText(f.address ?? f.email, 120);
  const draft = actionUrl(f.draftUrl, d);
  // An unusable dismiss link is dropped, not pointed elsewhere: the label must do what it says.
  const dismiss = safeUrl(f.dismissUrl);
  const label = f.drafted ? "Open draft" : "Draft follow-up";
  return (
    <Section className="ft-rule" style={s.item}>
      <Text className="ft-ink" style={s.name}>
        {name}
      </Text>
      {email && email !== name ? (
        <Text className="ft-muted" style={s.small}>
          {email}
        </Text>
      ) : null}
      <Text className="ft-muted" style={{ ...s.small, margin: "2px 0 12px" }}>
        {metLine(f)}
      </Text>
      {draft ? (
        <Button className="ft-button" href={draft} style={s.button} aria-label={`${label} to ${name}`}>
          {label}
        </Button>
      ) : (
        <Text className="ft-muted" style={s.small}>
          {label}: open Followthrough to write it.
        </Text>
      )}
      {dismiss ? (
        <Text style={{ margin: "4px 0 0" }}>
          <Link className="ft-muted" href={dismiss} style={s.quietLink} aria-label={`No follow-up needed for ${name}`}>
            No follow-up needed
          </Link>
        </Text>
      ) : null}
    </Section>
  );
}

export function FollowUps({ d, max = Infinity }: { d: DigestData; max?: number }) {
  if (d.missing.length === 0) return null;
  const shown = d.missing.slice(0, max);
  return (
    <Section id="waiting" style={{ marginTop: "24px" }}>
      <Heading as="h2" className="ft-ink" style={s.h2}>
        Waiting for a follow-up ({d.missing.length})
      </Heading>
      <Text className="ft-muted" style={s.small}>
        New people you met who haven't heard from you yet.
      </Text>
      {shown.map((f, i) => (
        <FollowUpItem key={`${f.email}-${i}`} f={f} d={d} />
      ))}
      <More d={d} shown={shown.length} total={d.missing.length} what="waiting" anchor="waiting" />
    </Section>
  );
}
