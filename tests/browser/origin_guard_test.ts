/**
 * The browser-origin guard in a real Chromium (issue 10, part 2). Everything runs inside a lab
 * namespace: node1 serves its page on 127.0.0.1:8080 there (approve mode, one allowed origin),
 * node2 on the lab LAN waits for approval, and Chromium runs in node1's namespace too. Pages on
 * other origins — 127.0.0.2:8000 (loopback, like a local dev server) and 10.99.0.2:8000 (another
 * device) — try every state-changing route, `/api/chat` and `/v1/chat/completions` with no-cors
 * fetches, text/plain bodies, HTML form posts and a sandboxed frame (Origin: null); nothing may
 * take effect, checked through the API afterwards. The node's own page still works, and the page
 * at the allowed origin (127.0.0.3:8000) reads answers through CORS.
 * Screenshots: origin-hostile.png, origin-own-page.png, origin-allowed.png.
 */
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import {
  assertCapability,
  browserUnavailableReason,
  netnsUnavailableReason,
  requires,
} from "../support/ci.ts";
import { DENO, type LabHost, type LabNode, waitFor, withLab } from "../e2e/lab.ts";
import { expectedAnswer } from "../ollama_double/answer.ts";
import { launchBrowserIn, screenshot } from "./harness.ts";

const unavailable = netnsUnavailableReason() ?? browserUnavailableReason();
const PAGES = new URL("./origin_pages.ts", import.meta.url).pathname;
const MODEL = "tinyllama:1.1b";
/** The node's page as the browser inside node1's namespace opens it. */
const NODE = "http://127.0.0.1:8080";
const HOSTILE_LOOPBACK = "http://127.0.0.2:8000";
const HOSTILE_LAN = "http://10.99.0.2:8000";
const ALLOWED = "http://127.0.0.3:8000";

interface Conversation {
  id: string;
  title: string;
  messages: { content: string }[];
}

async function api<T>(node: LabNode, path: string): Promise<T> {
  const res = await fetch(`${node.url}${path}`);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return await res.json() as T;
}

async function localConversations(node: LabNode): Promise<Conversation[]> {
  const list = await api<{ local: { id: string }[] }>(node, "/api/conversations");
  return await Promise.all(
    list.local.map((c) =>
      api<Conversation>(node, `/api/conversations/${encodeURIComponent(c.id)}`)
    ),
  );
}

/** Chats and generations the Ollama double was asked for (its model list polls do not count). */
async function llmCalls(socket: string): Promise<number> {
  const client = Deno.createHttpClient({ proxy: { transport: "unix", path: socket } });
  try {
    const res = await fetch("http://double/__double/stats", { client });
    const counts = (await res.json() as { requestCounts: Record<string, number> }).requestCounts;
    return (counts["/api/chat"] ?? 0) + (counts["/api/generate"] ?? 0);
  } finally {
    client.close();
  }
}

interface Targets {
  node: string;
  model: string;
  conversationId: string;
  pendingId: string;
}

/**
 * Runs in the hostile page: every way a page can send the node a request without reading the
 * answer, plus CORS requests the browser must preflight. Returns what the page could observe.
 */
