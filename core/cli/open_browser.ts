/** What decides whether starting the node should open the page in a browser. */
export interface LaunchContext {
  os: typeof Deno.build.os;
  /** False when started from a file manager (double-click), a service or a pipe. */
  stdinIsTerminal: boolean;
  env: (name: string) => string | undefined;
  /** The `open` setting (`--no-open` makes it false). */
  open: boolean;
}

/**
 * Opens the browser only for a double-click start: no terminal on stdin and a desktop to show a
 * browser on (an X11 or Wayland session on Linux; macOS and Windows always have one).
 */
export function shouldOpenBrowser(context: LaunchContext): boolean {
  if (!context.open || context.stdinIsTerminal) return false;
  if (context.os === "darwin" || context.os === "windows") return true;
  return Boolean(context.env("DISPLAY") || context.env("WAYLAND_DISPLAY"));
}

/** The command that shows a URL in the default browser. */
export function browserCommand(os: typeof Deno.build.os, url: string): string[] {
  if (os === "darwin") return ["open", url];
  // `start` takes its first quoted argument as a window title, hence the empty one.
  if (os === "windows") return ["cmd", "/c", "start", "", url];
  return ["xdg-open", url];
}

/** Starts a program and lets it run on its own; false when it cannot be started. */
export type Spawn = (argv: string[]) => boolean;

export const spawnDetached: Spawn = ([program, ...args]) => {
  try {
    const child = new Deno.Command(program, { args, stdin: "null", stdout: "null", stderr: "null" })
      .spawn();
    child.unref();
    return true;
  } catch {
    return false;
  }
};

/** Opens `url` when this start was a double-click; returns whether a browser was launched. */
export function openBrowserIfDoubleClicked(
  url: string,
  open: boolean,
  spawn: Spawn = spawnDetached,
  context: Omit<LaunchContext, "open"> = {
    os: Deno.build.os,
    stdinIsTerminal: Deno.stdin.isTerminal(),
    env: (name) => Deno.env.get(name),
  },
): boolean {
  if (!shouldOpenBrowser({ ...context, open })) return false;
  return spawn(browserCommand(context.os, url));
}
