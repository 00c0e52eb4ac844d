// A large conference's attendee list for the demo mailboxes: varied names and company domains
// (a few on public mail domains), all seeded, so the list is the same on every run.

import type { Attendee, Mailbox, Person } from "./model.ts";
import { rand } from "./util.ts";

const FIRST = ["Adaeze", "Aiko", "Alejandro", "Amelia", "Anders", "Anjali", "Bao", "Beatriz", "Caleb", "Camille", "Chiara", "Dalia",
  "Darius", "Elif", "Emeka", "Esther", "Farhan", "Fatima", "Gabriel", "Greta", "Hamish", "Haruto", "Ife", "Ingrid", "Isaac", "Jana",
  "Javier", "Jiho", "Joaquin", "Kalani", "Karim", "Kateryna", "Keanu", "Laila", "Liam", "Lior", "Lucia", "Maeve", "Malik", "Mariam",
  "Mateus", "Maya", "Minh", "Nadia", "Nikhil", "Nils", "Olivia", "Omari", "Paula", "Pedro", "Quynh", "Rafael", "Rania", "Ronan",
  "Saanvi", "Santiago", "Selin", "Shira", "Siddharth", "Sione", "Siobhan", "Soren", "Tamsin", "Tariq", "Thandiwe", "Tuan", "Uma",
  "Valentina", "Vikram", "Wiremu", "Xavier", "Yasmin", "Yuki", "Zainab", "Zara", "Zhen"];
const LAST = ["Abiodun", "Alvarez", "Bergstrom", "Bhatt", "Cardoso", "Chowdhury", "Costa", "Dimitriou", "Dlamini", "Eriksen",
  "Fairweather", "Fujita", "Gallagher", "Gonzaga", "Haddad", "Hwang", "Ibrahim", "Jankowski", "Kapoor", "Keller", "Kowalczyk",
  "Lachance", "Larsen", "Le", "Mahlaba", "Martins", "McAllister", "Mendes", "Nakagawa", "Ndlovu", "Oyelaran", "Pham", "Quintero",
  "Ramirez", "Rautio", "Sandoval", "Schofield", "Shah", "Takahashi", "Tan", "Teague", "Uchenna", "Varga", "Vu", "Wainwright",
  "Watanabe", "Yamada", "Zamora", "Ziegler"];

/** Mail domains to draw from. */
export type Domains = readonly string[];

/**
 * `count` distinct people at a conference, each `kind: "person"` with the role and why given;
 * about one in twelve on a public mail domain (`publicDomains`), the others at one of `companies`.
 * Addresses take a few real-world shapes (first@, first.last@, flast@).
 */
export function conferenceCrowd(mb: Mailbox, o: { seed: string; count: number; companies: Domains; publicDomains: Domains; role: string; why: string }): Person[] {
  const r = rand(mb.cfg.id, "conference", o.seed);
  const taken = new Set(mb.people.map((p) => p.email.toLowerCase()));
  const names = new Set(mb.people.map((p) => p.name));
  const out: Person[] = [];
  while (out.length < o.count) {
    const first = r.pick(FIRST);
    const last = r.pick(LAST);
    const name = `${first} ${last}`;
    if (names.has(name)) continue;
    const pub = r.int(0, 11) === 0;
    const domain = pub ? r.pick(o.publicDomains) : r.pick(o.companies);
    const f = first.toLowerCase();
    const l = last.toLowerCase();
    const shape = pub ? `${f}.${l}${r.int(1, 99)}` : r.pick([f, `${f}.${l}`, `${f[0]}${l}`, `${f}.${l}`]);
    const email = `${shape}@${domain}`;
    if (taken.has(email)) continue;
    taken.add(email);
    names.add(name);
    out.push(mb.add(name, email, "person", o.role, o.why));
  }
  return out;
}

/** Every `every`-th person declined, the others accepted. */
export const answered = (people: Person[], every: number): Attendee[] =>
  people.map((p, i) => ({ p, rsvp: i % every === every - 1 ? "declined" : "accepted" }));
