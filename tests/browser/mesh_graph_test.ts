/**
 * The mesh picture and approvals on a real mesh: three NeuroMesh processes in network
 * namespaces (tests/e2e/lab.ts), Chromium in the root namespace opening node A's page through
 * its loopback forwarder. A asks for approval (`--trust-mode approve`); B hosts the Ollama double;
 * C is SIGKILLed while the picture is open. Screenshots: `graph-*`.
 */
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import {
  assertCapability,
  browserUnavailableReason,
  netnsUnavailableReason,
  requires,
} from "../support/ci.ts";
import { waitFor, withLab } from "../e2e/lab.ts";
import { launchBrowser, noSidewaysScroll, screenshot } from "./harness.ts";

const unavailable = netnsUnavailableReason() ?? browserUnavailableReason();
const MODEL = "bravo-only:2b";
/** A dead node must look dead in the picture within the mesh's own promise (10 s). */
const GREYED_WITHIN_MS = 10_000;

/** The picture's node for `name` (its accessible name starts with "name: state"). */
function graphNode(page: Page, name: string) {
  return page.getByRole("group", { name: "Picture of the mesh" })
    .getByRole("img", { name: new RegExp(`^${name}: `) });
}

async function graphState(page: Page, name: string): Promise<string | null> {
  const node = graphNode(page, name);
  return (await node.count()) === 1 ? await node.getAttribute("data-state") : null;
}

