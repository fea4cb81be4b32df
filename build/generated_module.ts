/**
 * Writes a generated module of assets/, or with `--check` only says whether the committed one
 * is current (exit code 1 when not): the shared tail of the build scripts.
 */
export async function writeOrCheck(
  module: URL,
  wanted: string,
  { check, rebuild }: { check: boolean; rebuild: string },
): Promise<void> {
  const name = module.pathname.slice(module.pathname.lastIndexOf("/assets/") + 1);
  let current = "";
  try {
    current = await Deno.readTextFile(module);
  } catch { /* not built yet */ }
  if (check) {
    if (current !== wanted) {
      console.error(`${name} is out of date; run: ${rebuild}`);
      Deno.exitCode = 1;
    } else console.log(`${name} is up to date`);
    return;
  }
  await Deno.writeTextFile(module, wanted);
  console.log(`${name} ${(wanted.length / 1024).toFixed(1)} KiB`);
}
