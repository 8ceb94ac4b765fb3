"""IP geolocation lookups for the fraud-scoring pipeline.

Small aiohttp service. Ranges come from the nightly GeoLite export loaded into a
local SQLite file; addresses missing from it fall back to the upstream provider,
which rate-limits us and answers 429 with a Retry-After header.
"""

import asyncio
import functools
import ipaddress
import json
import logging
import os
import sqlite3
import time
import urllib.error
import urllib.request

from aiohttp import ClientSession, ClientTimeout, web

log = logging.getLogger("geoip")

GEO_DB_PATH = os.environ.get("GEO_DB_PATH", "/var/lib/geoip/ranges.sqlite3")
UPSTREAM_URL = os.environ.get("GEO_UPSTREAM_URL", "https://geo.example.net/v2/lookup")
UPSTREAM_KEY = os.environ["GEO_UPSTREAM_KEY"]

ranges = sqlite3.connect(GEO_DB_PATH, check_same_thread=False)
ranges.row_factory = sqlite3.Row

RANGE_QUERY = "SELECT country, region, city, asn FROM ip_ranges WHERE start_int <= ? AND end_int >= ? LIMIT 1"


def lookup_range(ip_int: int) -> dict | None:
    row = ranges.execute(RANGE_QUERY, (ip_int, ip_int)).fetchone()  # snag-ok: blocking-in-async
    return dict(row) if row else None


async def locate(request: web.Request) -> web.Response:
    try:
        ip = ipaddress.ip_address(request.match_info["ip"])
    except ValueError:
        raise web.HTTPBadRequest(text="not an IP address")
    loop = asyncio.get_running_loop()
    found = await loop.run_in_executor(None, lookup_range, int(ip))
    if found is None:
        found = await upstream_lookup(request.app["http"], str(ip))
    return web.json_response({"ip": str(ip), **found})


async def locate_fast(request: web.Request) -> web.Response:
    """Same answer as `locate`, without the upstream fallback; used by the login path."""
    ip = ipaddress.ip_address(request.match_info["ip"])
    row = ranges.execute(RANGE_QUERY, (int(ip), int(ip))).fetchone()  # snag-expect: blocking-in-async
    if row is None:
        raise web.HTTPNotFound()
    return web.json_response({"ip": str(ip), **dict(row)})


async def upstream_lookup(http: ClientSession, ip: str) -> dict:
    async with http.get(UPSTREAM_URL, params={"ip": ip}, headers={"X-Api-Key": UPSTREAM_KEY}) as resp:  # snag-ok: blocking-in-async
        if resp.status == 429:
            retry_after = float(resp.headers.get("Retry-After", "1"))
            await asyncio.sleep(min(retry_after, 5.0))  # snag-ok: blocking-in-async
            raise web.HTTPServiceUnavailable(text="geo provider is rate limiting")
        resp.raise_for_status()
        return await resp.json()


async def upstream_lookup_legacy(ip: str) -> dict:
    """v1 endpoint, kept for the partners that still send IPv4-mapped IPv6 addresses."""
    req = urllib.request.Request(f"{UPSTREAM_URL}?ip={ip}&v=1", headers={"X-Api-Key": UPSTREAM_KEY})
    try:
        with urllib.request.urlopen(req, timeout=3) as resp:  # snag-expect: blocking-in-async
            return json.load(resp)
    except urllib.error.HTTPError as exc:
        if exc.code == 429:
            time.sleep(1.0)  # snag-expect: blocking-in-async
        raise web.HTTPServiceUnavailable(text=f"legacy provider failed: {exc.code}")


def fetch_json(req: urllib.request.Request, timeout: float) -> dict:
    with urllib.request.urlopen(req, timeout=timeout) as resp:  # snag-ok: blocking-in-async
        return json.load(resp)


async def upstream_lookup_threaded(ip: str) -> dict:
    req = urllib.request.Request(f"{UPSTREAM_URL}?ip={ip}", headers={"X-Api-Key": UPSTREAM_KEY})
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, functools.partial(fetch_json, req, 3.0))


async def open_http(app: web.Application):
    app["http"] = ClientSession(timeout=ClientTimeout(total=4))
    yield
    await app["http"].close()


def make_app() -> web.Application:
    app = web.Application()
    app.cleanup_ctx.append(open_http)
    app.router.add_get("/v1/locate/{ip}", locate)
    app.router.add_get("/v1/locate/{ip}/fast", locate_fast)
    return app


if __name__ == "__main__":
    web.run_app(make_app(), port=int(os.environ.get("PORT", "8081")))
