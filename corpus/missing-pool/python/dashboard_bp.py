"""Merchant dashboard API.

Blueprint mounted at /api/dashboard by ``create_app``. Order stats come from the
Postgres read replica, historical totals from the legacy MySQL warehouse, and
rendered tiles are cached in Redis for a few minutes.
"""

import json
import os
from datetime import date, timedelta

import psycopg2
import psycopg2.extras
import pymysql
import redis
from flask import Blueprint, abort, jsonify, request
from psycopg2.pool import ThreadedConnectionPool
from sqlalchemy import create_engine, text

bp = Blueprint("dashboard", __name__, url_prefix="/api/dashboard")

REPLICA_DSN = os.environ["REPLICA_DATABASE_URL"]
WAREHOUSE = {
    "host": os.environ.get("WAREHOUSE_HOST", "dw01.internal"),
    "user": os.environ.get("WAREHOUSE_USER", "reporting"),
    "password": os.environ.get("WAREHOUSE_PASSWORD", ""),
    "database": "legacy_dw",
}
TILE_TTL = 300

tiles = redis.Redis.from_url(os.environ["REDIS_URL"], decode_responses=True)  # snag-ok: missing-pool
replica_pool = ThreadedConnectionPool(1, 8, REPLICA_DSN)  # snag-ok: missing-pool
billing_engine = create_engine(os.environ["BILLING_DATABASE_URL"], pool_size=5, pool_pre_ping=True)  # snag-ok: missing-pool

DAILY_ORDERS = """
    SELECT created_at::date AS day, count(id) AS orders, sum(total_cents) AS revenue_cents
    FROM orders
    WHERE merchant_id = %s AND created_at >= %s
    GROUP BY 1
    ORDER BY 1
"""
TOP_PRODUCTS = """
    SELECT p.sku, p.title, sum(oi.quantity) AS units
    FROM order_items oi JOIN products p ON p.id = oi.product_id
    WHERE p.merchant_id = %s
    GROUP BY p.sku, p.title
    ORDER BY units DESC
    LIMIT 10
"""
YEARLY_TOTALS = "SELECT fiscal_year, gross_total, refunds FROM merchant_year_totals WHERE merchant_ref = %s ORDER BY fiscal_year"
OPEN_INVOICES = text("SELECT number, amount_due_cents, due_on FROM invoices WHERE merchant_id = :mid AND status = 'open'")


def _merchant_id() -> int:
    merchant_id = request.args.get("merchant", type=int)
    if merchant_id is None:
        abort(400, "merchant is required")
    return merchant_id


@bp.get("/orders/daily")
def daily_orders():
    merchant_id = _merchant_id()
    since = date.today() - timedelta(days=request.args.get("days", 30, type=int))
    conn = psycopg2.connect(REPLICA_DSN)  # snag-expect: missing-pool
    try:
        with conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
            cur.execute(DAILY_ORDERS, (merchant_id, since))
            rows = cur.fetchall()
    finally:
        conn.close()
    return jsonify([{**row, "day": row["day"].isoformat()} for row in rows])


@bp.get("/products/top")
def top_products():
    merchant_id = _merchant_id()
    conn = replica_pool.getconn()  # snag-ok: missing-pool
    try:
        with conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
            cur.execute(TOP_PRODUCTS, (merchant_id,))
            return jsonify(cur.fetchall())
    finally:
        replica_pool.putconn(conn)


@bp.get("/history")
def yearly_history():
    merchant_ref = request.args.get("ref", "")
    if not merchant_ref:
        abort(400, "ref is required")
    warehouse = pymysql.connect(  # snag-expect: missing-pool
        cursorclass=pymysql.cursors.DictCursor,
        connect_timeout=5,
        **WAREHOUSE,
    )
    with warehouse:
        with warehouse.cursor() as cur:
            cur.execute(YEARLY_TOTALS, (merchant_ref,))
            history = cur.fetchall()
    return jsonify(history)


@bp.get("/tiles/<name>")
def tile(name: str):
    merchant_id = _merchant_id()
    cached = tiles.get(f"tile:{merchant_id}:{name}")
    if cached is None:
        abort(404)
    return jsonify(json.loads(cached))


@bp.delete("/tiles")
def invalidate_tiles():
    merchant_id = _merchant_id()
    cache = redis.Redis(host=os.environ.get("REDIS_HOST", "localhost"), port=6379, db=2)  # snag-expect: missing-pool
    keys = list(cache.scan_iter(match=f"tile:{merchant_id}:*", count=500))
    if keys:
        cache.delete(*keys)
    return jsonify({"invalidated": len(keys)})


@bp.post("/tiles/refresh-flag")
def flag_refresh():
    merchant_id = _merchant_id()
    queue = redis.from_url(os.environ["REDIS_URL"])  # snag-expect: missing-pool
    queue.set(f"tile-refresh:{merchant_id}", "1", ex=TILE_TTL)
    return "", 202


@bp.get("/invoices/open")
def open_invoices():
    merchant_id = _merchant_id()
    with billing_engine.connect() as conn:  # snag-ok: missing-pool
        rows = conn.execute(OPEN_INVOICES, {"mid": merchant_id}).mappings().all()
    return jsonify([{**row, "due_on": row["due_on"].isoformat()} for row in rows])
