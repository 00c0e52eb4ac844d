import { platformTextsReady } from "../packages/core/src/events/platform";
import { googleEventTexts, mapGmailMessage, mapGoogleEvent } from "../packages/core/src/google/map";
import { infer } from "../packages/core/src/inference";
import { bigMailbox } from "./mailbox";

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** (1) Inference over 20,000 sent messages and 2,000 events against JSON.parse of the same input. */
export async function benchInference(runs = 7) {
  const box = bigMailbox({ messages: 20_000, events: 2_000 });
  // As the adapters do before mapping (outside the timing: a one-off load, not per message).
  await platformTextsReady(box.events.flatMap(googleEventTexts));
  const text = JSON.stringify({ messages: box.messages, events: box.events });
  const parse: number[] = [];
  const inference: number[] = [];
  const mapOnly: number[] = [];
  const rules: number[] = [];
  let found = 0;
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    const data = JSON.parse(text) as typeof box;
    parse.push(performance.now() - t);
    t = performance.now();
    const meetings = data.events.map((e) => mapGoogleEvent(e, box.account));
    const messages = data.messages.map(mapGmailMessage);
    const mapped = performance.now();
    const r = infer(box.account, meetings, messages, box.now);
    inference.push(performance.now() - t);
    mapOnly.push(mapped - t);
    rules.push(performance.now() - mapped);
    found = r.contacts.length;
  }
  return {
    inputBytes: text.length,
    parseMs: median(parse),
    /** The rules over mapped records: what every scan runs over the stored mailbox. */
    rulesMs: median(rules),
    /** Provider JSON to records: done once per message at ingest, not per scan. */
    mappingMs: median(mapOnly),
    endToEndMs: median(inference),
    ratio: median(rules) / median(parse),
    endToEndRatio: median(inference) / median(parse),
    contacts: found,
  };
}
