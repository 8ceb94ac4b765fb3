"""Back-office report endpoints (Flask + SQLAlchemy Core on PostgreSQL)."""

from datetime import date

from flask import Blueprint, abort, g, jsonify, request
from sqlalchemy import text

from backoffice.db import engine

reports = Blueprint("reports", __name__, url_prefix="/reports")

SORT_COLUMNS = {
    "newest": "o.created_at DESC",
    "oldest": "o.created_at ASC",
    "total": "o.total_cents DESC",
}
BASE_ORDERS = (
    "SELECT o.id, o.reference, o.status, o.total_cents, c.email "
    "FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.deleted_at IS NULL"
)


@reports.get("/orders")
def orders_report():
    sql = BASE_ORDERS
    status = request.args.get("status")
    if status:
        sql += " AND o.status = '" + status + "'"
    sql += " ORDER BY o.created_at DESC LIMIT 200"
    with engine.connect() as conn:
        rows = conn.execute(text(sql)).mappings().all()  # snag-expect: sql-injection
    return jsonify([dict(r) for r in rows])


@reports.get("/orders/by-customer")
def orders_by_customer():
    raw_email = request.args["email"]
    email = raw_email.strip().lower()
    where = f"c.email = '{email}'"
    sql = BASE_ORDERS + " AND " + where
    with engine.connect() as conn:
        rows = conn.execute(text(sql)).mappings().all()  # snag-expect: sql-injection
    return jsonify([dict(r) for r in rows])


@reports.get("/orders/sorted")
def orders_sorted():
    if "sort" in request.args:
        order_by = request.args["sort"]
    else:
        order_by = "o.created_at DESC"
    with engine.connect() as conn:
        rows = conn.execute(text(f"{BASE_ORDERS} ORDER BY {order_by} LIMIT 100")).mappings().all()  # snag-expect: sql-injection
    return jsonify([dict(r) for r in rows])


@reports.get("/orders/sorted-safe")
def orders_sorted_safe():
    order_by = SORT_COLUMNS.get(request.args.get("sort", "newest"), "o.created_at DESC")
    with engine.connect() as conn:
        rows = conn.execute(text(f"{BASE_ORDERS} ORDER BY {order_by} LIMIT 100")).mappings().all()  # snag-ok: sql-injection
    return jsonify([dict(r) for r in rows])


@reports.get("/orders/search")
def orders_search():
    clauses = ["o.deleted_at IS NULL"]
    for field in ("reference", "status", "currency"):
        value = request.args.get(field)
        if value:
            clauses.append(f"o.{field} = '{value}'")
    sql = "SELECT o.id, o.reference, o.status FROM orders o WHERE " + " AND ".join(clauses)
    with engine.connect() as conn:
        rows = conn.execute(text(sql)).mappings().all()  # snag-expect: sql-injection
    return jsonify([dict(r) for r in rows])


@reports.get("/orders/search-bound")
def orders_search_bound():
    clauses = ["o.deleted_at IS NULL"]
    params = {}
    for field in ("reference", "status", "currency"):
        value = request.args.get(field)
        if value:
            clauses.append(f"o.{field} = :{field}")
            params[field] = value
    sql = "SELECT o.id, o.reference, o.status FROM orders o WHERE " + " AND ".join(clauses)
    with engine.connect() as conn:
        rows = conn.execute(text(sql), params).mappings().all()  # snag-ok: sql-injection
    return jsonify([dict(r) for r in rows])


@reports.get("/orders/page")
def orders_page():
    page = int(request.args.get("page", "1"))
    per_page = min(int(request.args.get("per_page", "50")), 200)
    offset = (page - 1) * per_page
    sql = BASE_ORDERS
    sql += f" ORDER BY o.id LIMIT {per_page} OFFSET {offset}"
    with engine.connect() as conn:
        rows = conn.execute(text(sql)).mappings().all()  # snag-ok: sql-injection
    return jsonify([dict(r) for r in rows])


@reports.get("/orders/open")
def open_orders():
    sql = BASE_ORDERS + " AND o.status = 'open'"
    if request.args.get("include_pending"):
        sql += " OR o.status = 'pending'"
    if request.args.get("large_only") == "1":
        sql += " AND o.total_cents >= 100000"
    with engine.connect() as conn:
        rows = conn.execute(text(sql)).mappings().all()  # snag-ok: sql-injection
    return jsonify([dict(r) for r in rows])


@reports.get("/revenue")
def revenue():
    scope = request.args.get("scope", "mine")
    if g.user.is_finance:
        scope = "1 = 1"
    else:
        scope = "o.account_manager_id = :me"
    sql = f"SELECT date_trunc('day', o.created_at) AS day, sum(o.total_cents) FROM orders o WHERE {scope} GROUP BY 1"
    with engine.connect() as conn:
        rows = conn.execute(text(sql), {"me": g.user.id}).all()  # snag-ok: sql-injection
    return jsonify([{"day": r[0].isoformat(), "cents": r[1]} for r in rows])


@reports.get("/revenue/region")
def revenue_by_region():
    region = request.args.get("region", "EU")
    if region not in {"EU", "US", "APAC"}:
        abort(400)
    label = region
    if g.user.is_finance:
        label = request.args.get("label", region)
    sql = "SELECT sum(total_cents) FROM orders WHERE region = '%s'" % label
    with engine.connect() as conn:
        total = conn.execute(text(sql)).scalar()  # snag-expect: sql-injection
    return jsonify({"region": region, "cents": total})


@reports.get("/signups")
def signups():
    since = request.args.get("since")
    since_date = date.fromisoformat(since) if since else date(2020, 1, 1)
    template = "SELECT count(id) FROM customers WHERE created_at >= '{}' AND email LIKE '%{}'"
    sql = template.format(since_date.isoformat(), request.args.get("domain", "example.com"))
    with engine.connect() as conn:
        count = conn.execute(text(sql)).scalar()  # snag-expect: sql-injection
    return jsonify({"signups": count})


@reports.get("/signups/audit")
def signups_audit():
    domain = request.args.get("domain", "")
    note = f"signups audit for domain '{domain}' by {g.user.email}"
    sql = "INSERT INTO audit_log (actor_id, note) VALUES (:actor, :note)"
    with engine.begin() as conn:
        conn.execute(text(sql), {"actor": g.user.id, "note": note})  # snag-ok: sql-injection
    return "", 204
