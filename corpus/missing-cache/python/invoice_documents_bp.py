"""Invoice documents blueprint: HTML preview, PDF download, bulk import.

Registered by the app factory in ledgerly/__init__.py under /invoices. The
database is the per-request sqlite3 connection from ledgerly.db; PDFs are
rendered with WeasyPrint from the templates in templates/pdf.
"""

import json
import re
from pathlib import Path

import jinja2
from flask import Blueprint, abort, current_app, jsonify, render_template, request
from jsonschema import Draft202012Validator
from markupsafe import Markup, escape
from weasyprint import HTML

from .db import get_db

bp = Blueprint("invoice_documents", __name__, url_prefix="/invoices")

SCHEMA_DIR = Path(__file__).parent / "schemas"
PDF_TEMPLATES = jinja2.FileSystemLoader(Path(__file__).parent / "templates" / "pdf")
IMPORT_VALIDATOR = Draft202012Validator(json.loads((SCHEMA_DIR / "invoice_import.json").read_text()))  # snag-ok: missing-cache


def load_invoice(invoice_id):
    db = get_db()
    row = db.execute("SELECT id, number, customer_name, issued_on, total_cents, status FROM invoices WHERE id = ?", (invoice_id,)).fetchone()  # snag-ok: missing-cache
    if row is None:
        abort(404)
    lines = db.execute("SELECT description, quantity, unit_cents FROM invoice_lines WHERE invoice_id = ? ORDER BY position", (invoice_id,)).fetchall()
    return row, lines


def normalise_skus(lines):
    out = []
    for line in lines:
        sku_re = re.compile(r"^(?P<family>[A-Z]{3})-?(?P<size>\d{2,3})(?P<variant>[A-Z]?)$")  # snag-expect: missing-cache
        m = sku_re.match(line["sku"].strip().upper())
        out.append({**line, "sku": f"{m['family']}-{m['size']}{m['variant']}" if m else line["sku"]})
    return out


def collapse_whitespace(lines):
    return [re.sub(r"\s+", " ", line["description"]).strip() for line in lines]  # snag-ok: missing-cache


@bp.get("/<int:invoice_id>")
def preview(invoice_id):
    invoice, lines = load_invoice(invoice_id)
    return render_template("invoices/preview.html", invoice=invoice, lines=lines)  # snag-ok: missing-cache


@bp.get("/<int:invoice_id>.pdf")
def download_pdf(invoice_id):
    invoice, lines = load_invoice(invoice_id)
    template = jinja2.Environment(loader=PDF_TEMPLATES, autoescape=True).get_template("invoice.html")  # snag-expect: missing-cache
    pdf = HTML(string=template.render(invoice=invoice, lines=lines), base_url=request.url_root).write_pdf()  # snag-expect: slow-work-in-handler
    return current_app.response_class(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{invoice["number"]}.pdf"',
    })


@bp.get("/<int:invoice_id>/email-body")
def email_body(invoice_id):
    invoice, lines = load_invoice(invoice_id)
    template = current_app.jinja_env.get_template("invoices/email.txt")  # snag-ok: missing-cache
    return template.render(invoice=invoice, lines=lines), 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.get("/search")
def search():
    term = request.args.get("q", "").strip()
    if len(term) < 2:
        return jsonify([])
    rows = get_db().execute("SELECT id, number, customer_name FROM invoices WHERE customer_name LIKE ? LIMIT 50", (f"%{term}%",)).fetchall()
    highlight = re.compile(re.escape(term), re.IGNORECASE)  # snag-ok: missing-cache
    return jsonify([
        {"id": r["id"], "number": r["number"], "customer": str(highlight.sub(lambda m: Markup("<mark>%s</mark>") % m[0], str(escape(r["customer_name"]))))}
        for r in rows
    ])


@bp.post("/import")
def import_invoices():
    payload = request.get_json(force=True)
    errors = [e.message for e in IMPORT_VALIDATOR.iter_errors(payload)]
    if errors:
        return jsonify({"errors": errors}), 422
    return jsonify({"accepted": len(payload["invoices"])}), 202


@bp.post("/credit-notes/import")
def import_credit_notes():
    payload = request.get_json(force=True)
    validator = Draft202012Validator(json.loads((SCHEMA_DIR / "credit_note_import.json").read_text()))  # snag-expect: missing-cache
    errors = [e.message for e in validator.iter_errors(payload)]
    if errors:
        return jsonify({"errors": errors}), 422
    return jsonify({"accepted": len(payload["credit_notes"])}), 202


@bp.post("/<int:invoice_id>/void")
def void_invoice(invoice_id):
    invoice, _lines = load_invoice(invoice_id)
    if invoice["status"] == "void":
        return jsonify({"status": "void"})
    db = get_db()
    reference = request.form.get("reference", "")
    if not re.match(r"^[A-Z]{2,4}-\d{4,8}$", reference):  # snag-ok: missing-cache
        return jsonify({"error": "reference must look like CN-20240117"}), 400
    db.execute("UPDATE invoices SET status = 'void', void_reference = ? WHERE id = ?", (reference, invoice_id))
    db.commit()
    status = db.execute("SELECT status FROM invoices WHERE id = ?", (invoice_id,)).fetchone()["status"]
    return jsonify({"status": status})


@bp.get("/<int:invoice_id>/status")
def invoice_status(invoice_id):
    db = get_db()
    row = db.execute("SELECT status, total_cents FROM invoices WHERE id = ?", (invoice_id,)).fetchone()  # snag-ok: missing-cache
    if row is None:
        abort(404)
    paid = db.execute("SELECT coalesce(sum(amount_cents), 0) AS paid FROM payments WHERE invoice_id = ?", (invoice_id,)).fetchone()["paid"]
    current = db.execute("SELECT status, total_cents FROM invoices WHERE id = ?", (invoice_id,)).fetchone()  # snag-expect: missing-cache
    return jsonify({"status": current["status"], "outstanding_cents": current["total_cents"] - paid})
