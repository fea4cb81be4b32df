/**
 * Renders the app icons of the installable page (assets/icons/icon-192.png, icon-512.png) from
 * assets/icons/icon.svg with Debian's Chromium. Run by hand when the icon changes; the PNGs are
 * committed (small), so building needs no browser.
 *
 *   deno run -A build/render_icons.ts
 */
import { chromium } from "playwright-core";

const ICONS = new URL("../assets/icons/", import.meta.url);
const SIZES = [192, 512];

if (import.meta.main) {
  const svg = await Deno.readTextFile(new URL("icon.svg", ICONS));
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu"],
  });
  try {
    for (const size of SIZES) {
      const page = await browser.newPage({ viewport: { width: size, height: size } });
      await page.setContent(
        `<style>html,body{margin:0}svg{display:block;width:${size}px;height:${size}px}</style>${svg}`,
      );
      const path = new URL(`icon-${size}.png`, ICONS).pathname;
      await page.screenshot({ path, omitBackground: true });
      console.log(`${path} ${(await Deno.stat(path)).size} bytes`);
    }
  } finally {
    await browser.close();
  }
}
