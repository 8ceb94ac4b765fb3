"""Month-end billing tasks (Celery beat, queue "billing").

convert_open_invoices runs nightly, send_dunning_reminders every morning,
export_ledger when finance closes a period in the admin.
"""

import logging
import time
from decimal import Decimal
from pathlib import Path

import requests
import yaml
from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import connection
from django.db.models import F
from django.template.loader import render_to_string

from billing.models import CreditNote, Invoice, LedgerExport

log = logging.getLogger(__name__)

FX_URL = "https://api.frankfurter.app/latest?from=EUR"
DUNNING_POLICY = Path(settings.BASE_DIR) / "billing" / "dunning.yaml"

http = requests.Session()
http.headers["User-Agent"] = "acme-billing/2.3"


@shared_task
def convert_open_invoices():
    invoices = list(Invoice.objects.filter(status=Invoice.OPEN).exclude(currency="EUR"))
    for invoice in invoices:
        rates = http.get(FX_URL, timeout=10).json()["rates"]  # snag-expect: missing-cache, n-plus-one
        invoice.amount_eur = (invoice.amount / Decimal(str(rates[invoice.currency]))).quantize(Decimal("0.01"))
    Invoice.objects.bulk_update(invoices, ["amount_eur"], batch_size=500)
    log.info("converted %d invoices to EUR", len(invoices))


@shared_task
def send_dunning_reminders():
    overdue = Invoice.objects.filter(status=Invoice.OVERDUE).select_related("customer")
    for invoice in overdue:
        policy = yaml.safe_load(DUNNING_POLICY.read_text())  # snag-expect: missing-cache
        stages = policy["stages"]
        stage = stages[min(invoice.reminders_sent, len(stages) - 1)]
        body = render_to_string("billing/dunning_email.txt", {"invoice": invoice, "stage": stage})  # snag-ok: missing-cache
        send_mail(stage["subject"], body, settings.BILLING_FROM_EMAIL, [invoice.customer.email])
    overdue.update(reminders_sent=F("reminders_sent") + 1)


@shared_task
def stamp_ledger_prefixes(account_ids):
    codes = []
    with connection.cursor() as cur:
        for account_id in account_ids:
            cur.execute("SELECT value FROM billing_settings WHERE key = %s", ["ledger_prefix"])  # snag-expect: missing-cache, n-plus-one
            prefix = cur.fetchone()[0]
            codes.append((f"{prefix}{account_id:08d}", account_id))
        cur.executemany("UPDATE billing_accounts SET ledger_code = %s WHERE id = %s", codes)


@shared_task(bind=True, max_retries=3, default_retry_delay=120)
def export_ledger(self, export_id):
    export = LedgerExport.objects.get(pk=export_id)
    job = http.post(f"{settings.LEDGER_API_URL}/exports", json={"period": export.period}, timeout=30).json()
    while True:
        status = http.get(f"{settings.LEDGER_API_URL}/exports/{job['id']}", timeout=10).json()  # snag-ok: missing-cache
        if status["state"] in ("done", "failed"):
            break
        time.sleep(5)
    export.state = status["state"]
    export.download_url = status.get("download_url", "")
    export.save(update_fields=["state", "download_url"])


@shared_task
def sync_customer_to_crm(customer_id):
    url = f"{settings.CRM_API_URL}/contacts/by-external/{customer_id}"
    resp = http.get(url, timeout=10)  # snag-ok: missing-cache
    if resp.status_code == 404:
        http.post(f"{settings.CRM_API_URL}/contacts", json={"external_id": customer_id}, timeout=10)
        return
    resp.raise_for_status()
    contact = http.get(url, timeout=10).json()  # snag-expect: missing-cache
    if contact.get("lifecycle") != "customer":
        http.patch(f"{settings.CRM_API_URL}/contacts/{contact['id']}", json={"lifecycle": "customer"}, timeout=10)


@shared_task
def issue_credit_and_rebill(invoice_id):
    invoice = Invoice.objects.get(pk=invoice_id)
    with connection.cursor() as cur:
        cur.execute("SELECT nextval('credit_note_number_seq')")  # snag-ok: missing-cache
        credit_no = cur.fetchone()[0]
        cur.execute("SELECT nextval('credit_note_number_seq')")  # snag-ok: missing-cache
        rebill_no = cur.fetchone()[0]
    CreditNote.objects.create(invoice=invoice, number=f"CN-{credit_no:07d}", amount=invoice.amount)
    Invoice.objects.create(customer=invoice.customer, number=f"RB-{rebill_no:07d}", amount=invoice.amount, currency=invoice.currency)


@shared_task
def retry_failed_webhook(delivery_url, payload):
    for attempt in range(4):
        try:
            resp = http.post(delivery_url, json=payload, timeout=10)  # snag-ok: missing-cache
            if resp.status_code < 500:
                return resp.status_code
        except requests.ConnectionError:
            log.warning("webhook delivery to %s failed (attempt %d)", delivery_url, attempt + 1)
        time.sleep(2 ** attempt)
    return None


@shared_task
def refresh_account_balances(account_ids):
    for account_id in account_ids:
        # snag-ok: missing-cache
        balance = http.get(f"{settings.LEDGER_API_URL}/accounts/{account_id}/balance", timeout=10).json()  # snag-expect: n-plus-one
        log.info("account %s balance %s", account_id, balance["amount"])
