/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { Body } from "@react-email/body";
import { Container } from "@react-email/container";
import { Head } from "@react-email/head";
import { Heading } from "@react-email/heading";
import { Html } from "@react-email/html";
import { Preview } from "@react-email/preview";
import { Section } from "@react-email/section";
import { Text } from "@react-email/text";
import type { DigestData } from "../model";
import { caughtUpNote, greeting, QUIET_NOTE } from "../render-format";
import { ComingUp, YourEvents } from "./Events";
import { FollowUps } from "./FollowUps";
import { Footer } from "./Footer";
import { Metrics } from "./Metrics";
import { NewPeople, Wins } from "./People";
import { MEDIA_CSS, OUTLOOK_DARK_CSS, s } from "./styles";

export interface DigestEmailProps {
  d: DigestData;
  subject: string;
  preheader: string;
  /**
   * The most people each list (waiting, new, followed up) shows; the rest are counted, with a link
   * to the digest in a browser, which shows every one. Every person by default.
   */
  listMax?: number;
}

/** The whole digest: one 600px column, tables throughout (React Email's components). */
export function DigestEmail({ d, subject, preheader, listMax = Infinity }: DigestEmailProps) {
  const nothingToList = d.missing.length === 0 && d.newPeople.length === 0 && d.wins.length === 0;
  return (
    <Html lang="en" dir="ltr">
      <Head>
        <title>{subject}</title>
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <meta name="supported-color-schemes" content="light dark" />
        {/* Static CSS of ours, no data in it. */}
        <style>{MEDIA_CSS}</style>
        <style>{OUTLOOK_DARK_CSS}</style>
      </Head>
      <Preview>{preheader}</Preview>
      <Body className="ft-page" style={s.body}>
        {/* A landmark for the page a browser shows ("View in browser"); mail clients ignore it. */}
        <main>
        <Container className="ft-card" style={s.container}>
          <Section className="ft-inner" style={s.inner}>
            <Heading as="h1" className="ft-ink" style={s.h1}>
              Your week with Followthrough
            </Heading>
            <Text className="ft-muted" style={s.lead}>
              {greeting(d)}
            </Text>
            <Metrics d={d} />
            {d.quiet && nothingToList ? (
              <Section style={{ marginTop: "24px" }}>
                <Text className="ft-ink" style={s.text}>
                  {QUIET_NOTE}
                </Text>
              </Section>
            ) : d.missing.length === 0 ? (
              <Section style={{ marginTop: "24px" }}>
                <Text className="ft-ink" style={s.text}>
                  {caughtUpNote(d)}
                </Text>
              </Section>
            ) : null}
            {/* Even in a week flagged quiet, never hide something that needs acting on. */}
            <FollowUps d={d} max={listMax} />
            <YourEvents d={d} />
            <ComingUp d={d} />
            <NewPeople d={d} max={listMax} />
            <Wins d={d} max={listMax} />
          </Section>
          <Footer d={d} />
        </Container>
        </main>
      </Body>
    </Html>
  );
}
