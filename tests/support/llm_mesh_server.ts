/**
 * Test fixture (imported by tests only): a TestMesh whose node `serving` answers the mesh API
 * (`llmRoutes`, as a running node does) on a loopback port, for the real npm clients to call.
 */
import { llmRoutes } from "../../core/http/llm_routes.ts";
import { type NodeSpec, TestMesh } from "./llm_mesh.ts";

export interface ServedMesh extends AsyncDisposable {
  fixture: TestMesh;
  /** The serving node's API, e.g. `http://127.0.0.1:41234`. */
  url: string;
}

/** Builds the mesh of `specs` and serves node `serving`'s API; dispose to stop both. */
export async function serveMesh(specs: NodeSpec[], serving = "client"): Promise<ServedMesh> {
  const fixture = await TestMesh.create(specs);
  const node = fixture.node(serving);
  const routes = llmRoutes({
    llm: node.llm,
    views: node.llm.views,
    nodeId: serving,
    settings: () => ({ name: node.settings.name }),
  });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, routes.fetch);
  return {
    fixture,
    url: `http://127.0.0.1:${server.addr.port}`,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
      await fixture.close();
    },
  };
}
