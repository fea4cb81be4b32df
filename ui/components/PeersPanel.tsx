import type { Load, PeerState, PeerStatus } from "../api/types.ts";
import { formatAgo, formatRate, formatUptime } from "../lib/format.ts";
import { meshModels } from "../models/mesh_models.ts";
import { now } from "../models/clock.ts";
import { node, nodeReceivedAt, peers } from "../models/status.ts";
import { PanelHeader } from "./TopBar.tsx";

const STATE: Record<PeerState, { label: string; tone: "ok" | "mid" | "bad" }> = {
  up: { label: "online", tone: "ok" },
  connecting: { label: "connecting", tone: "mid" },
  backoff: { label: "retrying", tone: "mid" },
  discovered: { label: "discovered", tone: "mid" },
  lost: { label: "offline", tone: "bad" },
};

function LoadBar({ load }: { load: Load | null }) {
  if (!load) return <span class="muted">–</span>;
  const share = load.capacity > 0 ? Math.min(1, load.inFlight / load.capacity) : 0;
  return (
    <span
      class="load-bar"
      title={`${load.inFlight} answering of ${load.capacity}, ${load.queued} queued`}
    >
      <span class="load-track">
        <span class="load-fill" style={{ width: `${share * 100}%` }} />
      </span>
      <span>
        {load.inFlight}/{load.capacity}
        {load.queued > 0 ? ` +${load.queued} queued` : ""}
      </span>
    </span>
  );
}

function Models({ names }: { names: string[] }) {
  if (names.length === 0) return <span class="muted">none</span>;
  return (
    <span class="host-chips">
      {names.map((name) => <span class="chip" key={name}>{name}</span>)}
    </span>
  );
}

function SelfCard() {
  const self = node.value;
  if (!self) return <div class="card glass muted">Loading this node…</div>;
  return (
    <article class="card glass self" data-testid="self-card">
      <div class="card-head">
        <div>
          <h2>{self.name}</h2>
          <div class="muted mono">{self.shortId} · this device</div>
        </div>
        <span class="pill ok">online</span>
      </div>
      <dl class="facts">
        <dt>LLM host</dt>
        <dd>{self.hasLlm ? "yes" : "no"}</dd>
        <dt>Models</dt>
        <dd>
          <Models names={self.models} />
        </dd>
        <dt>Load</dt>
        <dd>
          <LoadBar load={self.load} />
        </dd>
        <dt>Ports</dt>
        <dd class="mono">http {self.httpPort} · peers {self.peerPort}</dd>
        <dt>Version</dt>
        <dd class="mono">{self.version}</dd>
        <dt>Uptime</dt>
        <dd>
          {formatUptime(self.uptimeSec + Math.max(0, now.value - nodeReceivedAt.value) / 1000)}
        </dd>
      </dl>
    </article>
  );
}

function PeerCard({ peer }: { peer: PeerStatus }) {
  const state = STATE[peer.state] ?? { label: peer.state, tone: "mid" as const };
  return (
    <article class={`card glass ${peer.state === "lost" ? "lost" : ""}`} data-testid="peer-card">
      <div class="card-head">
        <div>
          <h2>{peer.name}</h2>
          <div class="muted mono">
            {peer.shortId} · {peer.address}
          </div>
        </div>
        <span class={`pill ${state.tone}`}>{state.label}</span>
      </div>
      <dl class="facts">
        <dt>LLM host</dt>
        <dd>{peer.hasLlm ? "yes" : "no"}{peer.legacy ? " · legacy client" : ""}</dd>
        <dt>Models</dt>
        <dd>
          <Models names={peer.models} />
        </dd>
        <dt>Load</dt>
        <dd>
          <LoadBar load={peer.load} />
        </dd>
        <dt>Latency</dt>
        <dd>{peer.rttMs === null ? "–" : `${Math.round(peer.rttMs)} ms`}</dd>
        <dt>Speed</dt>
        <dd>{formatRate(peer.tokensPerSec)}</dd>
        <dt>Access</dt>
        <dd>
          {peer.access
            ? (
              <>
                {peer.access.granted} granted · {peer.access.refused} refused
                {peer.access.limited && <span class="pill bad small">rate-limited</span>}
              </>
            )
            : <span class="muted">no requests from this peer</span>}
        </dd>
        <dt>Last seen</dt>
        <dd>
          {peer.state === "up"
            ? "just now" // linked peers are heard from every heartbeat
            : peer.lastSeen
            ? formatAgo(peer.lastSeen, now.value)
            : "never"}
        </dd>
      </dl>
    </article>
  );
}

/** Every node of the mesh: this one first, then peers online before the others. */
export function PeersPanel() {
  const list = [...peers.value].sort((a, b) =>
    Number(b.state === "up") - Number(a.state === "up") || a.name.localeCompare(b.name)
  );
  const online = list.filter((peer) => peer.state === "up").length;
  return (
    <section class="panel" aria-label="Mesh">
      <PanelHeader title="Mesh" />
      <div class="panel-scroll">
        <div class="panel-inner">
          <p class="muted panel-lead">
            {list.length === 0
              ? "No peers yet"
              : `${online} of ${list.length} peer${list.length === 1 ? "" : "s"} online`} ·{" "}
            {meshModels.value.length} model{meshModels.value.length === 1 ? "" : "s"} available
          </p>
          <div class="cards">
            <SelfCard />
            {list.map((peer) => <PeerCard key={peer.id} peer={peer} />)}
          </div>
          {list.length === 0 && (
            <p class="muted empty-peers">
              No other device found yet. Devices running NeuroMesh on the same network appear here
              by themselves.
            </p>
          )}
        </div>
      </div>
    </section>
  );
}
