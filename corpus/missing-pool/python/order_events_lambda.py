"""AWS Lambda functions for the order event pipeline.

``ingest_handler`` is fed by the orders SQS queue and writes to the Aurora MySQL
cluster; ``lookup_handler`` sits behind API Gateway; ``digest_handler`` runs on an
EventBridge schedule. Handlers in serverless.yml point at this module.
"""

import json
import os
from datetime import datetime, timezone

import pymysql
import redis
from pymongo import MongoClient

DB = {
    "host": os.environ["DB_HOST"],
    "user": os.environ["DB_USER"],
    "password": os.environ["DB_PASSWORD"],
    "database": os.environ.get("DB_NAME", "orders"),
    "connect_timeout": 5,
}
INSERT_EVENT = "INSERT INTO order_events (order_id, kind, payload, received_at) VALUES (%s, %s, %s, %s)"
ORDER_STATUS = "SELECT status, updated_at FROM orders WHERE id = %s"

# Module scope runs once per execution environment; warm invocations reuse these.
dedupe = redis.Redis(host=os.environ["REDIS_HOST"], port=6379, socket_timeout=2)  # snag-ok: missing-pool
analytics = MongoClient(os.environ["ANALYTICS_MONGO_URL"], serverSelectionTimeoutMS=3000)  # snag-ok: missing-pool

_connection = None


def _db():
    """One MySQL connection per execution environment, reopened if it dropped."""
    global _connection
    if _connection is None or not _connection.open:
        _connection = pymysql.connect(**DB)  # snag-ok: missing-pool
    return _connection


def ingest_handler(event, context):
    received_at = datetime.now(timezone.utc)
    rows = []
    for record in event["Records"]:
        body = json.loads(record["body"])
        rows.append((body["order_id"], body["kind"], record["body"], received_at))
    conn = pymysql.connect(**DB)  # snag-expect: missing-pool
    try:
        with conn.cursor() as cur:
            cur.executemany(INSERT_EVENT, rows)
        conn.commit()
    finally:
        conn.close()
    return {"batchItemFailures": []}


def lookup_handler(event, context):
    order_id = int(event["pathParameters"]["order_id"])
    with _db().cursor() as cur:
        cur.execute(ORDER_STATUS, (order_id,))
        row = cur.fetchone()
    if row is None:
        return {"statusCode": 404, "body": json.dumps({"error": "order not found"})}
    status, updated_at = row
    return {"statusCode": 200, "body": json.dumps({"status": status, "updated_at": updated_at.isoformat()})}


def dedupe_handler(event, context):
    ids = [record["messageId"] for record in event["Records"]]
    pipe = dedupe.pipeline(transaction=False)
    for message_id in ids:
        pipe.set(f"evt:{message_id}", 1, nx=True, ex=86400)
    fresh = [message_id for message_id, was_set in zip(ids, pipe.execute()) if was_set]
    return {"fresh": fresh}


def digest_handler(event, context):
    client = MongoClient(os.environ["ANALYTICS_MONGO_URL"], serverSelectionTimeoutMS=3000)  # snag-expect: missing-pool
    daily = client["analytics"]["order_daily"]
    day = event.get("day") or datetime.now(timezone.utc).date().isoformat()
    summary = daily.find_one({"day": day}, {"_id": 0, "orders": 1, "revenue_cents": 1})
    client.close()
    return summary or {"orders": 0, "revenue_cents": 0}


def refund_counter_handler(event, context):
    counters = redis.from_url(os.environ["COUNTERS_REDIS_URL"], socket_timeout=2)  # snag-expect: missing-pool
    merchant = event["detail"]["merchant_id"]
    total = counters.incrby(f"refunds:{merchant}", int(event["detail"]["amount_cents"]))
    return {"merchant": merchant, "refunded_cents": total}


def analytics_handler(event, context):
    day = event.get("day") or datetime.now(timezone.utc).date().isoformat()
    doc = analytics["analytics"]["order_daily"].find_one({"day": day}, {"_id": 0})
    return doc or {}
