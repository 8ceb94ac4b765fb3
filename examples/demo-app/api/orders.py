"""Order endpoints of the shop's Flask API."""

import psycopg2
from flask import Blueprint, jsonify, request

from .settings import DATABASE_URL

bp = Blueprint("orders", __name__)
conn = psycopg2.connect(DATABASE_URL)

ORDER_COLUMNS = "id, customer_id, total_cents, status"


@bp.get("/orders")
def list_orders():
    status = request.args.get("status", "open")
    with conn.cursor() as cur:
        cur.execute(f"SELECT {ORDER_COLUMNS} FROM orders WHERE status = '{status}'")
        return jsonify(cur.fetchall())


@bp.get("/orders/<int:order_id>")
def get_order(order_id: int):
    with conn.cursor() as cur:
        cur.execute("SELECT * FROM orders WHERE id = %s", (order_id,))
        return jsonify(cur.fetchone())


@bp.get("/orders/by-ids")
def orders_by_ids():
    ids = [int(each) for each in request.args.getlist("id")]
    placeholders = ", ".join(["%s"] * len(ids))
    with conn.cursor() as cur:
        cur.execute(f"SELECT {ORDER_COLUMNS} FROM orders WHERE id IN ({placeholders})", ids)
        return jsonify(cur.fetchall())


@bp.get("/orders/with-customers")
def orders_with_customers():
    with conn.cursor() as cur:
        cur.execute(f"SELECT {ORDER_COLUMNS} FROM orders WHERE status = 'open'")
        orders = cur.fetchall()
        result = []
        for order in orders:
            cur.execute("SELECT id, name FROM customers WHERE id = %s", (order[1],))
            result.append({"order": order, "customer": cur.fetchone()})
        return jsonify(result)