function attack(t: Targets): Promise<string[]> {
  const log = (line: string) => {
    const item = document.createElement("li");
    item.textContent = line;
    document.getElementById("log")!.append(item);
    return line;
  };
  const conv = `${t.node}/api/conversations/${encodeURIComponent(t.conversationId)}`;
  const chat = { model: t.model, messages: [{ role: "user", content: "pwned" }], stream: false };
  const noCors: [string, string, unknown][] = [
    ["POST", `${t.node}/api/conversations`, { title: "pwned by fetch" }],
    ["POST", `${conv}/messages`, { content: "pwned by fetch" }],
    ["POST", `${t.node}/api/chat`, chat],
    ["POST", `${t.node}/api/generate`, { model: t.model, prompt: "pwned", stream: false }],
    ["POST", `${t.node}/v1/chat/completions`, chat],
    ["POST", `${t.node}/api/token/rotate`, undefined],
    ["POST", `${t.node}/api/peers/${t.pendingId}/approve`, undefined],
    ["POST", `${conv}/fork`, undefined],
    ["POST", `${t.node}/api/pairing`, undefined],
    ["POST", `${t.node}/api/conversations/import`, { files: [{ path: "a.json", text: "{}" }] }],
  ];
  const preflighted: [string, string, unknown][] = [
    ["PATCH", `${t.node}/api/settings`, { name: "pwned" }],
    ["DELETE", conv, undefined],
    ["PATCH", conv, { title: "pwned by PATCH" }],
    ["POST", `${t.node}/api/conversations`, { title: "pwned by cors" }],
    ["POST", `${t.node}/api/pairing`, { address: t.node }],
  ];
  const sends: Promise<string>[] = [];
  for (const [method, url, body] of noCors) {
    sends.push(
      fetch(url, {
        method,
        mode: "no-cors",
        headers: { "content-type": "text/plain" },
        body: body === undefined ? undefined : JSON.stringify(body),
      }).then(
        (res) => log(`no-cors ${method} ${url}: answer ${res.type} (unreadable)`),
        (error) => log(`no-cors ${method} ${url}: failed ${error}`),
      ),
    );
  }
  for (const [method, url, body] of preflighted) {
    sends.push(
      fetch(url, {
        method,
        headers: { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      }).then(
        (res) => log(`cors ${method} ${url}: HTTP ${res.status}`),
        (error) => log(`cors ${method} ${url}: blocked (${error})`),
      ),
    );
  }
  // HTML form posts: text/plain forms can carry a JSON-looking body, urlencoded ones a field.
  const formTargets: [string, Record<string, string>, string][] = [
    [`${t.node}/api/conversations`, { '{"title":"pwned by form","x":"': '"}' }, "text/plain"],
    [`${conv}/messages`, { '{"content":"pwned by form","x":"': '"}' }, "text/plain"],
    [`${t.node}/api/chat`, { [JSON.stringify(chat).slice(0, -1) + ',"x":"']: '"}' }, "text/plain"],
    [`${t.node}/v1/chat/completions`, {
      [JSON.stringify(chat).slice(0, -1) + ',"x":"']: '"}',
    }, "text/plain"],
    [`${t.node}/api/token/rotate`, { go: "1" }, "application/x-www-form-urlencoded"],
    [
      `${t.node}/api/peers/${t.pendingId}/approve`,
      { go: "1" },
      "application/x-www-form-urlencoded",
    ],
  ];
  formTargets.forEach(([action, fields, enctype], i) => {
    const frame = document.createElement("iframe");
    frame.name = `sink${i}`;
    document.body.append(frame);
    const form = document.createElement("form");
    form.method = "POST";
    form.action = action;
    form.enctype = enctype;
    form.target = frame.name;
    for (const [name, value] of Object.entries(fields)) {
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = value;
      form.append(input);
    }
    document.body.append(form);
    sends.push(
      new Promise<string>((resolve) => {
        frame.addEventListener("load", () => resolve(log(`form ${enctype} → ${action}: sent`)), {
          once: true,
        });
        form.submit();
      }),
    );
  });
  // A sandboxed frame (Origin: null) posting a form and a no-cors fetch.
  const sandboxed = document.createElement("iframe");
  sandboxed.setAttribute("sandbox", "allow-scripts allow-forms");
  sandboxed.srcdoc =
    `<form method="POST" action="${t.node}/api/conversations" enctype="text/plain">` +
    `<input type="hidden" name='{"title":"pwned from null","x":"' value='"}'></form><script>` +
    `fetch(${JSON.stringify(`${t.node}/api/chat`)}, {method: "POST", mode: "no-cors", ` +
    `body: ${JSON.stringify(JSON.stringify(chat))}}).finally(() => document.forms[0].submit());` +
    `</script>`;
  document.body.append(sandboxed);
  sends.push(
    new Promise((resolve) => setTimeout(() => resolve(log("sandboxed frame: sent")), 1500)),
  );
  return Promise.all(sends);
}

/** What a browser on `origin` gets back from the node, seen by playwright (status or failure). */
function watchNodeTraffic(page: Page): { seen: string[] } {
  const seen: string[] = [];
  page.on("response", (res) => {
    if (res.url().startsWith(NODE)) {
      seen.push(`${res.status()} ${res.request().method()} ${res.url()}`);
    }
  });
  page.on("requestfailed", (req) => {
    if (req.url().startsWith(NODE)) {
      seen.push(`failed ${req.method()} ${req.url()} ${req.failure()?.errorText}`);
    }
  });
  return { seen };
}

async function hostilePage(
  browser: Browser,
  origin: string,
  targets: Targets,
  shot?: string,
): Promise<string[]> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const traffic = watchNodeTraffic(page);
  await page.goto(`${origin}/`);
  const observed = await page.evaluate(attack, targets);
  await new Promise((resolve) => setTimeout(resolve, 500)); // late response events
  if (shot) console.log(`screenshot: ${await screenshot(page, shot)}`);
  await page.close();
  console.log(
    `${origin} saw:\n  ${observed.join("\n  ")}\nnode answered it:\n  ${traffic.seen.join("\n  ")}`,
  );
  return traffic.seen;
}

