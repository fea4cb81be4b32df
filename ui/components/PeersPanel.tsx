import { useEffect, useState } from "preact/hooks";
import type { Load, PeerAction, PeerState, PeerStatus, TrustNode } from "../api/types.ts";
import { formatAgo, formatRate, formatUptime } from "../lib/format.ts";
import { describeAlert } from "../lib/trust.ts";
import { clock, meshModels, status, trust } from "../models/app.ts";
import { MeshGraph } from "./MeshGraph.tsx";
import { PanelHeader } from "./TopBar.tsx";

const STATE: Record<PeerState, { label: string; tone: "ok" | "mid" | "bad" }> = {
  up: { label: "online", tone: "ok" },
  connecting: { label: "connecting", tone: "mid" },
  backoff: { label: "reconnecting", tone: "mid" },
  discovered: { label: "found, not linked yet", tone: "mid" },
  lost: { label: "offline", tone: "bad" },
};

function LoadBar({ load }: { load: Load | null }) {
  if (!load) return <span class="muted">–</span>;
  const share = load.capacity > 0 ? Math.min(1, load.inFlight / load.capacity) : 0;
  return (
    <span
      class="load-bar"
      title={`${load.inFlight} of ${load.capacity} answer slots busy, ${load.queued} waiting`}
    >
      <span class="load-track">
        <span class="load-fill" style={{ width: `${share * 100}%` }} />
      </span>
      <span>
        {load.inFlight}/{load.capacity}
        {load.queued > 0 ? ` +${load.queued} waiting` : ""}
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
  const self = status.node.value;
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
        <dt>Models</dt>
        <dd>
          {self.hasLlm
            ? <Models names={self.models} />
            : <span class="muted">none here — uses the other devices' models</span>}
        </dd>
        <dt>Load</dt>
        <dd>
          <LoadBar load={self.load} />
        </dd>
        <dt>Ports</dt>
        <dd>
          page and API on <span class="mono">{self.httpPort}</span>, other devices link to{" "}
          <span class="mono">{self.peerPort}</span>
        </dd>
        <dt>Version</dt>
        <dd class="mono">{self.version}</dd>
        {self.security && (
          <>
            <dt>Who may join</dt>
            <dd>
              {JOIN_RULE[self.security.trustMode]}
              {self.security.encryptedLinks
                ? " · links encrypted"
                : <span class="pill bad small">links not encrypted</span>}
            </dd>
          </>
        )}
        <dt>Uptime</dt>
        <dd>
          {formatUptime(
            self.uptimeSec + Math.max(0, clock.now.value - status.nodeReceivedAt.value) / 1000,
          )}
        </dd>
      </dl>
    </article>
  );
}

const LATENCY_REFRESH_MS = 5_000;

const JOIN_RULE: Record<"open" | "mesh-key" | "approve", string> = {
  open: "any device on this network",
  "mesh-key": "devices that know the mesh key",
  approve: "only devices you approve",
};

const ACTION_LABEL: Record<PeerAction, [idle: string, busy: string]> = {
  approve: ["Approve", "Approving…"],
  reject: ["Reject", "Rejecting…"],
  block: ["Block", "Blocking…"],
  unblock: ["Unblock", "Unblocking…"],
};

function ActionButton(
  { id, action, primary = false, onClick }: {
    id: string;
    action: PeerAction;
    primary?: boolean;
    /** Instead of running the action at once (Block asks first). */
    onClick?: () => void;
  },
) {
  const busy = trust.peerActionBusy.value[id];
  const [idle, running] = ACTION_LABEL[action];
  return (
    <button
      type="button"
      class={`button small${primary ? " primary" : ""}${action === "block" ? " danger" : ""}`}
      data-testid={`${action}-button`}
      disabled={busy !== undefined}
      onClick={onClick ?? (() => void trust.runPeerAction(id, action))}
    >
      {busy === action ? running : idle}
    </button>
  );
}

/** Block cuts a device off at once, so the card asks first, in place. */
function BlockControl({ id, name }: { id: string; name: string }) {
  const [asking, setAsking] = useState(false);
  if (!asking) return <ActionButton id={id} action="block" onClick={() => setAsking(true)} />;
  return (
    <div class="confirm-block" role="group" aria-label={`Block ${name}?`}>
      <p>
        Block <strong>{name}</strong>? It is disconnected now and refused until you unblock it.
      </p>
      <div class="card-actions">
        <button
          type="button"
          class="button small"
          ref={(el) => el?.focus()}
          onClick={() => setAsking(false)}
        >
          Cancel
        </button>
        <button
          type="button"
          class="button small danger"
          data-testid="confirm-block"
          onClick={() => {
            setAsking(false);
            void trust.runPeerAction(id, "block");
          }}
        >
          Yes, block
        </button>
      </div>
    </div>
  );
}

function ActionError({ id }: { id: string }) {
  const error = trust.peerActionError.value[id];
  return error ? <p class="form-status error" role="alert">{error}</p> : null;
}

/** Syncthing's "Add device?": a node that waits for this user's decision (approve mode). */
function PendingCard({ entry }: { entry: TrustNode }) {
  return (
    <article class="card glass pending" data-testid="pending-card" data-node-id={entry.nodeId}>
      <div class="pending-text">
        <h2>Add device?</h2>
        <p>
          <strong>{entry.name || "Unnamed device"}</strong>{" "}
          <span class="mono">({entry.shortId})</span> from{" "}
          <span class="mono">{entry.address || "an unknown address"}</span>{" "}
          wants to join this mesh. Check the id against the other device before approving.
        </p>
        <ActionError id={entry.nodeId} />
      </div>
      <div class="card-actions">
        <ActionButton id={entry.nodeId} action="reject" />
        <ActionButton id={entry.nodeId} action="approve" primary />
      </div>
    </article>
  );
}

function SecurityAlerts() {
  const alerts = trust.recentAlerts.value;
  if (alerts.length === 0) return null;
  const total = trust.snapshot.value?.alerts.length ?? alerts.length;
  return (
    <div class="security-alerts" role="alert" data-testid="security-alerts">
      <strong>Security alert{total === 1 ? "" : "s"}</strong>
      <ul>
        {alerts.map((alert) => (
          <li key={`${alert.at}-${alert.nodeId}-${alert.address}`}>
            {describeAlert(alert)}{" "}
            <span class="muted">
              · {formatAgo(new Date(alert.at).toISOString(), clock.now.value)}
            </span>
          </li>
        ))}
      </ul>
      {total > alerts.length && <span class="muted">and {total - alerts.length} earlier</span>}
    </div>
  );
}

/** What Unblock will do: the trust from before the block comes back. */
function UnblockNote({ entry }: { entry: TrustNode | undefined }) {
  if (!entry?.before) return null;
  return (
    <span class="muted">
      {entry.before.status === "trusted"
        ? " · Unblock trusts it again"
        : " · Unblock asks you again"}
    </span>
  );
}

function BlockedList({ entries }: { entries: TrustNode[] }) {
  if (entries.length === 0) return null;
  return (
    <div class="blocked-list">
      <h3>Blocked devices</h3>
      {entries.map((entry) => (
        <div class="blocked-entry glass" data-testid="blocked-entry" key={entry.nodeId}>
          <span>
            <strong>{entry.name || "Unnamed device"}</strong>{" "}
            <span class="muted mono">{entry.shortId} · {entry.address}</span>
            <UnblockNote entry={entry} />
          </span>
          <ActionButton id={entry.nodeId} action="unblock" />
          <ActionError id={entry.nodeId} />
        </div>
      ))}
    </div>
  );
}

const answers = (count: number) => `${count} answer${count === 1 ? "" : "s"} given`;

function PeerCard(
  { peer, trustStatus }: { peer: PeerStatus; trustStatus: TrustNode["status"] | undefined },
) {
  const state = STATE[peer.state] ?? { label: peer.state, tone: "mid" as const };
  return (
    <article
      class={`card glass ${peer.state === "lost" ? "lost" : ""}`}
      data-testid="peer-card"
      aria-label={peer.name}
    >
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
        <dt>Models</dt>
        <dd>
          {peer.hasLlm ? <Models names={peer.models} /> : <span class="muted">shares none</span>}
          {peer.legacy && <span class="muted">· older NeuroMesh version</span>}
        </dd>
        <dt>Load</dt>
        <dd>
          <LoadBar load={peer.load} />
        </dd>
        <dt>Latency</dt>
        <dd>{peer.rttMs === null ? "–" : `${Math.round(peer.rttMs)} ms`}</dd>
        <dt>Speed</dt>
        <dd>{formatRate(peer.tokensPerSec)}</dd>
        <dt>Uses this device</dt>
        <dd>
          {peer.access
            ? (
              <>
                {answers(peer.access.granted)}
                {peer.access.refused > 0 && ` · ${peer.access.refused} turned down`}
                {peer.access.limited && <span class="pill bad small">asking too often</span>}
              </>
            )
            : <span class="muted">has not asked this device for answers</span>}
        </dd>
        <dt>Last seen</dt>
        <dd>
          {peer.state === "up"
            ? "just now" // linked peers are heard from every heartbeat
            : peer.lastSeen
            ? formatAgo(peer.lastSeen, clock.now.value)
            : "never"}
        </dd>
        {trustStatus && trustStatus !== "trusted" && (
          <>
            <dt>Trust</dt>
            <dd>
              <span class={`pill small ${trustStatus === "blocked" ? "bad" : ""}`}>
                {trustStatus === "blocked" ? "blocked" : "waiting for approval"}
              </span>
              {trustStatus === "blocked" && (
                <UnblockNote
                  entry={trust.snapshot.value?.nodes.find((n) => n.nodeId === peer.id)}
                />
              )}
            </dd>
          </>
        )}
      </dl>
      <div class="card-actions">
        {trustStatus === "blocked"
          ? <ActionButton id={peer.id} action="unblock" />
          : <BlockControl id={peer.id} name={peer.name} />}
      </div>
      <ActionError id={peer.id} />
    </article>
  );
}

/** Every node of the mesh: this one first, then peers online before the others. */
export function PeersPanel() {
  const list = status.sortedPeers.value;
  const online = status.onlinePeerCount.value;
  // The trust list changes rarely and the live `node` event says when; read it on opening.
  useEffect(() => void trust.loadTrust(), []);
  // Round trips change without a peer table event (the node publishes state changes only):
  // while this view is open, read them again now and then for the cards and the picture.
  useEffect(() => {
    const timer = setInterval(() => void status.loadStatus().catch(() => {}), LATENCY_REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
  const pending = trust.pending.value;
  const statuses = trust.statusById.value;
  const models = meshModels.list.value.length;
  return (
    <section class="panel" aria-label="Mesh">
      <PanelHeader title="Mesh" />
      <div class="panel-scroll">
        <div class="panel-inner">
          <p class="muted panel-lead">
            {list.length === 0
              ? "No peers yet"
              : `${online} of ${list.length} peer${list.length === 1 ? "" : "s"} online`} · {models}
            {" "}
            model{models === 1 ? "" : "s"} available
          </p>
          <SecurityAlerts />
          {pending.length > 0 && (
            <div class="pending-list">
              {pending.map((entry) => <PendingCard key={entry.nodeId} entry={entry} />)}
            </div>
          )}
          <MeshGraph />
          <div class="cards">
            <SelfCard />
            {list.map((peer) => (
              <PeerCard key={peer.id} peer={peer} trustStatus={statuses.get(peer.id)} />
            ))}
          </div>
          <BlockedList entries={trust.blockedElsewhere.value} />
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
