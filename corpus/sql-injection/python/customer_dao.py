"""Data access for the legacy MySQL customer database, plus a local SQLite lookup cache.

Used by the invoicing worker; no ORM here on purpose (the schema predates it).
"""

import sqlite3
from typing import Any, Iterable, Optional

import pymysql
import pymysql.cursors

PAGE_SIZE = 200
CUSTOMER_FIELDS = ("id", "name", "email", "phone", "region")


class CustomerDAO:
    def __init__(self, host: str, user: str, password: str, database: str = "legacy") -> None:
        self._conn = pymysql.connect(
            host=host,
            user=user,
            password=password,
            database=database,
            cursorclass=pymysql.cursors.DictCursor,
            autocommit=True,
        )

    def find_by_email(self, email: str) -> Optional[dict]:
        with self._conn.cursor() as cur:
            cur.execute("SELECT id, name, email FROM customers WHERE email = '%s'" % email)  # snag-expect: sql-injection
            return cur.fetchone()

    def find_by_phone(self, phone: str) -> Optional[dict]:
        with self._conn.cursor() as cur:
            cur.execute("SELECT id, name, email FROM customers WHERE phone = %s", (phone,))
            return cur.fetchone()

    def page(self, after_id: int = 0) -> list[dict]:
        with self._conn.cursor() as cur:
            cur.execute("SELECT id, name, email FROM customers WHERE id > %%s ORDER BY id LIMIT %d" % PAGE_SIZE, (after_id,))  # snag-ok: sql-injection
            return cur.fetchall()

    def export_columns(self) -> list[dict]:
        with self._conn.cursor() as cur:
            cur.execute("SELECT %s FROM customers ORDER BY id" % ", ".join(CUSTOMER_FIELDS))  # snag-ok: sql-injection
            return cur.fetchall()

    def get_many(self, ids: Iterable[int]) -> list[dict]:
        ids = list(ids)
        if not ids:
            return []
        in_list = ", ".join(["%s"] * len(ids))
        with self._conn.cursor() as cur:
            cur.execute(f"SELECT id, name, email FROM customers WHERE id IN ({in_list})", ids)  # snag-ok: sql-injection
            return cur.fetchall()

    def update_fields(self, customer_id: int, **fields: Any) -> int:
        sets = ", ".join(f"{column} = %s" for column in fields)
        with self._conn.cursor() as cur:
            cur.execute(f"UPDATE customers SET {sets} WHERE id = %s", (*fields.values(), customer_id))  # snag-expect: sql-injection
            return cur.rowcount

    def delete(self, customer_id: int) -> None:
        with self._conn.cursor() as cur:
            cur.execute(f"DELETE FROM customers WHERE id = {customer_id}")  # snag-ok: sql-injection

    def in_region(self, region: str, limit: int = 100) -> list[dict]:
        with self._conn.cursor() as cur:
            query = "SELECT id, name, email FROM customers WHERE region = '" + region + "' LIMIT " + str(limit)
            cur.execute(query)  # snag-expect: sql-injection
            return cur.fetchall()


class LookupCache:
    """Key/value cache in SQLite so restarts do not hammer the CRM."""

    def __init__(self, path: str = ":memory:") -> None:
        self.db = sqlite3.connect(path)
        self.db.execute("CREATE TABLE IF NOT EXISTS cache (key TEXT PRIMARY KEY, value TEXT)")

    def get_many(self, keys: list[str]) -> dict[str, str]:
        marks = ",".join("?" * len(keys))
        rows = self.db.execute(f"SELECT key, value FROM cache WHERE key IN ({marks})", keys).fetchall()  # snag-ok: sql-injection
        return dict(rows)

    def purge_namespace(self, namespace: str) -> None:
        with self.db:
            self.db.execute(f"DELETE FROM cache WHERE key LIKE '{namespace}:%'")  # snag-expect: sql-injection
