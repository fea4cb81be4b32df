/** What an installed service runs: a node's full command line and where it writes its log. */
export interface ServiceSpec {
  /** Program first: the executable itself, or `deno run <flags> neuromesh.js`. */
  argv: string[];
  dataDir: string;
  logPath: string;
}

/** Name of the systemd user unit (`neuromesh.service`). */
export const SYSTEMD_UNIT = "neuromesh.service";
/** Label of the launchd agent, also its plist file name. */
export const LAUNCHD_LABEL = "dev.neuromesh";
/** Name of the Windows scheduled task. */
export const WINDOWS_TASK = "NeuroMesh";