Deno.test({
  name: "mesh picture: approvals badge, hosts and latency, serving host, Block asks, " +
    "Unblock restores, a killed node greys",
  ...requires(unavailable),
  sanitizeResources: false, // lab processes, forwarders and playwright's pipe to Chromium
  sanitizeOps: false,
  async fn(t) {
    assertCapability(unavailable);
    await withLab(3, async (lab) => {
      let browser: Browser | undefined;
      const pageErrors: string[] = [];
      try {
        const [a, b, c] = lab.hosts;
        await b.startOllama(["--models", MODEL, "--tokens", "60", "--token-latency-ms", "100"]);
        await a.node.start({ args: ["--trust-mode", "approve"] });
        await b.node.start();
        await c.node.start();

        browser = await launchBrowser();
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        page.on("pageerror", (error) => pageErrors.push(error.message));
        await page.goto(`${a.node.url}/`);
        await page.getByRole("textbox", { name: /message/i }).waitFor();

        await t.step("devices waiting for approval show outside the Mesh view", async () => {
          const banner = page.getByRole("button", { name: /want to join · Review/ });
          await banner.waitFor({ timeout: 15_000 });
          const count = page.getByTestId("approval-count");
          assert.match(await count.innerText(), /^2/);
          assert.match(
            (await page.getByTestId("nav-peers").textContent()) ?? "",
            /2 devices waiting/,
          );
          await screenshot(page, "graph-approvals-badge");
          await banner.click();
          await page.getByRole("region", { name: "Mesh" }).waitFor();
          for (const host of [b, c]) {
            await page.getByTestId("pending-card").filter({ hasText: host.name })
              .getByRole("button", { name: "Approve" }).click();
          }
          await count.waitFor({ state: "detached", timeout: 5_000 });
        });

        await t.step(
          "the picture: this node in the middle, hosts with models, latency",
          async () => {
            // Online first; the link's round trip is measured by its first heartbeats.
            await waitFor(
              "B and C online in the picture, with B's latency",
              async () =>
                (await graphState(page, c.name)) === "up" &&
                /\d+ ms away/.test(
                  await graphNode(page, b.name).getAttribute("aria-label") ?? "",
                ),
              15_000,
              100,
            );
            const self = graphNode(page, a.name);
            assert.equal(await self.getAttribute("data-state"), "self");
            const label = (await graphNode(page, b.name).getAttribute("aria-label")) ?? "";
            assert.match(label, new RegExp(`runs ${MODEL}`), label);
            assert.match(label, /\d+ ms away/, label);
            assert.match(
              (await graphNode(page, c.name).getAttribute("aria-label")) ?? "",
              /runs no models/,
            );
            const box = await page.getByTestId("mesh-graph").locator("svg").boundingBox();
            const selfBox = await self.locator(".disc").boundingBox();
            assert.ok(box && selfBox, "the picture is drawn");
            const middle = selfBox.x + selfBox.width / 2 - (box.x + box.width / 2);
            assert.ok(Math.abs(middle) < 2, `this node is centred (off by ${middle}px)`);
            assert.match(
              await page.getByTestId("mesh-graph").locator(".graph-edge text").first()
                .textContent() ??
                "",
              /^\d+ ms$/,
            );
            await screenshot(page, "graph-mesh");
          },
        );

        await t.step("the host writing an answer glows while it writes", async () => {
          const answer = fetch(`${a.node.url}/api/chat`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({
              model: MODEL,
              messages: [{ role: "user", content: "Glow while you write" }],
              stream: true,
            }),
          }).then((res) => res.text());
          const glowMs = await waitFor(
            "B marked as writing an answer",
            async () =>
              /writing an answer/.test(
                (await graphNode(page, b.name).getAttribute("aria-label")) ?? "",
              ),
            5_000,
            50,
          );
          console.log(`B shown writing ${glowMs.toFixed(0)} ms after the request was sent`);
          assert.equal(await graphNode(page, b.name).locator(".serving-halo").count(), 1);
          assert.equal(await graphNode(page, b.name).locator(".load-arc").count(), 1, "load ring");
          await screenshot(page, "graph-serving");
          await answer;
          await waitFor(
            "B's glow gone after the answer",
            async () =>
              !/writing an answer/.test(
                (await graphNode(page, b.name).getAttribute("aria-label")) ?? "",
              ),
            5_000,
            50,
          );
        });

        await t.step("Block asks first; Unblock gives B its trust back", async () => {
          const card = page.getByRole("article", { name: b.name });
          await card.getByRole("button", { name: "Block" }).click();
          const confirm = card.getByRole("group", { name: `Block ${b.name}?` });
          await confirm.waitFor();
          await screenshot(page, "graph-block-confirm");
          await confirm.getByRole("button", { name: "Cancel" }).click();
          await confirm.waitFor({ state: "detached" });
          assert.equal(await graphState(page, b.name), "up", "Cancel changed nothing");

          await card.getByRole("button", { name: "Block" }).click();
          await confirm.getByRole("button", { name: "Yes, block" }).click();
          await card.getByRole("button", { name: "Unblock" }).waitFor({ timeout: 5_000 });
          await card.getByText("Unblock trusts it again").waitFor({ timeout: 5_000 });
          await waitFor("B cut off", async () => (await graphState(page, b.name)) !== "up", 10_000);

          await card.getByRole("button", { name: "Unblock" }).click();
          const backMs = await waitFor(
            "B online again after Unblock",
            async () => (await graphState(page, b.name)) === "up",
            15_000,
            100,
          );
          console.log(`B linked again ${backMs.toFixed(0)} ms after Unblock`);
          assert.equal(await page.getByTestId("pending-card").count(), 0, "no Add device? again");
          const trust = await (await fetch(`${a.node.url}/api/trust`)).json();
          const entry = trust.nodes.find((n: { name: string }) => n.name === b.name);
          assert.equal(entry.status, "trusted");
        });

        await t.step("a SIGKILLed node greys in the picture within seconds", async () => {
          await c.node.stop("SIGKILL");
          const killedAt = performance.now();
          const dimMs = await waitFor(
            "C no longer online in the picture",
            async () => (await graphState(page, c.name)) !== "up",
            GREYED_WITHIN_MS,
            50,
          );
          const lostMs = await waitFor(
            "C offline (grey) in the picture",
            async () => (await graphState(page, c.name)) === "lost",
            GREYED_WITHIN_MS + 2_000,
            50,
          ) + dimMs;
          console.log(
            `SIGKILLed C: not online in the picture after ${dimMs.toFixed(0)} ms, ` +
              `grey after ${(performance.now() - killedAt).toFixed(0)} ms`,
          );
          assert.ok(lostMs <= GREYED_WITHIN_MS, `C greyed only after ${lostMs} ms`);
          const opacity = await graphNode(page, c.name).evaluate((el) =>
            Number(getComputedStyle(el).opacity)
          );
          assert.ok(opacity < 0.6, `a lost node is faded (opacity ${opacity})`);
          assert.equal(await graphState(page, b.name), "up");
          await screenshot(page, "graph-lost");
        });

        await t.step("the Mesh view fits a phone (390 px) without sideways scroll", async () => {
          await page.setViewportSize({ width: 390, height: 844 });
          await page.getByTestId("mesh-graph").waitFor();
          assert.ok(await noSidewaysScroll(page), "no horizontal scroll at 390 px");
          await screenshot(page, "graph-phone");
        });

        assert.deepEqual(pageErrors, [], "no uncaught errors in the page");
      } finally {
        await browser?.close().catch(() => {});
      }
    });
  },
});
