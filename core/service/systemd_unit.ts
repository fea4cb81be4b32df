import { type ServiceSpec } from "./spec.ts";

/**
 * Quotes one ExecStart word: systemd splits on whitespace and reads C escapes inside quotes,
 * and expands `%` specifiers and `$` variables everywhere, so those are doubled.
 */
export function systemdQuote(arg: string): string {
  const quoted = /^[\w@+=:,.\/-]+$/.test(arg)
    ? arg
    : `"${arg.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n")}"`;
  return quoted.replaceAll("%", "%%").replaceAll("$", "$$$$");
}

/** A systemd user unit that starts the node at login and restarts it when it fails. */
export function systemdUnit(spec: ServiceSpec): string {
  const log = spec.logPath.replaceAll("%", "%%");
  return [
    "# Written by `neuromesh service install`; remove it with `neuromesh service uninstall`.",
    "[Unit]",
    "Description=NeuroMesh: share local LLMs across the devices of your network",
    "",
    "[Service]",
    "Type=simple",
    `ExecStart=${spec.argv.map(systemdQuote).join(" ")}`,
    "Restart=on-failure",
    "RestartSec=5",
    `StandardOutput=append:${log}`,
    `StandardError=append:${log}`,
    "",
    "[Install]",
    "WantedBy=default.target",
    "",
  ].join("\n");
}
