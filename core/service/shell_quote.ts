/** Renders an argv as one line a user could paste into their shell (for dry runs and hints). */
export function formatCommand(argv: readonly string[], os: typeof Deno.build.os): string {
  return argv.map(os === "windows" ? quoteWindowsArg : quotePosixArg).join(" ");
}

/** POSIX sh quoting: bare when safe, otherwise single quotes with `'` written as `'\''`. */
export function quotePosixArg(arg: string): string {
  if (/^[\w@%+=:,.\/-]+$/.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/**
 * Windows command-line quoting (the rules CommandLineToArgvW parses): quotes around args with
 * spaces or quotes, `"` escaped as `\"`, and backslashes doubled only where they precede a quote.
 */
export function quoteWindowsArg(arg: string): string {
  if (arg !== "" && !/[\s"]/.test(arg)) return arg;
  const escaped = arg
    .replace(/(\\*)"/g, (_, slashes: string) => `${slashes}${slashes}\\"`)
    .replace(/(\\+)$/, "$1$1");
  return `"${escaped}"`;
}
