"""Per-tenant maintenance tasks (one Postgres schema per tenant).

Scheduled by celery beat; see ops/beat_schedule.py.
"""

import logging
import os

from celery import shared_task
from psycopg import sql
from psycopg_pool import ConnectionPool

logger = logging.getLogger(__name__)

pool = ConnectionPool(os.environ["DATABASE_URL"], min_size=1, max_size=4, kwargs={"autocommit": True})

SESSIONS_TABLE = "sessions"


@shared_task
def purge_expired_sessions(schema):
    with pool.connection() as conn:
        conn.execute(f"SET search_path TO {schema}")  # snag-expect: sql-injection
        conn.execute(f"DELETE FROM {SESSIONS_TABLE} WHERE expires_at < now()")  # snag-ok: sql-injection


@shared_task
def purge_stale_carts(schema):
    with pool.connection() as conn:
        conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))  # snag-ok: sql-injection
        conn.execute("DELETE FROM carts WHERE updated_at < now() - interval '30 days'")


@shared_task
def export_changed_rows(schema, table, columns, since):
    query = sql.SQL("SELECT {fields} FROM {table} WHERE updated_at > %s ORDER BY updated_at").format(
        fields=sql.SQL(", ").join(map(sql.Identifier, columns)),
        table=sql.Identifier(schema, table),
    )
    with pool.connection() as conn:
        with conn.cursor() as cur:
            cur.execute(query, (since,))  # snag-ok: sql-injection
            return cur.fetchall()


@shared_task
def analyze_table(schema, table_name):
    with pool.connection() as conn:
        conn.execute("ANALYZE " + schema + "." + table_name)  # snag-expect: sql-injection


@shared_task
def vacuum_table(schema, table_name):
    with pool.connection() as conn:
        conn.execute("VACUUM (ANALYZE) {}.{}".format(schema, table_name))  # snag-expect: sql-injection


@shared_task
def audit_activity(schema, actor):
    with pool.connection() as conn:
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM %s.audit_log WHERE actor = %%s" % schema, (actor,))  # snag-expect: sql-injection
            (events,) = cur.fetchone()
    logger.info("tenant %s: %d audit events for %s", schema, events, actor)
    return events


@shared_task
def trim_audit_log(schema, retention_days="90"):
    days = int(retention_days)
    with pool.connection() as conn:
        conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
        deleted = conn.execute(f"DELETE FROM audit_log WHERE created_at < now() - interval '{days} days'").rowcount  # snag-ok: sql-injection
    logger.info("tenant %s: trimmed %d audit rows older than %d days", schema, deleted, days)
    return deleted