Deno.test({
  name: "web pages on other origins cannot use the node; its own page and an allowed origin can",
  ...requires(unavailable),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    assertCapability(unavailable);
    await withLab(2, async (lab) => {
      const [one, two] = lab.hosts;
      const doubleSocket = `${lab.dir}/ollama.sock`;
      await one.startOllama(["--models", MODEL, "--control-socket", doubleSocket]);
      await one.node.start({ args: ["--trust-mode", "approve", "--allow-origin", ALLOWED] });
      await two.node.start();
      await one.spawn(
        [DENO, "run", "--allow-net", PAGES, "127.0.0.2:8000", "127.0.0.3:8000"],
        /listening/,
      );
      await two.spawn([DENO, "run", "--allow-net", PAGES, "10.99.0.2:8000"], /listening/);
      const pendingId = (await two.node.status()).node.id;
      await waitFor("node2 waiting for approval on node1", async () => {
        const trust = await api<{ nodes: { nodeId: string; status: string }[] }>(
          one.node,
          "/api/trust",
        );
        return trust.nodes.some((n) => n.nodeId === pendingId && n.status === "pending");
      }, 20_000);
      await waitFor("node1's model", async () => {
        const models = await api<{ models: unknown[] }>(one.node, "/api/mesh/models");
        return models.models.length > 0;
      }, 10_000);

      // A conversation of the user's, which the pages try to change and delete.
      const created = await fetch(`${one.node.url}/api/conversations`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ title: "mine" }),
      });
      const conversationId = (await created.json() as Conversation).id;
      const before = {
        conversations: await localConversations(one.node),
        settings: await api<{ name: string }>(one.node, "/api/settings"),
        llmCalls: await llmCalls(doubleSocket),
        pairing: await api<{ entries: unknown[] }>(one.node, "/api/pairing"),
        tokenFile: await Deno.stat(`${one.node.dataDir}/api_token.json`).then(
          () => true,
          () => false,
        ),
      };
      const targets = { node: NODE, model: MODEL, conversationId, pendingId };

      const browser = await launchBrowserIn(one);
      try {
        const seen = [
          ...await hostilePage(browser, HOSTILE_LOOPBACK, targets, "origin-hostile"),
          ...await hostilePage(browser, HOSTILE_LAN, targets),
        ];
        // Every request that reached the node was refused (403; no-cors answers included), and
        // the attempts did reach it: the browser let them through, the node said no.
        const answered = seen.filter((line) => !line.startsWith("failed"));
        assert.ok(answered.length >= 2 * 14, `too few answers seen:\n${seen.join("\n")}`);
        for (const line of answered) assert.match(line, /^403 /, line);

        // Nothing took effect, checked through the API.
        const after = await localConversations(one.node);
        assert.deepEqual(after, before.conversations, "conversations changed");
        assert.deepEqual(await api(one.node, "/api/settings"), before.settings);
        assert.deepEqual(
          (await api<{ entries: unknown[] }>(one.node, "/api/pairing")).entries,
          before.pairing.entries,
          "a pairing link was made",
        );
        assert.equal(await llmCalls(doubleSocket), before.llmCalls, "the LLM was called");
        const trust = await api<{ nodes: { nodeId: string; status: string }[] }>(
          one.node,
          "/api/trust",
        );
        assert.equal(trust.nodes.find((n) => n.nodeId === pendingId)?.status, "pending");
        assert.equal(
          await Deno.stat(`${one.node.dataDir}/api_token.json`).then(() => true, () => false),
          before.tokenFile,
          "the API token was rotated",
        );
        const log = await Deno.readTextFile(one.node.logPath);
        for (const origin of [HOSTILE_LOOPBACK, HOSTILE_LAN]) {
          assert.match(
            log,
            new RegExp(`web page refused .*POST /api/chat: the web page at ${origin}`),
          );
        }
        assert.match(log, /web page refused .*Origin null/);

        // The node's own page still works: a question gets its answer, a device gets approved.
        const own = await browser.newPage({ viewport: { width: 1280, height: 820 } });
        await own.goto(`${NODE}/`);
        const input = own.getByTestId("composer-input");
        await input.fill("hello from the own page");
        await input.press("Enter");
        const expected = expectedAnswer(MODEL, [{
          role: "user",
          content: "hello from the own page",
        }]);
        await own.locator(".message.response .md").first().waitFor({ timeout: 20_000 });
        await own.waitForFunction(
          (text) => document.querySelector(".message.response .md")?.textContent?.includes(text),
          expected.trim().split(" ").at(-1)!,
          { timeout: 20_000 },
        );
        console.log(`screenshot: ${await screenshot(own, "origin-own-page")}`);
        const approved = await own.evaluate(async (id) => {
          const res = await fetch(`/api/peers/${id}/approve`, { method: "POST" });
          return res.status;
        }, pendingId);
        assert.equal(approved, 200);
        const trusted = await api<{ nodes: { nodeId: string; status: string }[] }>(
          one.node,
          "/api/trust",
        );
        assert.equal(trusted.nodes.find((n) => n.nodeId === pendingId)?.status, "trusted");
        assert.ok(
          (await localConversations(one.node)).some((c) =>
            c.messages.some((m) => m.content === "hello from the own page")
          ),
        );
        await own.close();

        // The allowed origin reads answers through CORS.
        const app = await browser.newPage({ viewport: { width: 1280, height: 600 } });
        await app.goto(`${ALLOWED}/`);
        const result = await app.evaluate(async ({ node, model }) => {
          const chat = await fetch(`${node}/api/chat`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({
              model,
              messages: [{ role: "user", content: "hi" }],
              stream: false,
            }),
          });
          const answer = await chat.json();
          const created = await fetch(`${node}/api/conversations`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ title: "from the allowed app" }),
          });
          const line = `POST /api/chat → ${chat.status}, answer "${answer.message?.content}", ` +
            `host ${
              chat.headers.get("x-neuromesh-host")
            }; POST /api/conversations → ${created.status}`;
          const item = document.createElement("li");
          item.textContent = line;
          document.getElementById("log")!.append(item);
          return {
            status: chat.status,
            content: answer.message?.content as string,
            host: chat.headers.get("x-neuromesh-host"),
            created: created.status,
            id: (await created.json()).id as string,
          };
        }, { node: NODE, model: MODEL });
        console.log(`screenshot: ${await screenshot(app, "origin-allowed")}`);
        assert.equal(result.status, 200);
        assert.equal(result.content, expectedAnswer(MODEL, [{ role: "user", content: "hi" }]));
        assert.equal(result.host, (await one.node.status()).node.id);
        assert.equal(result.created, 201);
        const mine = await api<Conversation>(
          one.node,
          `/api/conversations/${encodeURIComponent(result.id)}`,
        );
        assert.equal(mine.title, "from the allowed app");
        await app.close();
      } finally {
        await browser.close().catch(() => {});
      }
    });
  },
});
