/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { Column } from "@react-email/column";
import { Heading } from "@react-email/heading";
import { Row } from "@react-email/row";
import { Section } from "@react-email/section";
import { Text } from "@react-email/text";
import type { DigestData } from "../model";
import { metAgainLine, metricRows, type MetricRow, metricsSummary } from "../render-format";
import { colors, s } from "./styles";

function Tile({ m }: { m: MetricRow }) {
  const trendColor = m.trend === "up" ? colors.up : m.trend === "down" ? colors.down : colors.same;
  const trendClass = m.trend === "up" ? "ft-up" : m.trend === "down" ? "ft-down" : "ft-muted";
  return (
    <Column className="ft-tile" style={{ ...s.tile, width: "48%" }}>
      <Text className="ft-muted" style={s.tileLabel}>
        {m.label}
      </Text>
      <Text className="ft-ink" style={s.tileValue}>
        {m.value}
      </Text>
      <Text className={trendClass} style={{ ...s.tileLabel, color: trendColor }}>
        {m.delta}
      </Text>
    </Column>
  );
}

function Gap() {
  return (
    <Column className="ft-gap" style={{ width: "4%", fontSize: "1px", lineHeight: "1px" }}>
      &nbsp;
    </Column>
  );
}

/**
 * "Activity against productivity": hours and meetings in, people met and followed up out. Two tiles a
 * row, each 48% of the column; under 300px (a phone zoomed past 250%) a client that reads the
 * email's media queries stacks them (MEDIA_CSS), and one that does not wraps their words.
 */
export function Metrics({ d }: { d: DigestData }) {
  const rows = metricRows(d);
  // Activity first (hours, meetings), then what came of it (people, follow-ups, second meetings).
  const [hours, meetings, people, sent, rate, second] = rows;
  const summary = metricsSummary(d);
  const again = metAgainLine(d);
  return (
    <Section>
      <Heading as="h2" className="ft-ink" style={s.h2}>
        Activity against productivity
      </Heading>
      <Text className="ft-muted" style={{ ...s.small, margin: "0 0 12px" }}>
        {summary}
      </Text>
      <Row>
        <Tile m={hours} />
        <Gap />
        <Tile m={meetings} />
      </Row>
      <Row style={{ marginTop: "8px" }}>
        <Tile m={people} />
        <Gap />
        <Tile m={sent} />
      </Row>
      <Row style={{ marginTop: "8px" }}>
        <Tile m={rate} />
        <Gap />
        <Tile m={second} />
      </Row>
      {again ? (
        <Text className="ft-muted" style={{ ...s.small, margin: "8px 0 0" }}>
          {again}
        </Text>
      ) : null}
    </Section>
  );
}
