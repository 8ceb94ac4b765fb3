"""Background worker that refreshes partner price snapshots.

The partner ingest service writes raw snapshots into the shared Redis under
`snapshot:<partner>`; this worker turns them into the search index. The index
itself is cached on local disk between runs, in a file only this worker writes.
"""

import base64
import json
import logging
import marshal
import os
import pickle

import redis
import requests
import yaml
from celery import Celery

log = logging.getLogger(__name__)

app = Celery("snapshots", broker=os.environ.get("BROKER_URL", "redis://localhost:6379/1"))
shared_cache = redis.Redis.from_url(os.environ.get("SHARED_REDIS_URL", "redis://localhost:6379/0"))

INDEX_CACHE = "/var/cache/snapshot-worker/index.pickle"
SETTINGS_FILE = "/etc/snapshot-worker/settings.yaml"
PARTNER_FEED = "https://feeds.partner.example.com/v2/snapshot"

with open(SETTINGS_FILE) as fh:
    SETTINGS = yaml.load(fh, Loader=yaml.FullLoader)  # snag-ok: code-injection


def _load_local_index():
    # Our own cache: written by _save_local_index below, in a directory only this
    # service account can write. Trusted like the code itself, so not a finding.
    if not os.path.exists(INDEX_CACHE):
        return {}
    with open(INDEX_CACHE, "rb") as fh:
        return pickle.load(fh)  # snag-ok: code-injection


def _save_local_index(index):
    tmp = INDEX_CACHE + ".tmp"
    with open(tmp, "wb") as fh:
        pickle.dump(index, fh)
    os.replace(tmp, INDEX_CACHE)


@app.task
def refresh_partner(partner: str):
    raw = shared_cache.get(f"snapshot:{partner}")
    if raw is None:
        log.info("no snapshot for %s", partner)
        return 0
    snapshot = pickle.loads(raw)  # snag-expect: code-injection
    index = _load_local_index()
    index[partner] = {sku: row["price"] for sku, row in snapshot.items()}
    _save_local_index(index)
    return len(snapshot)


@app.task
def refresh_partner_json(partner: str):
    raw = shared_cache.get(f"snapshot-json:{partner}")
    snapshot = json.loads(raw) if raw else {}  # snag-ok: code-injection
    index = _load_local_index()
    index[partner] = {sku: row["price"] for sku, row in snapshot.items()}
    _save_local_index(index)
    return len(snapshot)


@app.task
def pull_feed():
    resp = requests.get(PARTNER_FEED, timeout=30)
    resp.raise_for_status()
    rows = pickle.loads(base64.b64decode(resp.json()["payload"]))  # snag-expect: code-injection
    return len(rows)


@app.task
def pull_feed_rules():
    resp = requests.get(f"{PARTNER_FEED}/rules", timeout=30)
    resp.raise_for_status()
    scope = {}
    exec(marshal.loads(resp.content), scope)  # snag-expect: code-injection
    return sorted(scope)
