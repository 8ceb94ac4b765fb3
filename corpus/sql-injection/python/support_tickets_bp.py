"""Ticket search and triage endpoints for the support dashboard."""

import logging
import os

from flask import Blueprint, abort, current_app, g, jsonify, request
from psycopg2.extras import RealDictCursor
from psycopg2.pool import ThreadedConnectionPool

bp = Blueprint("tickets", __name__, url_prefix="/api")
pool = ThreadedConnectionPool(1, 8, os.environ["DATABASE_URL"])
log = logging.getLogger(__name__)

TICKET_COLUMNS = "id, subject, status, priority, assignee_id, created_at"
PAGE_SIZE = 25


@bp.get("/tickets/search")
def search_tickets():
    q = request.args.get("q", "")
    conn = pool.getconn()
    try:
        cur = conn.cursor(cursor_factory=RealDictCursor)
        cur.execute(  # snag-expect: sql-injection
            f"SELECT {TICKET_COLUMNS} FROM tickets WHERE subject ILIKE '%{q}%' ORDER BY created_at DESC"
        )
        rows = cur.fetchall()
    finally:
        pool.putconn(conn)
    return jsonify(rows)


@bp.get("/tickets/lookup")
def lookup_tickets():
    q = request.args.get("q", "")
    conn = pool.getconn()
    try:
        cur = conn.cursor(cursor_factory=RealDictCursor)
        cur.execute(  # snag-ok: sql-injection
            f"SELECT {TICKET_COLUMNS} FROM tickets WHERE subject ILIKE %s ORDER BY created_at DESC", (f"%{q}%",)
        )
        rows = cur.fetchall()
    finally:
        pool.putconn(conn)
    return jsonify(rows)


@bp.get("/tickets")
def list_tickets():
    sort = request.args.get("sort", "created_at")
    limit = int(request.args.get("limit", PAGE_SIZE))
    sql = "SELECT {} FROM tickets ORDER BY {} LIMIT {}".format(TICKET_COLUMNS, sort, limit)
    conn = pool.getconn()
    try:
        cur = conn.cursor(cursor_factory=RealDictCursor)
        cur.execute(sql)  # snag-expect: sql-injection
        rows = cur.fetchall()
    finally:
        pool.putconn(conn)
    return jsonify(rows)


@bp.get("/tickets/recent")
def recent_tickets():
    limit = int(request.args.get("limit", PAGE_SIZE))
    conn = pool.getconn()
    try:
        cur = conn.cursor(cursor_factory=RealDictCursor)
        cur.execute(f"SELECT {TICKET_COLUMNS} FROM tickets ORDER BY created_at DESC LIMIT {limit}")  # snag-ok: sql-injection
        rows = cur.fetchall()
    finally:
        pool.putconn(conn)
    return jsonify(rows)


@bp.get("/agents/<username>/tickets")
def agent_tickets(username):
    conn = pool.getconn()
    try:
        cur = conn.cursor(cursor_factory=RealDictCursor)
        cur.execute("SELECT t.id, t.subject, t.status FROM tickets t JOIN agents a ON a.id = t.assignee_id WHERE a.username = '" + username + "'")  # snag-expect: sql-injection
        rows = cur.fetchall()
    finally:
        pool.putconn(conn)
    return jsonify(rows)


@bp.post("/tickets/<int:ticket_id>/tags")
def tag_ticket(ticket_id):
    tag = request.form["tag"]
    conn = pool.getconn()
    try:
        cur = conn.cursor()
        cur.execute("INSERT INTO ticket_tags (ticket_id, tag) VALUES (%d, '%s')" % (ticket_id, tag))  # snag-expect: sql-injection
        conn.commit()
    finally:
        pool.putconn(conn)
    return jsonify(ok=True), 201


@bp.post("/tickets/close")
def close_tickets():
    ids = request.get_json(force=True).get("ids") or []
    if not ids:
        abort(400)
    placeholders = ", ".join(["%s"] * len(ids))
    conn = pool.getconn()
    try:
        cur = conn.cursor()
        cur.execute(f"UPDATE tickets SET status = 'closed', closed_at = now() WHERE id IN ({placeholders})", ids)  # snag-ok: sql-injection
        closed = cur.rowcount
        conn.commit()
    finally:
        pool.putconn(conn)
    current_app.logger.info(f"closed via UPDATE tickets SET status = 'closed' WHERE id IN ({ids}) by {g.user}")  # snag-ok: sql-injection
    return jsonify(closed=closed)
