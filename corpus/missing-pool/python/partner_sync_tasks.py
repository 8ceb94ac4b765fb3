"""Celery tasks that sync partner catalogs and settle payouts.

Runs on the ``sync`` queue. Each task is a unit of work that Celery beat or the
admin schedules; tasks open what they need when they start and close it when
they finish.
"""

import logging
import os

import psycopg2
import requests
from celery import shared_task

log = logging.getLogger(__name__)

DSN = os.environ["DATABASE_URL"]
PARTNER_API = os.environ.get("PARTNER_API", "https://partners.shopline.example/api/v3")
PAYOUTS_API = os.environ.get("PAYOUTS_API", "https://payouts.example-pay.com/v1")
TIMEOUT = (3.05, 20)

UPSERT_OFFERS = """
    INSERT INTO partner_offers (partner_id, sku, price_cents, stock)
    VALUES (%s, %s, %s, %s)
    ON CONFLICT (partner_id, sku) DO UPDATE SET price_cents = EXCLUDED.price_cents, stock = EXCLUDED.stock
"""
MARK_SETTLED = "UPDATE payouts SET settled_at = now(), provider_ref = %s WHERE id = %s"
PRUNE_SESSIONS = "DELETE FROM sessions WHERE expires_at < now() - interval '7 days'"


def _headers(token: str) -> dict:
    return {"Authorization": f"Bearer {token}", "Accept": "application/json"}


@shared_task(bind=True, max_retries=3)
def sync_partner_catalog(self, partner_id: int, token: str):
    """Pulls every page of a partner's offers, then upserts them in one go."""
    offers = []
    with requests.Session() as http:  # snag-ok: missing-pool
        http.headers.update(_headers(token))
        url = f"{PARTNER_API}/partners/{partner_id}/offers?limit=500"
        while url:
            page = http.get(url, timeout=TIMEOUT).json()
            offers.extend(page["items"])
            url = page.get("next")
    conn = psycopg2.connect(DSN)  # snag-ok: missing-pool
    try:
        with conn, conn.cursor() as cur:
            cur.executemany(
                UPSERT_OFFERS,
                [(partner_id, o["sku"], o["price_cents"], o["stock"]) for o in offers],
            )
    finally:
        conn.close()
    log.info("partner %s: %d offers", partner_id, len(offers))


@shared_task
def sync_partner_categories(partner_id: int, token: str):
    categories = []
    url = f"{PARTNER_API}/partners/{partner_id}/categories"
    while url:
        page = requests.get(url, headers=_headers(token), timeout=TIMEOUT).json()  # snag-expect: missing-pool
        categories.extend(page["items"])
        url = page.get("next")
    return categories


@shared_task
def refresh_partner_status(partner_ids: list[int], token: str):
    statuses = {}
    for partner_id in partner_ids:
        resp = requests.get(f"{PARTNER_API}/partners/{partner_id}/status", headers=_headers(token), timeout=TIMEOUT)  # snag-expect: missing-pool, n-plus-one
        statuses[partner_id] = resp.json()["status"]
    return statuses


@shared_task
def settle_payouts(payouts: list[dict]):
    for payout in payouts:
        conn = psycopg2.connect(DSN)  # snag-expect: missing-pool
        with conn, conn.cursor() as cur:
            cur.execute(MARK_SETTLED, (payout["provider_ref"], payout["id"]))  # snag-expect: n-plus-one
        conn.close()


@shared_task
def confirm_payouts(payout_refs: list[str], api_key: str):
    confirmed = []
    for ref in payout_refs:
        session = requests.Session()  # snag-expect: missing-pool
        session.headers["Authorization"] = f"Bearer {api_key}"
        resp = session.post(f"{PAYOUTS_API}/payouts/{ref}/confirm", timeout=TIMEOUT)  # snag-expect: n-plus-one
        if resp.ok:
            confirmed.append(ref)
    return confirmed


@shared_task
def fetch_partner_logo(partner_id: int, token: str):
    resp = requests.get(f"{PARTNER_API}/partners/{partner_id}/logo", headers=_headers(token), timeout=TIMEOUT)
    resp.raise_for_status()
    return resp.content


def _prune(conn) -> int:
    with conn.cursor() as cur:
        cur.execute(PRUNE_SESSIONS)
        return cur.rowcount


@shared_task
def prune_shard_sessions(shard_dsns: list[str]):
    """Each shard is its own Postgres server; one connection per shard, once."""
    pruned = 0
    for shard_dsn in shard_dsns:
        with psycopg2.connect(shard_dsn, connect_timeout=5) as conn:  # snag-ok: missing-pool
            pruned += _prune(conn)
    return pruned
