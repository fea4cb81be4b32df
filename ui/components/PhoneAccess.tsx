import { useEffect, useState } from "preact/hooks";
import { encode } from "uqr";
import { copyText } from "../lib/clipboard.ts";
import { formatAgo } from "../lib/format.ts";
import { qrPath } from "../lib/qr_path.ts";
import { clock, pairing } from "../models/app.ts";

/** The link as a QR code, dark on white whatever the theme, so any camera reads it. */
function QrCode({ text }: { text: string }) {
  const qr = encode(text, { ecc: "M", border: 2 });
  return (
    <svg
      class="qr-code"
      viewBox={`0 0 ${qr.size} ${qr.size}`}
      role="img"
      aria-label="QR code of the pairing link"
      shape-rendering="crispEdges"
    >
      <rect width={qr.size} height={qr.size} fill="#fff" />
      <path d={qrPath(qr.data)} fill="#000" />
    </svg>
  );
}

function ShownLink() {
  const link = pairing.shown.value;
  const [copied, setCopied] = useState(false);
  if (!link) return null;
  const minutesLeft = Math.max(0, Math.ceil((link.expiresAt - clock.now.value) / 60_000));
  return (
    <div class="pairing-link" data-testid="pairing-link">
      <QrCode text={link.url} />
      <div class="pairing-link-text">
        <p>
          Scan this with your phone's camera. The link signs the phone in{" "}
          <strong>once</strong>, within {minutesLeft} min; then it stops working.
        </p>
        <code aria-label="Pairing link">{link.url}</code>
        <div class="card-actions">
          <button
            type="button"
            class="button small"
            onClick={async () => setCopied(await copyText(link.url))}
          >
            {copied ? "Copied" : "Copy link"}
          </button>
          <button
            type="button"
            class="button small danger"
            onClick={() => void pairing.revoke(link.id)}
          >
            Cancel link
          </button>
        </div>
      </div>
    </div>
  );
}

function PairedDevices() {
  const entries = pairing.view.value?.entries.filter((e) => e.state === "paired") ?? [];
  if (entries.length === 0) return null;
  return (
    <div class="paired-devices">
      <h3>Paired devices</h3>
      <ul>
        {entries.map((entry) => (
          <li key={entry.id} class="blocked-entry glass">
            <span>
              <strong>{entry.device ?? "A device"}</strong>{" "}
              <span class="muted">
                · paired {formatAgo(new Date(entry.createdAt).toISOString(), clock.now.value)}
              </span>
            </span>
            <button
              type="button"
              class="button small danger"
              aria-label={`Revoke ${entry.device ?? "device"} paired ${
                new Date(entry.createdAt).toLocaleString()
              }`}
              onClick={() => void pairing.revoke(entry.id)}
            >
              Revoke
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * Settings → "Use from your phone": a QR code with a one-time pairing link when the node listens
 * beyond this machine, otherwise how to make it do so.
 */
export function PhoneAccess() {
  useEffect(() => {
    void pairing.load();
    return pairing.forgetShown; // leaving the view forgets the shown link
  }, []);
  const view = pairing.view.value;
  const [address, setAddress] = useState<string | undefined>(undefined);
  return (
    <section class="card glass phone-access" aria-labelledby="phone-access-title">
      <h2 id="phone-access-title">Use from your phone</h2>
      {!view
        ? <p class="muted">{pairing.loadError.value ?? "Loading…"}</p>
        : view.thisDevice
        ? (
          <p data-testid="phone-this-device">
            This device is paired with this node. Pairing other devices and revoking them is done on
            the node's own page (on the computer running it) or with the API token.
          </p>
        )
        : !view.reachable
        ? (
          <p data-testid="phone-loopback-only">
            This node's page is open to this computer only (it listens on 127.0.0.1), so a phone
            cannot reach it. To use NeuroMesh from a phone on the same network, start the node with
            {" "}
            <code>--http-host 0.0.0.0</code> (or{" "}
            <code>NEUROMESH_HTTP_HOST=0.0.0.0</code>), then come back here for a QR code. Other
            devices then need that pairing link or the API token.
          </p>
        )
        : (
          <>
            <p>
              Phones and other devices on your network can open NeuroMesh at{" "}
              {view.addresses.map((a, i) => (
                <span key={a}>
                  {i > 0 && ", "}
                  <code>{a}</code>
                </span>
              ))}. A pairing link signs a phone in without typing the API token.
            </p>
            {view.addresses.length > 1 && (
              <label class="field">
                <span class="field-label">Address for the link</span>
                <select
                  value={address ?? view.addresses[0]}
                  onChange={(event) => setAddress((event.target as HTMLSelectElement).value)}
                >
                  {view.addresses.map((a) => <option key={a} value={a}>{a}</option>)}
                </select>
              </label>
            )}
            {pairing.justPaired.value && (
              <p class="form-status ok" role="status">
                {pairing.justPaired.value} is paired and can use this node now.
              </p>
            )}
            <ShownLink />
            {!pairing.shown.value && (
              <div>
                <button
                  type="button"
                  class="button primary small"
                  disabled={pairing.creating.value}
                  onClick={() => void pairing.createLink(address)}
                >
                  {pairing.creating.value ? "Making a link…" : "Show a pairing QR code"}
                </button>
              </div>
            )}
            <PairedDevices />
          </>
        )}
      {pairing.actionError.value && (
        <p class="field-error" role="alert">{pairing.actionError.value}</p>
      )}
    </section>
  );
}
