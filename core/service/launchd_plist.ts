import { LAUNCHD_LABEL, type ServiceSpec } from "./spec.ts";

export function xmlEscape(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&apos;");
}

/** A launchd agent that starts the node at login and restarts it when it exits with an error. */
export function launchdPlist(spec: ServiceSpec): string {
  const string = (text: string) => `<string>${xmlEscape(text)}</string>`;
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">`,
    `<plist version="1.0">`,
    `<dict>`,
    `  <key>Label</key>`,
    `  ${string(LAUNCHD_LABEL)}`,
    `  <key>ProgramArguments</key>`,
    `  <array>`,
    ...spec.argv.map((arg) => `    ${string(arg)}`),
    `  </array>`,
    `  <key>RunAtLoad</key>`,
    `  <true/>`,
    `  <key>KeepAlive</key>`,
    `  <dict>`,
    `    <key>SuccessfulExit</key>`,
    `    <false/>`,
    `  </dict>`,
    `  <key>StandardOutPath</key>`,
    `  ${string(spec.logPath)}`,
    `  <key>StandardErrorPath</key>`,
    `  ${string(spec.logPath)}`,
    `</dict>`,
    `</plist>`,
    "",
  ].join("\n");
}
