import assert from "node:assert/strict";
import {
  browserCommand,
  type LaunchContext,
  openBrowserIfDoubleClicked,
  shouldOpenBrowser,
} from "./open_browser.ts";

const env = (vars: Record<string, string>) => (name: string) => vars[name];
const doubleClick: LaunchContext = {
  os: "linux",
  stdinIsTerminal: false,
  env: env({ DISPLAY: ":0" }),
  open: true,
};

Deno.test("shouldOpenBrowser() opens for a double-click start on a Linux desktop", () => {
  assert.equal(shouldOpenBrowser(doubleClick), true);
  assert.equal(
    shouldOpenBrowser({ ...doubleClick, env: env({ WAYLAND_DISPLAY: "wayland-0" }) }),
    true,
  );
});

Deno.test("shouldOpenBrowser() stays closed in a terminal, without a desktop, or with --no-open", () => {
  assert.equal(shouldOpenBrowser({ ...doubleClick, stdinIsTerminal: true }), false);
  assert.equal(shouldOpenBrowser({ ...doubleClick, env: env({}) }), false);
  assert.equal(shouldOpenBrowser({ ...doubleClick, open: false }), false);
  assert.equal(shouldOpenBrowser({ ...doubleClick, os: "windows", stdinIsTerminal: true }), false);
});

Deno.test("shouldOpenBrowser() always has a desktop on macOS and Windows", () => {
  assert.equal(shouldOpenBrowser({ ...doubleClick, os: "darwin", env: env({}) }), true);
  assert.equal(shouldOpenBrowser({ ...doubleClick, os: "windows", env: env({}) }), true);
});

Deno.test("browserCommand() uses each OS's opener", () => {
  const url = "http://localhost:8080";
  assert.deepEqual(browserCommand("linux", url), ["xdg-open", url]);
  assert.deepEqual(browserCommand("darwin", url), ["open", url]);
  assert.deepEqual(browserCommand("windows", url), ["cmd", "/c", "start", "", url]);
});

Deno.test("openBrowserIfDoubleClicked() spawns the opener only when it should", () => {
  const spawned: string[][] = [];
  const spawn = (argv: string[]) => (spawned.push(argv), true);
  const { open: _open, ...context } = doubleClick;
  assert.equal(openBrowserIfDoubleClicked("http://localhost:1", true, spawn, context), true);
  assert.equal(openBrowserIfDoubleClicked("http://localhost:2", false, spawn, context), false);
  assert.equal(
    openBrowserIfDoubleClicked("http://localhost:3", true, spawn, {
      ...context,
      stdinIsTerminal: true,
    }),
    false,
  );
  assert.deepEqual(spawned, [["xdg-open", "http://localhost:1"]]);
});
