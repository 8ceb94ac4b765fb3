"""Catalog blueprint: product listing, detail and search pages for the storefront."""

import logging
import os

from flask import Blueprint, abort, jsonify, request
from psycopg2.extras import RealDictCursor
from psycopg2.pool import ThreadedConnectionPool

log = logging.getLogger(__name__)

bp = Blueprint("catalog", __name__, url_prefix="/catalog")

pool = ThreadedConnectionPool(minconn=1, maxconn=10, dsn=os.environ["DATABASE_URL"])

PRODUCTS_TABLE = "catalog_product"
PAGE_SIZE = 50

# snag-expect: select-star
FEATURED_SQL = """
    SELECT p.*
    FROM catalog_product p
    JOIN catalog_featured f ON f.product_id = p.id
    WHERE f.active
    ORDER BY f.position
"""

# Shown on the /catalog/_debug page so support staff can reproduce lookups by hand.
MANUAL_QUERY_HINT = "SELECT * FROM catalog_product WHERE sku = '<sku>'"  # snag-ok: select-star


@bp.route("/featured")
def featured():
    conn = pool.getconn()
    try:
        cur = conn.cursor(cursor_factory=RealDictCursor)
        cur.execute(FEATURED_SQL)
        rows = cur.fetchall()
    finally:
        pool.putconn(conn)
    return jsonify(rows)


@bp.route("/products")
def list_products():
    page = int(request.args.get("page", 1))
    conn = pool.getconn()
    try:
        cur = conn.cursor(cursor_factory=RealDictCursor)
        cur.execute("SELECT count(*) AS total FROM catalog_product WHERE active")  # snag-ok: select-star
        total = cur.fetchone()["total"]
        cur.execute(
            "SELECT id, sku, name, price_cents FROM catalog_product WHERE active "
            "ORDER BY name LIMIT %s OFFSET %s",
            (PAGE_SIZE, (page - 1) * PAGE_SIZE),
        )
        items = cur.fetchall()
    finally:
        pool.putconn(conn)
    return jsonify(total=total, page=page, items=items)


@bp.route("/products/<int:product_id>")
def product_detail(product_id):
    conn = pool.getconn()
    try:
        cur = conn.cursor(cursor_factory=RealDictCursor)
        cur.execute(f"SELECT * FROM {PRODUCTS_TABLE} WHERE id = %s", (product_id,))  # snag-expect: select-star
        row = cur.fetchone()
    finally:
        pool.putconn(conn)
    if row is None:
        log.info("SELECT * FROM %s returned no row for id=%s", PRODUCTS_TABLE, product_id)  # snag-ok: select-star
        abort(404)
    return jsonify(row)


@bp.route("/products/<int:product_id>/availability")
def availability(product_id):
    conn = pool.getconn()
    try:
        cur = conn.cursor()
        cur.execute(
            "SELECT EXISTS (SELECT * FROM catalog_stock WHERE product_id = %s AND quantity > 0)",  # snag-ok: select-star
            (product_id,),
        )
        (in_stock,) = cur.fetchone()
    finally:
        pool.putconn(conn)
    return jsonify(product_id=product_id, in_stock=in_stock)


@bp.route("/sale")
def sale_prices():
    ids = request.args.getlist("id", type=int)
    conn = pool.getconn()
    try:
        cur = conn.cursor(cursor_factory=RealDictCursor)
        cur.execute(
            "SELECT id, sku, price_cents * (100 - discount_pct) / 100 AS sale_price_cents "  # snag-ok: select-star
            "FROM catalog_product WHERE id = ANY(%s)",
            (ids,),
        )
        rows = cur.fetchall()
    finally:
        pool.putconn(conn)
    return jsonify(rows)


@bp.route("/search")
def search():
    term = request.args.get("q", "").strip()
    if not term:
        return jsonify([])
    conn = pool.getconn()
    try:
        cur = conn.cursor(cursor_factory=RealDictCursor)
        cur.execute(
            "SELECT *, ts_rank(search_vector, plainto_tsquery(%s)) AS rank "  # snag-expect: select-star
            "FROM catalog_product WHERE search_vector @@ plainto_tsquery(%s) "
            "ORDER BY rank DESC LIMIT 20",
            (term, term),
        )
        rows = cur.fetchall()
    finally:
        pool.putconn(conn)
    return jsonify(rows)


@bp.route("/_debug")
def debug_info():
    return jsonify(table=PRODUCTS_TABLE, hint=MANUAL_QUERY_HINT)
