/**
 * The page on a phone: a node in a network namespace listening beyond loopback
 * (`--http-host 0.0.0.0`), its owner's browser in the root namespace (through the node's unix
 * socket forwarder, as on the machine itself) and a "phone" — Chromium inside another namespace
 * of the same LAN, 390 px wide. Checks the installable page (manifest, icons, service worker,
 * the saved shell when offline) and pairing with the QR code's one-time link. Screenshots:
 * `phone-*`.
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
import { launchBrowser, launchBrowserIn, noSidewaysScroll, screenshot } from "./harness.ts";

const unavailable = netnsUnavailableReason() ?? browserUnavailableReason();
const PHONE = { width: 390, height: 844 };

/** GET /api/status from inside the page (with its cookie, from its network namespace). */
function statusFrom(page: Page): Promise<number> {
  return page.evaluate(() => fetch("/api/status").then((res) => res.status));
}

async function openSettings(page: Page) {
  await page.getByRole("button", { name: "Settings" }).click();
  await page.getByRole("heading", { name: "Use from your phone" }).waitFor();
}

Deno.test({
  name: "phone: installable page with an offline shell; a QR pairing link lets a phone in once",
  ...requires(unavailable),
  sanitizeResources: false, // lab processes, forwarders and playwright's pipes to Chromium
  sanitizeOps: false,
  async fn(t) {
    assertCapability(unavailable);
    await withLab(3, async (lab) => {
      const browsers: Browser[] = [];
      const pageErrors: string[] = [];
      try {
        const [desk, phoneHost, other] = lab.hosts;
        await desk.node.start({ args: ["--http-host", "0.0.0.0"] });
        await other.node.start(); // the default: the page on 127.0.0.1 only
        const lanUrl = `http://${desk.address}:8080`;

        const owner = await launchBrowser();
        browsers.push(owner);
        const ownerContext = await owner.newContext({ viewport: { width: 1180, height: 860 } });
        const page = await ownerContext.newPage();
        page.on("pageerror", (error) => pageErrors.push(error.message));
        await page.goto(`${desk.node.url}/`);
        await page.getByRole("textbox", { name: "Message" }).waitFor();

        await t.step("the manifest, its icons and the service worker register", async () => {
          const href = await page.locator('link[rel="manifest"]').getAttribute("href");
          assert.equal(href, "/manifest.webmanifest");
          const manifest = await page.request.get(`${desk.node.url}${href}`);
          assert.equal(manifest.headers()["content-type"], "application/manifest+json");
          const body = await manifest.json();
          assert.equal(body.display, "standalone");
          for (const icon of body.icons) {
            const res = await page.request.get(`${desk.node.url}${icon.src}`);
            assert.equal(res.status(), 200, icon.src);
            assert.equal(res.headers()["content-type"], icon.type, icon.src);
          }
          const script = await page.evaluate(async () =>
            (await navigator.serviceWorker.ready).active?.scriptURL ?? null
          );
          assert.equal(script, `${desk.node.url}/sw.js`);
          const cached = await page.evaluate(async () => {
            const cache = await caches.open((await caches.keys())[0]);
            return (await cache.keys()).map((r) => new URL(r.url).pathname);
          });
          for (const path of ["/", "/assets/app.js", "/assets/app.css"]) {
            assert.ok(cached.includes(path), `${path} is kept for offline use: ${cached}`);
          }
        });

        await t.step("offline, the saved page opens and says the node is unreachable", async () => {
          await ownerContext.setOffline(true);
          await page.reload();
          await page.getByRole("textbox", { name: "Message" }).waitFor();
          const banner = page.getByRole("status").filter({
            hasText: /unreachable|offline|Connecting/,
          });
          await banner.waitFor({ timeout: 10_000 });
          await page.getByRole("status").filter({ hasText: /unreachable|offline/ }).waitFor({
            timeout: 10_000,
          });
          await screenshot(page, "phone-offline-shell");
          await ownerContext.setOffline(false);
          await banner.waitFor({ state: "detached", timeout: 15_000 });
        });

        let link = "";
        await t.step(
          "Settings shows a QR code with a one-time link to the LAN address",
          async () => {
            await openSettings(page);
            await page.getByRole("button", { name: "Show a pairing QR code" }).click();
            const qr = page.getByRole("img", { name: "QR code of the pairing link" });
            await qr.waitFor();
            link = await page.getByLabel("Pairing link", { exact: true }).innerText();
            assert.match(link, new RegExp(`^${lanUrl.replaceAll(".", "\\.")}/pair/[\\w-]{43}$`));
            assert.match(
              await page.getByRole("region", { name: "Use from your phone" }).innerText(),
              new RegExp(lanUrl.replaceAll(".", "\\.")),
            );
            await page.getByRole("region", { name: "Use from your phone" })
              .scrollIntoViewIfNeeded();
            await screenshot(page, "phone-pairing-qr");
          },
        );

        const phone = await launchBrowserIn(phoneHost);
        browsers.push(phone);
        await t.step("the phone is refused without pairing, and let in by the link", async () => {
          const context = await phone.newContext({ viewport: PHONE, isMobile: true });
          const phonePage = await context.newPage();
          phonePage.on("pageerror", (error) => pageErrors.push(`phone: ${error.message}`));
          const refused = await phonePage.goto(`${lanUrl}/`);
          assert.equal(refused?.status(), 401, "no token, no page");

          await phonePage.goto(link);
          assert.equal(new URL(phonePage.url()).pathname, "/", "redirected to the page");
          await phonePage.getByRole("textbox", { name: "Message" }).waitFor();
          assert.equal(await statusFrom(phonePage), 200, "the phone's cookie opens the API");
          assert.ok(await noSidewaysScroll(phonePage), "chat fits 390 px");
          await screenshot(phonePage, "phone-paired-chat");
          await phonePage.getByRole("button", { name: /Open the conversation list/ }).click();
          await openSettings(phonePage);
          await phonePage.getByText("This device is paired with this node").waitFor();
          assert.equal(
            await phonePage.getByRole("button", { name: /pairing QR/ }).count(),
            0,
            "a paired phone cannot pair others",
          );
          assert.ok(await noSidewaysScroll(phonePage), "settings fit 390 px");
          await phonePage.getByRole("region", { name: "Use from your phone" })
            .scrollIntoViewIfNeeded();
          await screenshot(phonePage, "phone-settings");

          // The owner's page sees the phone paired.
          await page.getByRole("status").filter({ hasText: /is paired/ }).waitFor({
            timeout: 10_000,
          });
          assert.equal(await page.getByRole("img", { name: /QR code/ }).count(), 0);

          // The same link in another browser profile: spent.
          const second = await phone.newContext({ viewport: PHONE });
          const again = await (await second.newPage()).goto(link);
          assert.equal(again?.status(), 410, "the link works once");
          await second.close();

          await page.getByRole("button", { name: /^Revoke / }).click();
          await waitFor(
            "the revoked phone refused",
            async () => (await statusFrom(phonePage)) === 401,
            5_000,
            100,
          );
          await screenshot(page, "phone-revoked");
          await context.close();
        });

        await t.step("a node on loopback only says how to reach it from a phone", async () => {
          const otherPage = await ownerContext.newPage();
          await otherPage.goto(`${other.node.url}/settings`);
          const region = otherPage.getByRole("region", { name: "Use from your phone" });
          await region.getByText(/cannot reach it/).waitFor({ timeout: 10_000 });
          assert.match(await region.innerText(), /--http-host 0\.0\.0\.0/);
          assert.equal(await otherPage.getByRole("button", { name: /pairing QR/ }).count(), 0);
          await otherPage.close();
        });

        assert.deepEqual(pageErrors, [], "no uncaught errors in the pages");
      } finally {
        for (const browser of browsers) await browser.close().catch(() => {});
      }
    });
  },
});
