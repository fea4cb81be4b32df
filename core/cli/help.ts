import { HELP_SETTINGS } from "../config/help_settings.ts";
import { APP_VERSION } from "../version.ts";

export function helpText(): string {
  const width = Math.max(...HELP_SETTINGS.map(([flag]) => flag.length)) + 2;
  return [
    `NeuroMesh ${APP_VERSION} — share local LLMs across the devices of your network`,
    "",
    "Usage:",
    "  neuromesh [options]                 start this node (page at http://localhost:8080)",
    "  neuromesh ls                        models of the mesh, with their hosts and load",
    "  neuromesh ps                        what is loaded and generating where",
    "  neuromesh status                    this node, its peers, links and trust",
    "  neuromesh run MODEL [PROMPT]        stream an answer; without PROMPT, chat until end of input",
    "                                      (these four talk to the running node: --host URL,",
    "                                      default http://127.0.0.1:8080, and --http-token)",
    "  neuromesh export DIR                write conversations in the original NeuroMesh file layout",
    "  neuromesh import DIR                read them back (idempotent)",
    "  neuromesh service install|uninstall|status [--dry-run]",
    "  neuromesh firewall [--apply]        print (or apply) rules for 5000/udp and 7878/tcp",
    "",
    "Options (also NEUROMESH_<OPTION> environment variables, or keys of a --config JSON file):",
    ...HELP_SETTINGS.map(([flag, help]) => `  ${flag.padEnd(width)}${help}`),
    `  ${"-h, --help".padEnd(width)}show this help`,
    `  ${"-V, --version".padEnd(width)}show the version`,
  ].join("\n");
}
