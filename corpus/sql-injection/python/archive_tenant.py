#!/usr/bin/env python3
"""Archives a tenant's rows into the cold-storage schema, then drops them.

Usage: archive_tenant.py TENANT_ID [--before YYYY-MM-DD] [--table TABLE ...]
"""

import argparse
import os
import sys

import psycopg2

ARCHIVABLE = ("invoices", "invoice_lines", "events", "sessions")
ARCHIVE_COLUMNS = {
    "invoices": "id, tenant_id, number, total_cents, created_at",
    "invoice_lines": "id, tenant_id, invoice_id, sku, quantity, created_at",
    "events": "id, tenant_id, kind, payload, created_at",
    "sessions": "id, tenant_id, user_id, created_at",
}


def connect():
    return psycopg2.connect(os.environ["DATABASE_URL"])


def main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("tenant_id")
    parser.add_argument("--before", default="2023-01-01")
    parser.add_argument("--table", action="append", default=[])
    parser.add_argument("--note", default="")
    args = parser.parse_args(argv)

    tenant = int(args.tenant_id)
    tables = [t for t in ARCHIVABLE if not args.table or t in args.table]
    schema = os.environ.get("ARCHIVE_SCHEMA", "archive")
    conn = connect()
    with conn, conn.cursor() as cur:
        cur.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")  # snag-expect: sql-injection
        cur.execute(f"SELECT pg_advisory_xact_lock({tenant})")  # snag-ok: sql-injection
        for table in tables:
            cur.execute(  # snag-ok: sql-injection, n-plus-one
                f"INSERT INTO archive.{table} SELECT {ARCHIVE_COLUMNS[table]} FROM public.{table} "
                "WHERE tenant_id = %s AND created_at < %s",
                (tenant, args.before),
            )
            print(f"{table}: {cur.rowcount} rows archived")
            cur.execute(f"DELETE FROM public.{table} WHERE tenant_id = %s AND created_at < %s", (tenant, args.before))  # snag-ok: sql-injection, n-plus-one
        comment = "archived before " + args.before
        if args.note:
            comment += " — " + args.note
        cur.execute("COMMENT ON SCHEMA archive IS '" + comment + "'")  # snag-expect: sql-injection
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
