"""Nightly CSV export of shipped orders, with each order's customer (psycopg2)."""

import csv
import io

import psycopg2
import psycopg2.extras

SHIPPED = "SELECT id, customer_id, total_cents FROM orders WHERE shipped_on = %s"
CUSTOMER = "SELECT name, country FROM customers WHERE id = %s"
CUSTOMERS = "SELECT id, name, country FROM customers WHERE id = ANY(%s)"


def export_shipped(dsn, day):
    out = io.StringIO()
    writer = csv.writer(out)
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(SHIPPED, (day,))
        orders = cur.fetchall()
        for order_id, customer_id, total in orders:
            cur.execute(CUSTOMER, (customer_id,))  # snag-expect: n-plus-one
            name, country = cur.fetchone()  # snag-ok: n-plus-one
            writer.writerow([order_id, name, country, total])
    return out.getvalue()


def export_shipped_joined(dsn, day):
    out = io.StringIO()
    writer = csv.writer(out)
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(SHIPPED, (day,))
        orders = cur.fetchall()
        cur.execute(CUSTOMERS, ([customer_id for _, customer_id, _ in orders],))  # snag-ok: n-plus-one
        customers = {row[0]: row[1:] for row in cur.fetchall()}  # snag-ok: n-plus-one
        for order_id, customer_id, total in orders:
            name, country = customers[customer_id]
            writer.writerow([order_id, name, country, total])
    return out.getvalue()


def stream_shipped(dsn, day, sink):
    """Server-side cursor: rows arrive in batches of 2,000 as the loop asks."""
    with psycopg2.connect(dsn) as conn:
        with conn.cursor(name="shipped", cursor_factory=psycopg2.extras.DictCursor) as cur:
            cur.itersize = 2000
            cur.execute(SHIPPED, (day,))
            while True:
                rows = cur.fetchmany(500)  # snag-ok: n-plus-one
                if not rows:
                    break
                for row in rows:
                    sink.write(f"{row['id']},{row['total_cents']}\n")
