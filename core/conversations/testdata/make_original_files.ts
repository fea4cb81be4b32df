/**
 * Writes `original/`: one machine's files of the original NeuroMesh (Rust, serde + chrono), in
 * exactly the shape it writes them. Deterministic; run again after changing it:
 *
 *   deno run --allow-write core/conversations/testdata/make_original_files.ts
 *
 * - `conversations/local.json`: the owner's (alice on alice-laptop) questions and the answers
 *   she got over six months, 320 messages, mostly answered by gpu-box;
 * - `received/<ip>/local.json` from four peers: gpu-box, bob-desktop, 山田-ノートPC and
 *   zoë-macbook; bob-desktop moved from .40 to .45, so both folders hold the same file;
 * - every file says `"id": "local"`, as the original writes;
 * - timestamps as chrono writes them: 0, 3, 6 or 9 fractional digits (100 ns steps on Windows),
 *   two messages in one millisecond, an answer whose host's clock is behind;
 * - unicode everywhere: accents (composed and combining), CJK, Arabic, emoji with joiners and
 *   flags, escapes (quotes, backslashes, tabs, newlines, a control character).
 */

type Host = { hostname: string; ip_address: string; is_llm_host: boolean };
type Message = {
  content: string;
  timestamp: string;
  sender: string;
  message_type: "Question" | "Response";
  host_info: Host;
};

const ALICE: Host = { hostname: "alice-laptop", ip_address: "192.168.1.20", is_llm_host: false };
const GPU: Host = { hostname: "gpu-box", ip_address: "192.168.1.30", is_llm_host: true };
const BOB: Host = { hostname: "bob-desktop", ip_address: "192.168.1.40", is_llm_host: false };
const YAMADA: Host = { hostname: "山田-ノートPC", ip_address: "192.168.1.41", is_llm_host: false };
// The original leaves the address empty when it could not tell.
const ZOE: Host = { hostname: "zoë-macbook", ip_address: "", is_llm_host: false };

/** A small deterministic PRNG (mulberry32), so the files never change unless this script does. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** chrono's RFC 3339 for a UTC instant in nanoseconds: 0, 3, 6 or 9 fractional digits. */
function chrono(ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  const nanos = Number(ns % 1_000_000_000n);
  const seconds = new Date(ms).toISOString().slice(0, 19);
  if (nanos === 0) return `${seconds}Z`;
  const nine = String(nanos).padStart(9, "0");
  const digits = nanos % 1_000_000 === 0 ? 3 : nanos % 1000 === 0 ? 6 : 9;
  return `${seconds}.${nine.slice(0, digits)}Z`;
}

const NS_PER_MS = 1_000_000n;
const at = (iso: string) => BigInt(Date.parse(iso)) * NS_PER_MS;

const TOPICS = [
  "What is the capital of France?",
  "Explique-moi la différence entre « savoir » et « connaître ».",
  "Wie spät ist es in Zürich, wenn es in Tokio 9 Uhr ist?",
  "東京でおすすめのラーメン屋は？",
  "用一句话解释量子纠缠。",
  "ما هي عاصمة المغرب؟",
  "Write a haiku about debugging 🐛",
  'How do I escape a backslash \\ and a quote " in JSON?',
  "Summarise this:\n\n- item one\n- item two\n\tindented with a tab",
  "Is 👩‍💻 one character or several? And 🇫🇷?",
  "Cafe\u0301 vs Café: why do these compare differently?",
  "Prove that ∑_{k=1}^{n} k = n(n+1)/2.",
  "Give me a regex for ISO dates like 2025-03-25.",
  "Translate 'good morning' into Greek: Καλημέρα?",
  "What does the bell character \u0007 do in a terminal?",
  "Recommend a book for a long train ride 🚆",
];

const ANSWERS = [
  "Paris.",
  "« Savoir » s'emploie pour des faits ; « connaître » pour des personnes ou des lieux.",
  "Um 2 Uhr morgens (MEZ) bzw. 1 Uhr (MESZ).",
  "新宿の「風雲児」が人気です 🍜",
  "两个粒子的状态相互关联，无论相距多远。",
  "الرباط هي عاصمة المغرب.",
  "Silent stack trace —\nthe bug was in the comment\nall along, it seems",
  'Use `\\\\` for a backslash and `\\"` for a quote: `"a \\\\ b \\" c"`.',
  "1. item one\n2. item two\n\n```\n\tindented\n```",
  "👩‍💻 is several code points joined by U+200D; 🇫🇷 is two regional indicators.",
  "The first uses a combining accent (U+0301); normalise with NFC before comparing.",
  "By induction: true for n = 1; if true for n, adding n+1 gives (n+1)(n+2)/2. ∎",
  "`^\\d{4}-\\d{2}-\\d{2}$`",
  "Ναι, «Καλημέρα» σημαίνει «good morning».",
  "It rings the bell (BEL, 0x07), if the terminal lets it.",
  "« Le Comte de Monte-Cristo » — long enough for any train 📚",
];

