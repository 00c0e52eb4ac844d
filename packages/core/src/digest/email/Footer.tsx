/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { Hr } from "@react-email/hr";
import { Link } from "@react-email/link";
import { Section } from "@react-email/section";
import { Text } from "@react-email/text";
import type { DigestData } from "../model";
import { cleanText, PRIVACY_LINE, safeUrl } from "../render-format";
import { s } from "./styles";

export function footerLinks(d: DigestData): { label: string; href: string | undefined }[] {
  return [
    { label: "Digest settings", href: safeUrl(d.settingsUrl) },
    { label: "Pause these digests", href: safeUrl(d.pauseUrl) },
    { label: "View in browser", href: safeUrl(d.webUrl) },
  ];
}

export function Footer({ d }: { d: DigestData }) {
  const links = footerLinks(d).filter((l) => l.href);
  const to = cleanText(d.owner.email, 120);
  return (
    <Section className="ft-inner" style={s.footer}>
      <Hr className="ft-rule" style={s.hr} />
      <Text className="ft-muted" style={s.footerLinks}>
        {links.map((l, i) => (
          <span key={l.label}>
            {i > 0 ? " · " : null}
            <Link className="ft-link" href={l.href} style={s.link}>
              {l.label}
            </Link>
          </span>
        ))}
      </Text>
      <Text className="ft-muted" style={s.small}>
        {PRIVACY_LINE}
      </Text>
      {to ? (
        <Text className="ft-muted" style={{ ...s.small, marginTop: "8px" }}>
          Sent to {to}, your weekly Followthrough digest.
        </Text>
      ) : null}
    </Section>
  );
}
