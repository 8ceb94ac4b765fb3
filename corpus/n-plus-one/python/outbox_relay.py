"""Outbox relay: publishes committed outbox rows to the broker, and settles
each delivery batch the broker acknowledges."""

import time

import psycopg2

from relay.broker import publish

CLAIM = "SELECT id, topic, payload FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT 100 FOR UPDATE SKIP LOCKED"
MARK_SENT = "UPDATE outbox SET sent_at = now() WHERE id = %s"
MARK_BATCH = "UPDATE outbox SET sent_at = now() WHERE id = ANY(%s)"
RECEIPT = "SELECT status FROM receipts WHERE delivery_id = %s"


def relay_forever(dsn, idle_seconds=2.0):
    conn = psycopg2.connect(dsn)
    while True:
        with conn, conn.cursor() as cur:
            cur.execute(CLAIM)  # snag-ok: n-plus-one
            rows = cur.fetchall()
            for row_id, topic, payload in rows:
                publish(topic, payload)
            cur.execute(MARK_BATCH, ([row_id for row_id, _, _ in rows],))  # snag-ok: n-plus-one
        if not rows:
            time.sleep(idle_seconds)


def settle(conn, batch):
    """One acknowledged batch from the broker: record each delivery's receipt."""
    with conn, conn.cursor() as cur:
        for delivery in batch.deliveries:
            cur.execute(RECEIPT, (delivery.id,))  # snag-expect: n-plus-one
            if cur.fetchone() is None:
                cur.execute(MARK_SENT, (delivery.outbox_id,))  # snag-expect: n-plus-one
