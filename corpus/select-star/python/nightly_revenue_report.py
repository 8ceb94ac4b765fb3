#!/usr/bin/env python3
"""Nightly revenue report.

Pulls yesterday's settled payments, refunds and FX rates from the warehouse
replica and writes one CSV per section to the finance export directory.

Run from cron:  0 3 * * *  /opt/reports/bin/python nightly_revenue_report.py
"""

import argparse
import csv
import datetime as dt
import logging
import os
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

log = logging.getLogger("reports.revenue")

# snag-expect: select-star
PAYMENTS_SQL = text("""
    SELECT *
    FROM payments
    WHERE settled_at >= :start AND settled_at < :end
    ORDER BY settled_at
""")

REFUNDS_SQL = text(
    "SELECT r.id, r.payment_id, r.amount_cents * -1 AS signed_amount_cents, r.reason "  # snag-ok: select-star
    "FROM refunds r WHERE r.created_at >= :start AND r.created_at < :end"
)

# snag-expect: select-star
TOP_MERCHANTS_SQL = """
WITH totals AS (
    SELECT merchant_id, sum(amount_cents) AS total_cents
    FROM payments
    WHERE settled_at >= :start AND settled_at < :end
    GROUP BY merchant_id
)
SELECT * FROM totals ORDER BY total_cents DESC LIMIT :n
"""


def write_csv(path: Path, rows) -> int:
    rows = list(rows)
    with path.open("w", newline="") as fh:
        if not rows:
            return 0
        writer = csv.DictWriter(fh, fieldnames=list(rows[0].keys()))
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--day", type=dt.date.fromisoformat, default=dt.date.today() - dt.timedelta(days=1))
    parser.add_argument("--out", type=Path, default=Path(os.environ.get("REPORT_DIR", "/var/reports")))
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="print the plan (SELECT * FROM payments for the day) without querying",  # snag-ok: select-star
    )
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    start = dt.datetime.combine(args.day, dt.time.min)
    end = start + dt.timedelta(days=1)
    params = {"start": start, "end": end}

    if args.dry_run:
        print(f"[dry-run] would run: SELECT * FROM payments WHERE settled_at::date = '{args.day}'")  # snag-ok: select-star, sql-injection
        return 0

    engine = create_engine(os.environ["WAREHOUSE_URL"], pool_pre_ping=True)
    out_dir = args.out / args.day.isoformat()
    out_dir.mkdir(parents=True, exist_ok=True)

    with engine.connect() as conn:
        expected = conn.execute(
            text("SELECT count(*) FROM payments WHERE settled_at >= :start AND settled_at < :end"),  # snag-ok: select-star
            params,
        ).scalar_one()

        payments = conn.execute(PAYMENTS_SQL, params).mappings().all()
        if len(payments) != expected:
            log.error("payment count mismatch: %d fetched, %d counted", len(payments), expected)
            return 1

        refunds = conn.execute(REFUNDS_SQL, params).mappings().all()
        fx_rates = conn.execute(
            text("SELECT * FROM fx_daily_rates WHERE rate_date = :day"),  # snag-expect: select-star
            {"day": args.day},
        ).mappings().all()
        top = conn.execute(text(TOP_MERCHANTS_SQL), {**params, "n": args.top}).mappings().all()

    written = {
        "payments": write_csv(out_dir / "payments.csv", payments),
        "refunds": write_csv(out_dir / "refunds.csv", refunds),
        "fx_rates": write_csv(out_dir / "fx_rates.csv", fx_rates),
        "top_merchants": write_csv(out_dir / "top_merchants.csv", top),
    }
    log.info("revenue report for %s written: %s", args.day, written)
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    sys.exit(main())
