"""End-to-end tests for the billing webhook receiver, run against the live dev server."""

import json
import os

import pytest
import requests

BASE_URL = os.environ.get("BILLING_TEST_URL", "http://127.0.0.1:8000")


@pytest.fixture
def invoice_paid_event():
    return {
        "id": "evt_test_1",
        "type": "invoice.paid",
        "data": {"object": {"id": "in_test_1", "customer": "cus_test_1", "amount_paid": 4200}},
    }


def test_rejects_unsigned_events(invoice_paid_event):
    response = requests.post(f"{BASE_URL}/webhooks/billing", json=invoice_paid_event)  # snag-ok: missing-timeout
    assert response.status_code == 400


def test_accepts_signed_event(invoice_paid_event, sign):
    body = json.dumps(invoice_paid_event)
    response = requests.post(  # snag-ok: missing-timeout
        f"{BASE_URL}/webhooks/billing",
        data=body,
        headers={"Content-Type": "application/json", "Billing-Signature": sign(body)},
    )
    assert response.status_code == 200


def test_invoice_visible_after_webhook(invoice_paid_event, sign, auth_headers):
    body = json.dumps(invoice_paid_event)
    requests.post(f"{BASE_URL}/webhooks/billing", data=body, headers={"Billing-Signature": sign(body)})  # snag-ok: missing-timeout
    session = requests.Session()
    session.headers.update(auth_headers)
    invoice = session.get(f"{BASE_URL}/api/invoices/in_test_1").json()  # snag-ok: missing-timeout
    assert invoice["status"] == "paid"
