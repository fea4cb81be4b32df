import { launchdPlist } from "./launchd_plist.ts";
import { LAUNCHD_LABEL, type ServiceSpec, SYSTEMD_UNIT, WINDOWS_TASK } from "./spec.ts";
import { systemdUnit } from "./systemd_unit.ts";
import { windowsTaskCommand } from "./windows_task.ts";

export const SERVICE_ACTIONS = ["install", "uninstall", "status"] as const;
export type ServiceAction = typeof SERVICE_ACTIONS[number];

/** Where per-user service files go on this machine. */
export interface ServiceHost {
  os: typeof Deno.build.os;
  home: string;
  /** `$XDG_CONFIG_HOME` when set (Linux). */
  configHome?: string;
  /** Login name, for the `loginctl enable-linger` hint (Linux). */
  user?: string;
}

/**
 * One step of a plan. `allowFailure` marks clean-up that may find nothing to clean;
 * `report` marks a query whose output is the answer and whose exit code is the result.
 */
export type ServiceStep =
  | { kind: "mkdir"; path: string }
  | { kind: "write"; path: string; content: string }
  | { kind: "remove"; path: string }
  | { kind: "run"; argv: string[]; allowFailure?: boolean; report?: boolean };

export interface ServicePlan {
  steps: ServiceStep[];
  /** Lines printed after the steps: where logs go, how to keep it running. */
  notes: string[];
}

export function serviceFilePath(host: ServiceHost): string | null {
  if (host.os === "darwin") return `${host.home}/Library/LaunchAgents/${LAUNCHD_LABEL}.plist`;
  if (host.os === "windows") return null;
  return `${host.configHome ?? `${host.home}/.config`}/systemd/user/${SYSTEMD_UNIT}`;
}

/** The files and commands that install, remove or query the per-user service; pure. */
export function planService(
  action: ServiceAction,
  host: ServiceHost,
  spec: ServiceSpec,
): ServicePlan {
  if (host.os === "darwin") return planLaunchd(action, serviceFilePath(host)!, spec);
  if (host.os === "windows") return planSchtasks(action, spec);
  return planSystemd(action, host, serviceFilePath(host)!, spec);
}

const run = (argv: string[], flags: { allowFailure?: boolean } = {}): ServiceStep => ({
  kind: "run",
  argv,
  ...flags,
});
/** A plan that only asks the service manager and shows its answer. */
const query = (argv: string[]): ServicePlan => ({
  steps: [{ kind: "run", argv, report: true }],
  notes: [],
});

function planSystemd(
  action: ServiceAction,
  host: ServiceHost,
  path: string,
  spec: ServiceSpec,
): ServicePlan {
  const systemctl = (...args: string[]) => ["systemctl", "--user", ...args];
  // User names need no quoting; the $USER fallback is for the user's shell to expand.
  const linger = `loginctl enable-linger ${host.user ?? "$USER"}`;
  switch (action) {
    case "install":
      return {
        steps: [
          { kind: "mkdir", path: spec.dataDir },
          { kind: "write", path, content: systemdUnit(spec) },
          run(systemctl("daemon-reload")),
          run(systemctl("enable", "--now", SYSTEMD_UNIT)),
          // A reinstall changes the command line; restart so the running node picks it up.
          run(systemctl("restart", SYSTEMD_UNIT)),
        ],
        notes: [
          `Logs: ${spec.logPath}`,
          `It starts when you log in. To start it at boot without a login, run: ${linger}`,
        ],
      };
    case "uninstall":
      return {
        steps: [
          run(systemctl("disable", "--now", SYSTEMD_UNIT), { allowFailure: true }),
          { kind: "remove", path },
          run(systemctl("daemon-reload")),
        ],
        notes: [],
      };
    case "status":
      return query(systemctl("status", SYSTEMD_UNIT, "--no-pager"));
  }
}

function planLaunchd(action: ServiceAction, path: string, spec: ServiceSpec): ServicePlan {
  const unload = run(["launchctl", "unload", "-w", path], { allowFailure: true });
  switch (action) {
    case "install":
      return {
        steps: [
          { kind: "mkdir", path: spec.dataDir },
          { kind: "write", path, content: launchdPlist(spec) },
          unload, // a reinstall replaces the loaded agent
          run(["launchctl", "load", "-w", path]),
        ],
        notes: [`Logs: ${spec.logPath}`, "It starts when you log in."],
      };
    case "uninstall":
      return { steps: [unload, { kind: "remove", path }], notes: [] };
    case "status":
      return query(["launchctl", "list", LAUNCHD_LABEL]);
  }
}

function planSchtasks(action: ServiceAction, spec: ServiceSpec): ServicePlan {
  const schtasks = (...args: string[]) => ["schtasks", ...args, "/TN", WINDOWS_TASK];
  const end = run(schtasks("/End"), { allowFailure: true });
  switch (action) {
    case "install":
      return {
        steps: [
          { kind: "mkdir", path: spec.dataDir },
          run([...schtasks("/Create", "/F", "/SC", "ONLOGON"), "/TR", windowsTaskCommand(spec)]),
          end, // a reinstall replaces the running task
          run(schtasks("/Run")),
        ],
        notes: [
          `Logs: ${spec.logPath}`,
          "It starts when you log in. If schtasks says access is denied, run this from an administrator prompt.",
        ],
      };
    case "uninstall":
      return { steps: [end, run([...schtasks("/Delete"), "/F"])], notes: [] };
    case "status":
      return query([...schtasks("/Query"), "/V", "/FO", "LIST"]);
  }
}
