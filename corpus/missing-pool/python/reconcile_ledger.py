"""Ledger reconciliation job.

Run nightly by cron as ``python -m jobs.reconcile_ledger --date 2024-05-01``:
pulls the bank's statements for each settlement account, caches them in a local
SQLite file, and compares them with the ledger in every regional database.
"""

import argparse
import csv
import logging
import os
import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx
import psycopg

log = logging.getLogger("reconcile")

BANK_API = os.environ.get("BANK_API", "https://openbanking.examplebank.com/v2")
LEDGER_TOTALS = "SELECT account_no, sum(amount_cents) FROM ledger_entries WHERE booked_on = %s GROUP BY account_no"
CACHE_SCHEMA = "CREATE TABLE IF NOT EXISTS statement_lines (account_no TEXT, line_id TEXT PRIMARY KEY, amount_cents INTEGER)"


@dataclass
class Region:
    name: str
    dsn: str


def load_regions(path: Path) -> list[Region]:
    with path.open(newline="") as fh:
        return [Region(row["name"], row["dsn"]) for row in csv.DictReader(fh)]


def fetch_statement(client: httpx.Client, account_no: str, day: date) -> list[dict]:
    resp = client.get(f"/accounts/{account_no}/statement", params={"date": day.isoformat()})
    resp.raise_for_status()
    return resp.json()["lines"]


def store_lines(conn: sqlite3.Connection, account_no: str, lines: list[dict]) -> None:
    conn.executemany(
        "INSERT OR REPLACE INTO statement_lines (account_no, line_id, amount_cents) VALUES (?, ?, ?)",
        [(account_no, line["id"], line["amount_cents"]) for line in lines],
    )
    conn.commit()


def ledger_totals(conn: psycopg.Connection, day: date) -> dict[str, int]:
    return dict(conn.execute(LEDGER_TOTALS, (day,)).fetchall())


def pull_statements(accounts: list[str], day: date, cache_path: Path, token: str) -> None:
    for account_no in accounts:
        with httpx.Client(base_url=BANK_API, headers={"Authorization": f"Bearer {token}"}, timeout=30.0) as client:  # snag-expect: missing-pool
            lines = fetch_statement(client, account_no, day)
        cache = sqlite3.connect(cache_path)  # snag-expect: missing-pool
        store_lines(cache, account_no, lines)
        cache.close()


def pull_statements_shared(accounts: list[str], day: date, cache_path: Path, token: str) -> None:
    cache = sqlite3.connect(cache_path)  # snag-ok: missing-pool
    with httpx.Client(base_url=BANK_API, headers={"Authorization": f"Bearer {token}"}, timeout=30.0) as client:  # snag-ok: missing-pool
        for account_no in accounts:
            store_lines(cache, account_no, fetch_statement(client, account_no, day))
    cache.close()


def compare_regions(regions: list[Region], day: date, bank_totals: dict[str, int]) -> list[str]:
    mismatches = []
    for region in regions:
        with psycopg.connect(region.dsn, connect_timeout=10) as conn:  # snag-ok: missing-pool
            totals = ledger_totals(conn, day)
        for account_no, total in totals.items():
            if bank_totals.get(account_no, 0) != total:
                mismatches.append(f"{region.name}:{account_no}")
    return mismatches


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--date", type=date.fromisoformat, default=date.today())
    parser.add_argument("--regions", type=Path, default=Path("config/regions.csv"))
    parser.add_argument("--cache", type=Path, default=Path("/var/cache/reconcile/statements.db"))
    parser.add_argument("--shared-client", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)

    with psycopg.connect(os.environ["LEDGER_DATABASE_URL"]) as ledger:  # snag-ok: missing-pool
        accounts = [row[0] for row in ledger.execute("SELECT account_no FROM settlement_accounts WHERE active")]

    cache = sqlite3.connect(args.cache)  # snag-ok: missing-pool
    cache.execute(CACHE_SCHEMA)
    token = os.environ["BANK_TOKEN"]
    if args.shared_client:
        pull_statements_shared(accounts, args.date, args.cache, token)
    else:
        pull_statements(accounts, args.date, args.cache, token)
    bank_totals = dict(cache.execute("SELECT account_no, sum(amount_cents) FROM statement_lines GROUP BY account_no"))
    cache.close()

    mismatches = compare_regions(load_regions(args.regions), args.date, bank_totals)
    for mismatch in mismatches:
        log.warning("ledger mismatch: %s", mismatch)
    return 1 if mismatches else 0


if __name__ == "__main__":
    raise SystemExit(main())
