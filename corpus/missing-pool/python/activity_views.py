"""Views for the activity feed and rate limits (``activity`` Django app).

Events are written by the ingest service to MongoDB; counters and rate-limit
buckets live in Redis. The shared Mongo client is opened lazily, once per
worker process.
"""

import json
from functools import cache

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.http import require_GET, require_POST
from django_redis import get_redis_connection
from pymongo import DESCENDING, MongoClient
from rest_framework.response import Response
from rest_framework.views import APIView

PAGE_SIZE = 50

audit_log = MongoClient(settings.AUDIT_MONGO_URL, serverSelectionTimeoutMS=3000)["audit"]["entries"]  # snag-ok: missing-pool


@cache
def activity_events():
    """The events collection, on one client per worker process."""
    client = MongoClient(  # snag-ok: missing-pool
        settings.ACTIVITY_MONGO_URL,
        maxPoolSize=20,
        serverSelectionTimeoutMS=3000,
    )
    return client[settings.ACTIVITY_MONGO_DB]["events"]


class RateLimiter:
    """Fixed-window limiter over a dedicated Redis database."""

    def __init__(self, url: str, limit: int, window: int):
        self.redis = redis.Redis.from_url(url)  # snag-ok: missing-pool
        self.limit = limit
        self.window = window

    def hit(self, key: str) -> bool:
        bucket = f"rl:{key}"
        count = self.redis.incr(bucket)
        if count == 1:
            self.redis.expire(bucket, self.window)
        return count <= self.limit


export_limiter = RateLimiter(settings.RATELIMIT_REDIS_URL, limit=5, window=3600)


def _serialize(event: dict) -> dict:
    return {
        "id": str(event["_id"]),
        "kind": event["kind"],
        "actor": event.get("actor"),
        "at": event["at"].isoformat(),
    }


@login_required
@require_GET
def team_feed(request, team_id: int):
    events = activity_events()
    cursor = events.find({"team_id": team_id}).sort("at", DESCENDING).limit(PAGE_SIZE)
    return JsonResponse({"events": [_serialize(event) for event in cursor]})


@login_required
@require_GET
def user_feed(request):
    client = MongoClient(settings.ACTIVITY_MONGO_URL)  # snag-expect: missing-pool
    events = client[settings.ACTIVITY_MONGO_DB]["events"]
    cursor = events.find({"actor": request.user.username}).sort("at", DESCENDING).limit(PAGE_SIZE)
    payload = [_serialize(event) for event in cursor]
    client.close()
    return JsonResponse({"events": payload})


@login_required
@require_POST
def mark_seen(request):
    conn = get_redis_connection("default")  # snag-ok: missing-pool
    conn.set(f"feed:seen:{request.user.pk}", json.loads(request.body)["last_id"])
    return HttpResponse(status=204)


@method_decorator(login_required, name="dispatch")
class UnreadCountView(View):
    def get(self, request):
        counters = redis.Redis(  # snag-expect: missing-pool
            host=settings.REDIS_HOST,
            port=settings.REDIS_PORT,
            db=settings.COUNTER_DB,
            socket_timeout=2,
        )
        unread = counters.get(f"feed:unread:{request.user.pk}") or 0
        return JsonResponse({"unread": int(unread)})


class AuditTrailView(APIView):
    def get(self, request, object_id: str):
        entries = audit_log.find({"object_id": object_id}, {"_id": 0, "action": 1, "by": 1, "at": 1}).limit(PAGE_SIZE)
        return Response(list(entries))

    def post(self, request, object_id: str):
        mongo = MongoClient(settings.AUDIT_MONGO_URL, serverSelectionTimeoutMS=3000)  # snag-expect: missing-pool
        mongo["audit"]["entries"].insert_one({"object_id": object_id, "by": request.user.username, **request.data})
        return Response(status=201)


@login_required
@require_POST
def request_export(request):
    if not export_limiter.hit(f"export:{request.user.pk}"):
        return JsonResponse({"error": "too many exports, try again later"}, status=429)
    get_redis_connection("default").rpush("exports:pending", request.user.pk)  # snag-ok: missing-pool
    return JsonResponse({"queued": True}, status=202)
