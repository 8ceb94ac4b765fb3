"""Celery tasks that keep our stock table in step with the warehouse system (WMS).

Postgres is reached through a psycopg 3 pool owned by the worker process; the WMS
REST API through one shared requests.Session.
"""

import logging
import os
import time

import requests
from celery import shared_task
from psycopg_pool import ConnectionPool

logger = logging.getLogger(__name__)

pool = ConnectionPool(os.environ["WAREHOUSE_DSN"], min_size=1, max_size=8)

wms = requests.Session()
wms.headers.update({"Authorization": f"Bearer {os.environ['WMS_TOKEN']}", "Accept": "application/json"})
WMS_BASE = os.environ.get("WMS_BASE_URL", "https://wms.internal.example.com/api/v2")
WMS_TIMEOUT = 15

STOCK_FOR_SKU = "SELECT sku, on_hand, reserved FROM stock_levels WHERE sku = %s"
STOCK_FOR_SKUS = "SELECT sku, on_hand, reserved FROM stock_levels WHERE sku = ANY(%s)"
UPSERT_LEVEL = """
    INSERT INTO stock_levels (sku, on_hand, reserved, synced_at)
    VALUES (%s, %s, %s, now())
    ON CONFLICT (sku) DO UPDATE
    SET on_hand = EXCLUDED.on_hand, reserved = EXCLUDED.reserved, synced_at = EXCLUDED.synced_at
"""
MARK_STALE = "UPDATE stock_levels SET stale = true WHERE sku = ANY(%s)"


@shared_task
def pull_levels():
    """Page through the WMS stock feed and upsert every level in one batch."""
    levels = []
    url = f"{WMS_BASE}/stock?page_size=500"
    while url:
        resp = wms.get(url, timeout=WMS_TIMEOUT)  # snag-ok: n-plus-one
        resp.raise_for_status()
        body = resp.json()
        levels.extend((item["sku"], item["on_hand"], item["reserved"]) for item in body["results"])
        url = body.get("next")

    with pool.connection() as conn, conn.cursor() as cur:
        cur.executemany(UPSERT_LEVEL, levels)  # snag-ok: n-plus-one
    logger.info("pulled %d stock levels from WMS", len(levels))
    return len(levels)


@shared_task
def refresh_skus(skus):
    """Re-read a handful of SKUs the storefront flagged as inconsistent."""
    with pool.connection() as conn, conn.cursor() as cur:
        for sku in skus:
            item = wms.get(f"{WMS_BASE}/items/{sku}", timeout=WMS_TIMEOUT).json()  # snag-expect: n-plus-one
            cur.execute(UPSERT_LEVEL, (sku, item["on_hand"], item["reserved"]))  # snag-expect: n-plus-one


@shared_task
def reconcile(skus):
    """Compare our levels with a WMS snapshot and report the drift."""
    snapshot = wms.post(f"{WMS_BASE}/stock/snapshot", json={"skus": skus}, timeout=WMS_TIMEOUT)  # snag-ok: n-plus-one
    snapshot.raise_for_status()
    remote = {row["sku"]: row["on_hand"] for row in snapshot.json()["items"]}  # snag-ok: n-plus-one

    drift = []
    with pool.connection() as conn, conn.cursor() as cur:
        cur.execute(STOCK_FOR_SKUS, (skus,))  # snag-ok: n-plus-one
        for sku, on_hand, _reserved in cur:  # snag-ok: n-plus-one
            if remote.get(sku) != on_hand:
                drift.append({"sku": sku, "ours": on_hand, "wms": remote.get(sku)})
    return drift


@shared_task
def audit_reserved(skus):
    over = []
    with pool.connection() as conn, conn.cursor() as cur:
        for sku in skus:
            cur.execute(STOCK_FOR_SKU, (sku,))  # snag-expect: n-plus-one
            row = cur.fetchone()  # snag-ok: n-plus-one
            if row and row[2] > row[1]:
                over.append(sku)
    return over


@shared_task
def mark_stale(skus):
    with pool.connection() as conn, conn.cursor() as cur:
        for start in range(0, len(skus), 1000):
            chunk = skus[start:start + 1000]
            cur.execute(MARK_STALE, (chunk,))  # snag-ok: n-plus-one
            logger.debug("marked %d skus stale", cur.rowcount)


@shared_task
def push_reservations(order_lines):
    """Tell the WMS to reserve stock for each confirmed order line."""
    for line in order_lines:
        resp = wms.post(  # snag-expect: n-plus-one
            f"{WMS_BASE}/reservations",
            json={"order_id": line["order_id"], "sku": line["sku"], "quantity": line["quantity"]},
            timeout=WMS_TIMEOUT,
        )
        if resp.status_code == 409:
            logger.warning("reservation conflict for order %s sku %s", line["order_id"], line["sku"])


@shared_task(bind=True)
def close_wave(self, wave_id):
    """Close a picking wave; the WMS answers 503 while it rebalances, so retry a few times."""
    resp = None
    for attempt in range(4):
        try:
            resp = wms.post(f"{WMS_BASE}/waves/{wave_id}/close", timeout=WMS_TIMEOUT)  # snag-ok: n-plus-one
        except requests.ConnectionError:
            logger.info("WMS unreachable closing wave %s (attempt %d)", wave_id, attempt + 1)
        else:
            if resp.status_code < 500:
                break
        time.sleep(2 ** attempt)
    if resp is None:
        raise self.retry(countdown=60)
    resp.raise_for_status()

    with pool.connection() as conn:
        conn.execute("UPDATE picking_waves SET closed_at = now() WHERE id = %s", (wave_id,))  # snag-ok: n-plus-one
    return resp.json()["closed_lines"]


@shared_task
def record_counts(counts):
    """Cycle-count results arrive as {sku: counted}; store each as its own audit row."""
    with pool.connection() as conn:
        for sku, counted in counts.items():
            conn.execute(  # snag-expect: n-plus-one
                "INSERT INTO cycle_counts (sku, counted, counted_at) VALUES (%s, %s, now())",
                (sku, counted),
            )
