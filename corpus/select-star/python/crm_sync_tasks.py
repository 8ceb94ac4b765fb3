"""Celery tasks that mirror contacts from the legacy MySQL CRM into Postgres.

The CRM is read through pymysql; the Postgres side goes through a psycopg 3
connection pool shared by the worker process.
"""

import logging
import os
from datetime import datetime, timezone

import pymysql
import pymysql.cursors
from celery import shared_task
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

logger = logging.getLogger(__name__)

pg_pool = ConnectionPool(os.environ["PG_DSN"], min_size=1, max_size=4, kwargs={"row_factory": dict_row})

UPSERT_CONTACT = """
    INSERT INTO contacts (crm_id, email, full_name, company, updated_at)
    VALUES (%(crm_id)s, %(email)s, %(full_name)s, %(company)s, %(updated_at)s)
    ON CONFLICT (crm_id) DO UPDATE
    SET email = EXCLUDED.email,
        full_name = EXCLUDED.full_name,
        company = EXCLUDED.company,
        updated_at = EXCLUDED.updated_at
"""


class LegacyCrm:
    """Read-only access to the old CRM database."""

    def __init__(self, **connect_kwargs):
        self._conn = pymysql.connect(cursorclass=pymysql.cursors.DictCursor, autocommit=True, **connect_kwargs)

    def contacts_changed_since(self, since):
        with self._conn.cursor() as cur:
            cur.execute("SELECT * FROM crm_contacts WHERE modified > %s ORDER BY modified", (since,))  # snag-expect: select-star
            return cur.fetchall()

    def contact_count(self):
        with self._conn.cursor() as cur:
            cur.execute("SELECT COUNT(*) AS n FROM crm_contacts WHERE deleted = 0")  # snag-ok: select-star
            return cur.fetchone()["n"]


crm = LegacyCrm(
    host=os.environ["CRM_HOST"],
    user=os.environ["CRM_USER"],
    password=os.environ["CRM_PASSWORD"],
    database="crm",
)


@shared_task(bind=True, max_retries=3, default_retry_delay=60)
def mirror_contacts(self):
    with pg_pool.connection() as conn:
        state = conn.execute("SELECT * FROM sync_state WHERE source = %s", ("crm",)).fetchone()  # snag-expect: select-star
        if state is None:
            logger.warning("no sync_state row; SELECT * FROM sync_state WHERE source = 'crm' returned nothing")  # snag-ok: select-star
            since = datetime(1970, 1, 1, tzinfo=timezone.utc)
        else:
            since = state["last_synced_at"]

        busy = conn.execute(
            "SELECT EXISTS (SELECT * FROM sync_lock WHERE source = %s AND expires_at > now()) AS busy", ("crm",)  # snag-ok: select-star
        ).fetchone()["busy"]
        if busy:
            raise self.retry()

        rows = crm.contacts_changed_since(since)
        payload = [
            {
                "crm_id": r["id"],
                "email": r["email"],
                "full_name": r["name"],
                "company": r["company"],
                "updated_at": r["modified"],
            }
            for r in rows
        ]
        with conn.cursor() as cur:
            cur.executemany(UPSERT_CONTACT, payload)
        conn.execute(
            "UPDATE sync_state SET last_synced_at = now() WHERE source = %s",
            ("crm",),
        )
    return len(payload)


@shared_task
def contacts_for_domain(domain):
    with pg_pool.connection() as conn:
        rows = conn.execute(f"SELECT * FROM contacts WHERE split_part(email, '@', 2) = '{domain}'").fetchall()  # snag-expect: select-star, sql-injection
    return [r["crm_id"] for r in rows]


@shared_task
def verify_mirror():
    expected = crm.contact_count()
    with pg_pool.connection() as conn:
        # snag-expect: select-star
        drift = conn.execute("""
            SELECT *
            FROM contacts c
            WHERE c.updated_at < now() - interval '7 days'
            ORDER BY c.updated_at
            LIMIT 100
        """).fetchall()
    logger.info("mirror check: %d CRM contacts, %d stale rows", expected, len(drift))
    return {"expected": expected, "stale": len(drift)}
