import { type ServiceSpec } from "./spec.ts";

/** schtasks refuses a /TR command line longer than this. */
export const MAX_TASK_COMMAND = 261;

/** Quotes a word for cmd.exe: inside quotes, spaces and `& | < > ^ ( )` lose their meaning. */
export function cmdQuote(arg: string): string {
  if (arg !== "" && !/[\s"&|<>^()]/.test(arg)) return arg;
  return `"${arg.replaceAll('"', '""')}"`;
}

/**
 * The /TR command of the logon task: cmd.exe runs the node with output appended to the log.
 * `cmd /c ""prog" args >> "log" 2>&1"`: cmd strips the outer quotes and keeps the inner ones.
 */
export function windowsTaskCommand(spec: ServiceSpec): string {
  const inner = `${spec.argv.map(cmdQuote).join(" ")} >> ${cmdQuote(spec.logPath)} 2>&1`;
  const command = `cmd /c "${inner}"`;
  if (command.length > MAX_TASK_COMMAND) {
    throw new RangeError(
      `Cannot create the logon task: its command is ${command.length} characters, schtasks allows ` +
        `${MAX_TASK_COMMAND} (use a shorter --data-dir or install path): ${command}`,
    );
  }
  return command;
}
