import assert from "node:assert/strict";
import { ConversationStore } from "./store.ts";

Deno.test("every acknowledged message survives SIGKILL mid-burst and the file stays sound", async () => {
  await crashMidBurst("local");
});

Deno.test("records of other nodes, committed without fsync, survive SIGKILL too", async () => {
  await crashMidBurst("mixed");
});

async function crashMidBurst(mode: "local" | "mixed") {
  const dir = await Deno.makeTempDir({ prefix: "neuromesh-crash-" });
  try {
    const script = new URL("./testdata/crash_writer.ts", import.meta.url).pathname;
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", "--allow-write", "--allow-env", script, dir, mode],
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
    const acknowledged: string[] = [];
    const decoder = new TextDecoder();
    let buffered = "";
    let killed = false;
    const deadline = Date.now() + 20_000;
    for await (const chunk of child.stdout) {
      buffered += decoder.decode(chunk, { stream: true });
      const lines = buffered.split("\n");
      buffered = lines.pop()!;
      acknowledged.push(...lines.filter(Boolean));
      if (!killed && (acknowledged.length >= 400 || Date.now() > deadline)) {
        child.kill("SIGKILL");
        killed = true;
      }
    }
    const status = await child.status;
    const stderr = decoder.decode(await new Response(child.stderr).arrayBuffer());
    assert.equal(status.signal, "SIGKILL", `writer ended on its own: ${stderr}`);
    assert.ok(acknowledged.length >= 400, `only ${acknowledged.length} acknowledged: ${stderr}`);

    const store = ConversationStore.open(dir, { nodeId: "CRASH" });
    try {
      assert.equal(store.integrityCheck(), "ok");
      const held = new Set(store.messages("burst").map((m) => m.id));
      const lost = acknowledged.filter((id) => !held.has(id));
      assert.deepEqual(lost, [], `${lost.length} acknowledged messages lost`);
      assert.ok(held.size >= acknowledged.length);
    } finally {
      store.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
