/**
 * Maths and wide tables in answers: a real node on 127.0.0.1 with the Ollama test double
 * answering MATH_ANSWER (tests/browser/harness.ts). Screenshots: `answers-*`.
 */
import assert from "node:assert/strict";
import { assertCapability, browserUnavailableReason, requires } from "../support/ci.ts";
import { MATH_MARK, noSidewaysScroll, type Rig, screenshot, startRig } from "./harness.ts";

const unavailable = browserUnavailableReason();

Deno.test({
  name: "answers: maths drawn as MathML, dollar amounts left alone, wide tables scroll on a phone",
  ...requires(unavailable),
  sanitizeResources: false, // the node process and playwright's pipe to Chromium
  sanitizeOps: false,
  async fn() {
    assertCapability(unavailable);
    let rig: Rig | undefined;
    try {
      rig = await startRig({ tokenLatencyMs: 5 });
      const page = await rig.browser.newPage({ viewport: { width: 1280, height: 820 } });
      const pageErrors: string[] = [];
      page.on("pageerror", (error) => pageErrors.push(error.message));
      await page.goto(`${rig.node.url}/`);
      const box = page.getByRole("textbox", { name: "Message" });
      await box.fill(`Show me some maths ${MATH_MARK}`);
      await box.press("Enter");
      const answer = page.locator(".message.response .md").last();
      await answer.locator("table").waitFor({ timeout: 15_000 });
      await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'));

      const maths = answer.locator("math");
      // KaTeX is loaded when an answer first holds maths: until then the TeX shows as written.
      await maths.nth(2).waitFor({ timeout: 15_000 });
      assert.equal(await maths.count(), 3, "two inline formulas and one block");
      const block = answer.locator(".math-block math");
      assert.equal(await block.getAttribute("display"), "block");
      const size = await block.boundingBox();
      assert.ok(size && size.height > 30, `the sum is drawn as a display formula: ${size?.height}`);
      assert.equal(await answer.locator("mfrac").count(), 1, "the fraction is MathML");
      const text = await answer.innerText();
      assert.doesNotMatch(text, /\$\$|\\frac|\\sum/, "no TeX source left visible");
      assert.match(text, /It costs \$5 and \$10\./, "dollar amounts stay text");
      await screenshot(page, "answers-maths");

      await page.setViewportSize({ width: 390, height: 844 });
      const table = answer.locator("table");
      const scroll = await table.evaluate((el) => ({
        scroll: el.scrollWidth,
        client: el.clientWidth,
      }));
      assert.ok(
        scroll.scroll > scroll.client,
        `the table scrolls sideways: ${JSON.stringify(scroll)}`,
      );
      // Each word of the table stays whole (a line may still break at a space or hyphen).
      const broken = await table.evaluate((el) => {
        const words = ["quantization", "parameters", "131072", "workstation", "instruct"];
        return words.filter((word) => {
          const cell = [...el.querySelectorAll("th, td")].find((c) =>
            c.textContent?.includes(word)
          );
          const node = cell?.firstChild;
          if (!node?.textContent) return true;
          const range = document.createRange();
          const start = node.textContent.indexOf(word);
          range.setStart(node, start);
          range.setEnd(node, start + word.length);
          return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size !== 1;
        });
      });
      assert.deepEqual(broken, [], "no word of the table is broken across lines");
      assert.ok(await noSidewaysScroll(page), "only the table scrolls, not the page");
      await table.evaluate((el) => (el.scrollLeft = 0));
      await answer.scrollIntoViewIfNeeded();
      await screenshot(page, "answers-phone-table");
      assert.deepEqual(pageErrors, [], "no uncaught errors in the page");
    } finally {
      await rig?.close();
    }
  },
});