/** `pairs` questions of `asker` on `host`, answered by `answerer`, spread from `from` to `to`. */
function history(
  seed: number,
  pairs: number,
  from: string,
  to: string,
  asker: { sender: string; host: Host },
  answerer: Host,
): Message[] {
  const next = random(seed);
  const start = at(from);
  const span = at(to) - start;
  const messages: Message[] = [];
  for (let i = 0; i < pairs; i++) {
    // Spread over the span, in order, at whole 100 ns (Windows) or 1 ns (Linux) steps.
    let asked = start + (span * BigInt(i)) / BigInt(pairs) +
      BigInt(Math.floor(next() * 3_600_000)) * NS_PER_MS + BigInt(Math.floor(next() * 1_000_000));
    const precision = next();
    if (precision < 0.1) asked -= asked % 1_000_000_000n; // whole seconds
    else if (precision < 0.2) asked -= asked % 1_000_000n; // milliseconds
    else if (precision < 0.3) asked -= asked % 1000n; // microseconds
    else if (precision < 0.8) asked -= asked % 100n; // Windows: 100 ns ticks
    const thinking = BigInt(Math.floor(500 + next() * 20_000)) * NS_PER_MS +
      BigInt(Math.floor(next() * 999_999));
    const topic = (seed + i) % TOPICS.length;
    const question = i === 0 ? TOPICS[0] : `${TOPICS[topic]} (#${i})`;
    messages.push({
      content: question,
      timestamp: chrono(asked),
      sender: asker.sender,
      message_type: "Question",
      host_info: asker.host,
    });
    messages.push({
      content: ANSWERS[i === 0 ? 0 : topic],
      timestamp: chrono(asked + thinking),
      sender: answerer.hostname,
      message_type: "Response",
      host_info: answerer,
    });
  }
  return messages;
}

function file(messages: Message[], host: Host) {
  return { id: "local", messages, host_info: host };
}

const own = history(
  1,
  160,
  "2024-10-02T08:15:00Z",
  "2025-03-25T13:00:00Z",
  { sender: "alice", host: ALICE },
  GPU,
);
// Two messages in one millisecond: only the nanoseconds tell them apart.
own[100] = { ...own[100], timestamp: "2025-01-14T09:30:12.118003215Z" };
own[101] = { ...own[101], timestamp: "2025-01-14T09:30:12.118003999Z" };
// An answer from a host whose clock is behind: it looks older than its question.
own[200] = { ...own[200], timestamp: "2025-02-10T18:04:05.500000100Z" };
own[201] = { ...own[201], timestamp: "2025-02-10T18:04:01.000000001Z" };
// One question alice answered with her own small model, before gpu-box joined.
own[2] = { ...own[2], timestamp: "2024-10-03T10:00:00.000000100Z" };
own[3] = {
  ...own[3],
  sender: "alice-laptop",
  host_info: { ...ALICE, is_llm_host: true },
  timestamp: "2024-10-03T10:00:07.250Z",
};

const files: Record<string, unknown> = {
  "conversations/local.json": file(own, ALICE),
  "received/192.168.1.30/local.json": file(
    history(
      2,
      12,
      "2024-11-20T20:00:00Z",
      "2025-03-01T22:00:00Z",
      { sender: "gpu-box", host: GPU },
      GPU,
    ),
    GPU,
  ),
  "received/192.168.1.40/local.json": file(
    history(
      3,
      8,
      "2025-01-05T07:00:00Z",
      "2025-02-28T19:00:00Z",
      { sender: "bob", host: BOB },
      GPU,
    ),
    BOB,
  ),
  "received/192.168.1.41/local.json": file(
    history(
      4,
      5,
      "2025-02-01T01:00:00Z",
      "2025-03-20T03:00:00Z",
      { sender: "山田", host: YAMADA },
      GPU,
    ),
    YAMADA,
  ),
  "received/192.168.1.52/local.json": file(
    history(
      5,
      3,
      "2025-03-22T15:00:00Z",
      "2025-03-24T15:00:00Z",
      { sender: "zoë", host: ZOE },
      GPU,
    ),
    ZOE,
  ),
};
// bob-desktop's address changed: the original kept its file under both addresses.
files["received/192.168.1.45/local.json"] = files["received/192.168.1.40/local.json"];

const root = new URL("./original/", import.meta.url).pathname;
for (const [path, content] of Object.entries(files)) {
  await Deno.mkdir(`${root}${path.slice(0, path.lastIndexOf("/"))}`, { recursive: true });
  // serde_json::to_string_pretty: two-space indent, non-ASCII written as is. (The final newline
  // only keeps `deno fmt` from touching the files; JSON readers ignore it.)
  await Deno.writeTextFile(`${root}${path}`, `${JSON.stringify(content, null, 2)}\n`);
}
console.log(`wrote ${Object.keys(files).length} files to ${root}`);
