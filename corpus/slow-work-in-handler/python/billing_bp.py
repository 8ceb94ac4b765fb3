"""Billing blueprint: invoice PDFs, account statements, receipts and support mail.

Registered at /billing by create_app(). Invoices are rendered from the Jinja
templates in templates/billing/ with WeasyPrint. The `billing` RQ worker
(`rq worker billing`) imports render_invoice_job from this module and stores
the PDFs it makes in INVOICE_STORE.
"""

import io
import smtplib
from email.message import EmailMessage
from pathlib import Path

import pdfkit
from flask import Blueprint, abort, current_app, g, jsonify, render_template, request, send_file
from flask_mail import Message
from redis import Redis
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table
from rq import Queue
from weasyprint import HTML

from .auth import login_required
from .extensions import db, mail
from .models import Customer, Invoice, Payment

bp = Blueprint("billing", __name__, url_prefix="/billing")

INVOICE_STORE = Path("/srv/billing/invoices")
billing_queue = Queue("billing", connection=Redis.from_url("redis://localhost:6379/0"))


def _invoice_for_user(invoice_id: int) -> Invoice:
    invoice = Invoice.query.get_or_404(invoice_id)
    if invoice.account_id != g.user.account_id:
        abort(404)
    return invoice


def render_invoice_job(invoice_id: int) -> str:
    """RQ job: render one invoice to INVOICE_STORE and remember where it went."""
    invoice = db.session.get(Invoice, invoice_id)
    html = render_template("billing/invoice.html", invoice=invoice)
    target = INVOICE_STORE / f"{invoice.number}.pdf"
    HTML(string=html).write_pdf(target)  # snag-ok: slow-work-in-handler
    invoice.pdf_path = str(target)
    db.session.commit()
    return str(target)


@bp.get("/invoices/<int:invoice_id>/preview")
@login_required
def invoice_preview(invoice_id: int):
    return render_template("billing/invoice.html", invoice=_invoice_for_user(invoice_id))  # snag-ok: slow-work-in-handler


@bp.get("/invoices/<int:invoice_id>.pdf")
@login_required
def invoice_pdf(invoice_id: int):
    invoice = _invoice_for_user(invoice_id)
    html = render_template("billing/invoice.html", invoice=invoice)
    pdf = HTML(string=html, base_url=request.host_url).write_pdf()  # snag-expect: slow-work-in-handler
    return send_file(io.BytesIO(pdf), mimetype="application/pdf", download_name=f"{invoice.number}.pdf")


@bp.get("/invoices/<int:invoice_id>/download")
@login_required
def invoice_download(invoice_id: int):
    invoice = _invoice_for_user(invoice_id)
    if invoice.pdf_path:
        return send_file(invoice.pdf_path, mimetype="application/pdf", download_name=f"{invoice.number}.pdf")  # snag-ok: slow-work-in-handler
    job = billing_queue.enqueue(render_invoice_job, invoice.id, job_timeout=120)  # snag-ok: slow-work-in-handler
    return jsonify({"status": "rendering", "job": job.id}), 202


@bp.post("/invoices/<int:invoice_id>/email")
@login_required
def email_invoice(invoice_id: int):
    invoice = _invoice_for_user(invoice_id)
    html = render_template("billing/invoice.html", invoice=invoice)
    pdf = HTML(string=html).write_pdf()  # snag-expect: slow-work-in-handler
    msg = Message(  # snag-ok: slow-work-in-handler
        subject=f"Invoice {invoice.number}",
        recipients=[request.json.get("to") or invoice.customer.billing_email],
        body=render_template("billing/email/invoice.txt", invoice=invoice),
    )
    msg.attach(f"{invoice.number}.pdf", "application/pdf", pdf)
    mail.send(msg)  # snag-expect: slow-work-in-handler
    return jsonify({"sent": True})


@bp.get("/customers/<int:customer_id>/statement.pdf")
@login_required
def customer_statement(customer_id: int):
    customer = Customer.query.filter_by(id=customer_id, account_id=g.user.account_id).first_or_404()
    payments = Payment.query.filter_by(customer_id=customer.id).order_by(Payment.paid_at).all()
    styles = getSampleStyleSheet()
    rows = [["Date", "Reference", "Amount"]]
    rows += [[p.paid_at.strftime("%Y-%m-%d"), p.reference, f"{p.amount_cents / 100:.2f}"] for p in payments]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, title=f"Statement {customer.name}")
    doc.build([Paragraph(f"Statement for {customer.name}", styles["Title"]), Table(rows, repeatRows=1)])  # snag-expect: slow-work-in-handler
    buffer.seek(0)
    return send_file(buffer, mimetype="application/pdf", download_name="statement.pdf")


@bp.get("/payments/<int:payment_id>/receipt.pdf")
@login_required
def payment_receipt(payment_id: int):
    payment = Payment.query.get_or_404(payment_id)
    html = render_template("billing/receipt.html", payment=payment)
    pdf = pdfkit.from_string(html, False, options={"page-size": "A5", "quiet": ""})  # snag-expect: slow-work-in-handler
    return send_file(io.BytesIO(pdf), mimetype="application/pdf", download_name=f"receipt-{payment.id}.pdf")


@bp.post("/support")
@login_required
def contact_billing_support():
    config = current_app.config
    msg = EmailMessage()
    msg["Subject"] = f"[billing] {request.form['subject'][:120]}"
    msg["From"] = config["SUPPORT_SENDER"]
    msg["Reply-To"] = g.user.email
    msg["To"] = config["BILLING_SUPPORT_ADDRESS"]
    msg.set_content(request.form["message"])
    with smtplib.SMTP(config["SMTP_HOST"], 587, timeout=10) as smtp:  # snag-ok: slow-work-in-handler
        smtp.starttls()
        smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
        smtp.send_message(msg)  # snag-expect: slow-work-in-handler
    return jsonify({"status": "sent"})
