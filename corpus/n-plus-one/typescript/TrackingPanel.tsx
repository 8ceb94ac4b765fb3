'use client';

import { useEffect, useState } from 'react';

type Shipment = { id: string; carrier: string; trackingNumber: string };
type Status = { shipmentId: string; state: string; eta: string | null };

export function TrackingPanel({ shipments }: { shipments: Shipment[] }) {
  const [statuses, setStatuses] = useState<Record<string, Status>>({});
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    Promise.all(
      shipments.map((s) =>
        fetch(`/api/shipments/${s.id}/status`, { signal: controller.signal }).then((r) => r.json() as Promise<Status>), // snag-expect: n-plus-one
      ),
    )
      .then((list) => setStatuses(Object.fromEntries(list.map((st) => [st.shipmentId, st])))) // snag-ok: n-plus-one
      .catch((err: unknown) => {
        if (!controller.signal.aborted) setError(String(err));
      });
    return () => controller.abort();
  }, [shipments]);

  async function cancel(id: string) {
    setBusy(id);
    try {
      const next = await fetch(`/api/shipments/${id}/cancel`, { method: 'POST' }).then((r) =>
        // snag-ok: n-plus-one
        r.ok ? fetch(`/api/shipments/${id}/status`).then((s) => s.json() as Promise<Status>) : null,
      );
      if (next) setStatuses((prev) => ({ ...prev, [id]: next }));
    } finally {
      setBusy(null);
    }
  }

  if (shipments.length === 0) return null;

  return (
    <table className="tracking">
      {error && <caption role="alert">{error}</caption>}
      <tbody>
        {shipments.map((s) => ( // snag-ok: n-plus-one
          <tr key={s.id}>
            <td>{s.carrier}</td>
            <td>{s.trackingNumber}</td>
            <td>{statuses[s.id]?.state ?? '…'}</td>
            <td>
              <button
                type="button"
                disabled={busy === s.id}
                onClick={() =>
                  // snag-ok: n-plus-one
                  fetch(`/api/shipments/${s.id}/label`, { method: 'POST' }).then(() => setBusy(null))
                }
              >
                Reprint label
              </button>
              <button type="button" disabled={busy === s.id} onClick={() => cancel(s.id)}>
                Cancel
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
