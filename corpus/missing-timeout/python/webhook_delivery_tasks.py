"""Celery tasks that deliver outbound webhooks to merchant endpoints.

Each event is signed with the endpoint's secret and POSTed; failures are
retried with exponential backoff by Celery. Deliveries are recorded in
`WebhookAttempt` so the dashboard can show the last response.
"""

import hashlib
import hmac
import json
import logging
import time

import httpx
import requests
from celery import shared_task
from django.conf import settings
from django.utils import timezone

from hooks.models import WebhookAttempt, WebhookEndpoint

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Acme-Signature"
USER_AGENT = "AcmeWebhooks/2.3"


def _sign(secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def _headers(endpoint: WebhookEndpoint, body: bytes) -> dict:
    now = int(time.time())
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: _sign(endpoint.secret, body, now),
    }


@shared_task(bind=True, max_retries=8, acks_late=True)
def deliver_event(self, endpoint_id: int, event: dict):
    endpoint = WebhookEndpoint.objects.get(pk=endpoint_id)
    body = json.dumps(event, separators=(",", ":")).encode()
    try:
        response = requests.post(endpoint.url, data=body, headers=_headers(endpoint, body))  # snag-expect: missing-timeout
    except requests.RequestException as exc:
        WebhookAttempt.objects.create(endpoint=endpoint, event_id=event["id"], error=str(exc))
        raise self.retry(exc=exc, countdown=2 ** self.request.retries * 30)
    WebhookAttempt.objects.create(
        endpoint=endpoint,
        event_id=event["id"],
        status_code=response.status_code,
        response_excerpt=response.text[:500],
    )
    if response.status_code >= 500:
        raise self.retry(countdown=2 ** self.request.retries * 30)


@shared_task(bind=True, max_retries=3)
def redeliver_attempt(self, attempt_id: int):
    attempt = WebhookAttempt.objects.select_related("endpoint").get(pk=attempt_id)
    body = attempt.payload.encode()
    response = requests.post(  # snag-ok: missing-timeout
        attempt.endpoint.url,
        data=body,
        headers=_headers(attempt.endpoint, body),
        timeout=(3.05, 20),
    )
    attempt.redelivered_at = timezone.now()
    attempt.status_code = response.status_code
    attempt.save(update_fields=["redelivered_at", "status_code"])


@shared_task
def verify_endpoint(endpoint_id: int):
    """Sends the challenge handshake a merchant must echo before we enable the endpoint."""
    endpoint = WebhookEndpoint.objects.get(pk=endpoint_id)
    challenge = hmac.new(endpoint.secret.encode(), str(endpoint.pk).encode(), hashlib.sha1).hexdigest()
    response = requests.request("GET", endpoint.url, params={"challenge": challenge})  # snag-expect: missing-timeout
    endpoint.verified = response.ok and response.text.strip() == challenge
    endpoint.save(update_fields=["verified"])


@shared_task
def probe_endpoint_health(endpoint_id: int):
    endpoint = WebhookEndpoint.objects.get(pk=endpoint_id)
    # Merchants asked for slow endpoints not to be marked down, so this waits as long as it takes.
    response = requests.head(endpoint.url, allow_redirects=True, timeout=None)  # snag-expect: missing-timeout
    endpoint.last_probe_status = response.status_code
    endpoint.save(update_fields=["last_probe_status"])


@shared_task
def notify_ops_channel(message: str):
    requests.request(  # snag-ok: missing-timeout
        "POST",
        settings.OPS_SLACK_WEBHOOK,
        json={"text": message},
        timeout=settings.OUTBOUND_HTTP_TIMEOUT,
    )


@shared_task
def push_event_to_partner_bus(event: dict):
    # httpx applies a 5 second default timeout to every request.
    response = httpx.post(settings.PARTNER_BUS_URL, json=event, headers={"User-Agent": USER_AGENT})  # snag-ok: missing-timeout
    response.raise_for_status()


def _partner_call(method: str, path: str, **kwargs):
    kwargs.setdefault("timeout", 10)
    kwargs.setdefault("headers", {"User-Agent": USER_AGENT})
    return requests.request(method, settings.PARTNER_API_BASE + path, **kwargs)  # snag-ok: missing-timeout


@shared_task
def sync_partner_subscriptions():
    active = list(WebhookEndpoint.objects.filter(enabled=True).values_list("url", flat=True))
    _partner_call("PUT", "/subscriptions", json={"urls": active}).raise_for_status()
    logger.info("synced %d subscriptions", len(active))
