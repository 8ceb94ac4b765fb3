"""Geocoding and timezone lookups for the scheduling service (FastAPI)."""

from contextlib import asynccontextmanager

import aiohttp
import httpx
import requests
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request

from app.settings import Settings, get_settings

router = APIRouter(prefix="/geo", tags=["geo"])

NOMINATIM = "https://nominatim.openstreetmap.org/search"
TIMEZONE_DB = "https://api.timezonedb.example/v2.1/get-time-zone"


@asynccontextmanager
async def lifespan(app: FastAPI):
    # Both clients come with library defaults: httpx 5 s, aiohttp 5 min total.
    app.state.http = httpx.AsyncClient(headers={"User-Agent": "scheduler/1.4"})  # snag-ok: missing-timeout
    app.state.aio = aiohttp.ClientSession(raise_for_status=True)  # snag-ok: missing-timeout
    # The elevation service streams large tiles; the team disabled the timeout for it.
    app.state.tiles = httpx.AsyncClient(base_url="https://tiles.elevation.example", timeout=None)  # snag-expect: missing-timeout
    yield
    await app.state.http.aclose()
    await app.state.aio.close()
    await app.state.tiles.aclose()


def http_client(request: Request) -> httpx.AsyncClient:
    return request.app.state.http


@router.get("/search")
async def search(q: str, client: httpx.AsyncClient = Depends(http_client)):
    response = await client.get(NOMINATIM, params={"q": q, "format": "jsonv2", "limit": 5})  # snag-ok: missing-timeout
    response.raise_for_status()
    return response.json()


@router.get("/timezone")
async def timezone(lat: float, lng: float, request: Request, settings: Settings = Depends(get_settings)):
    session: aiohttp.ClientSession = request.app.state.aio
    params = {"key": settings.timezonedb_key, "format": "json", "by": "position", "lat": lat, "lng": lng}
    async with session.get(TIMEZONE_DB, params=params) as resp:  # snag-ok: missing-timeout
        data = await resp.json()
    return {"zone": data["zoneName"], "offset": data["gmtOffset"]}


@router.get("/reverse")
async def reverse(lat: float, lng: float):
    response = requests.get(  # snag-expect: blocking-in-async, missing-timeout
        "https://nominatim.openstreetmap.org/reverse",
        params={"lat": lat, "lon": lng, "format": "jsonv2"},
        headers={"User-Agent": "scheduler/1.4"},
    )
    if response.status_code != 200:
        raise HTTPException(status_code=502, detail="reverse geocoding failed")
    return response.json()


@router.get("/elevation")
def elevation(lat: float, lng: float, settings: Settings = Depends(get_settings)):
    response = requests.get(  # snag-ok: missing-timeout
        "https://api.open-elevation.example/api/v1/lookup",
        params={"locations": f"{lat},{lng}"},
        timeout=settings.upstream_timeout_seconds,
    )
    response.raise_for_status()
    return response.json()["results"][0]


@router.get("/country")
def country(lat: float, lng: float):
    response = httpx.get("https://countries.example/v1/point", params={"lat": lat, "lng": lng})  # snag-ok: missing-timeout
    response.raise_for_status()
    return response.json()


@router.get("/weather")
def weather(lat: float, lng: float, settings: Settings = Depends(get_settings)):
    with httpx.Client(base_url="https://weather.example", timeout=None) as client:  # snag-expect: missing-pool, missing-timeout
        response = client.get("/v1/current", params={"lat": lat, "lng": lng, "key": settings.weather_key})
    return response.json()
