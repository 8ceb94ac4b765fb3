"""Ledger bridge: exposes balances from the legacy billing systems.

Starlette app in front of two old databases that have no async driver in our
stack yet: the MySQL ledger (pymysql) and the Postgres archive (psycopg2).
New account data is already in the main database, reached through asyncpg.
"""

import os
import time
from decimal import Decimal

import asyncpg
import psycopg2
import pymysql
import requests
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

ledger = pymysql.connect(
    host=os.environ["LEDGER_HOST"],
    user=os.environ["LEDGER_USER"],
    password=os.environ["LEDGER_PASSWORD"],
    database="ledger",
    autocommit=True,
    cursorclass=pymysql.cursors.DictCursor,
)
archive = psycopg2.connect(os.environ["ARCHIVE_DSN"])
archive.autocommit = True

FX_URL = os.environ.get("FX_URL", "https://fx.internal/api/rates")


def legacy_balance(account_no: str) -> Decimal:
    with ledger.cursor() as cursor:
        cursor.execute("SELECT balance FROM accounts WHERE account_no = %s", (account_no,))  # snag-ok: blocking-in-async
        row = cursor.fetchone()
    return Decimal(row["balance"]) if row else Decimal(0)


async def balance(request: Request) -> JSONResponse:
    account_no = request.path_params["account_no"]
    amount = await run_in_threadpool(legacy_balance, account_no)
    return JSONResponse({"account_no": account_no, "balance": str(amount)})


async def balance_with_fx(request: Request) -> JSONResponse:
    account_no = request.path_params["account_no"]
    currency = request.query_params.get("currency", "EUR")
    with ledger.cursor() as cursor:
        cursor.execute("SELECT balance, currency FROM accounts WHERE account_no = %s", (account_no,))  # snag-expect: blocking-in-async
        row = cursor.fetchone()
    if row is None:
        return JSONResponse({"error": "unknown account"}, status_code=404)
    rates = requests.get(FX_URL, params={"base": row["currency"], "symbols": currency}, timeout=3).json()  # snag-expect: blocking-in-async
    converted = Decimal(row["balance"]) * Decimal(str(rates["rates"][currency]))
    return JSONResponse({"account_no": account_no, "currency": currency, "balance": str(converted)})


async def archived_statements(request: Request) -> JSONResponse:
    account_no = request.path_params["account_no"]
    year = int(request.query_params.get("year", "2019"))
    with archive.cursor() as cur:
        cur.execute(  # snag-expect: blocking-in-async
            "SELECT statement_id, period_end, closing_balance FROM statements"
            " WHERE account_no = %s AND extract(year FROM period_end) = %s ORDER BY period_end",
            (account_no, year),
        )
        rows = cur.fetchall()
    return JSONResponse([{"id": r[0], "period_end": r[1].isoformat(), "closing": str(r[2])} for r in rows])


async def current_account(request: Request) -> JSONResponse:
    pool: asyncpg.Pool = request.app.state.pool
    row = await pool.fetchrow(  # snag-ok: blocking-in-async
        "SELECT account_no, holder_name, opened_at FROM accounts WHERE account_no = $1",
        request.path_params["account_no"],
    )
    if row is None:
        return JSONResponse({"error": "unknown account"}, status_code=404)
    return JSONResponse({"account_no": row["account_no"], "holder": row["holder_name"], "opened_at": row["opened_at"].isoformat()})


async def close_account(request: Request) -> JSONResponse:
    account_no = request.path_params["account_no"]
    pool: asyncpg.Pool = request.app.state.pool
    await pool.execute("UPDATE accounts SET closed_at = now() WHERE account_no = $1", account_no)  # snag-ok: blocking-in-async
    with ledger.cursor() as cursor:
        cursor.execute("UPDATE accounts SET status = 'closed' WHERE account_no = %s", (account_no,))  # snag-expect: blocking-in-async
    # The ledger replicates to the reporting replica a moment later.
    time.sleep(0.5)  # snag-expect: blocking-in-async
    return JSONResponse({"account_no": account_no, "status": "closed"})


async def on_startup() -> None:
    app.state.pool = await asyncpg.create_pool(os.environ["DATABASE_URL"], min_size=1, max_size=10)


app = Starlette(
    routes=[
        Route("/accounts/{account_no}", current_account),
        Route("/accounts/{account_no}/balance", balance),
        Route("/accounts/{account_no}/balance/fx", balance_with_fx),
        Route("/accounts/{account_no}/statements", archived_statements),
        Route("/accounts/{account_no}/close", close_account, methods=["POST"]),
    ],
    on_startup=[on_startup],
)
