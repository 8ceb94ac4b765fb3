"""Pricing service: quotes, FX conversion and competitor price checks.

FastAPI app served by uvicorn behind the storefront. The asyncpg pool and the
catalog client are opened in the lifespan hook and live on ``app.state``; the
FX client is a cached dependency shared by the sync endpoints.
"""

from contextlib import asynccontextmanager
from decimal import Decimal
from functools import lru_cache

import aiohttp
import asyncpg
import httpx
from fastapi import Depends, FastAPI, HTTPException, Request
from pydantic import BaseModel
from pydantic_settings import BaseSettings
from sqlalchemy import create_engine, text


class Settings(BaseSettings):
    database_url: str
    legacy_database_url: str
    fx_api_url: str = "https://api.fxrates.io/v2"
    fx_api_key: str = ""
    catalog_api_url: str = "http://catalog.internal:8080"
    scraper_url: str = "http://scraper.internal:9000"


class CompetitorCheck(BaseModel):
    sku: str
    competitors: list[str]


@lru_cache
def get_settings() -> Settings:
    return Settings()


@lru_cache
def get_fx_client() -> httpx.Client:
    settings = get_settings()
    return httpx.Client(  # snag-ok: missing-pool
        base_url=settings.fx_api_url,
        headers={"X-Api-Key": settings.fx_api_key},
        timeout=httpx.Timeout(5.0, connect=2.0),
    )


@asynccontextmanager
async def lifespan(app: FastAPI):
    settings = get_settings()
    app.state.db = await asyncpg.create_pool(settings.database_url, min_size=2, max_size=10)  # snag-ok: missing-pool
    app.state.catalog = httpx.AsyncClient(base_url=settings.catalog_api_url, timeout=10.0)  # snag-ok: missing-pool
    yield
    await app.state.catalog.aclose()
    await app.state.db.close()


app = FastAPI(title="pricing", lifespan=lifespan)


@app.get("/quotes/{sku}")
async def quote(sku: str, request: Request):
    async with request.app.state.db.acquire() as conn:  # snag-ok: missing-pool
        row = await conn.fetchrow("SELECT sku, list_price, currency FROM prices WHERE sku = $1", sku)
    if row is None:
        raise HTTPException(status_code=404, detail="unknown sku")
    return dict(row)


@app.get("/fx/{base}/{target}")
def convert(base: str, target: str, amount: Decimal, fx: httpx.Client = Depends(get_fx_client)):
    resp = fx.get("/latest", params={"base": base, "symbols": target})
    resp.raise_for_status()
    rate = Decimal(str(resp.json()["rates"][target]))
    return {"amount": str((amount * rate).quantize(Decimal("0.01"))), "currency": target}


@app.get("/fx/{base}/{target}/live")
def convert_live(base: str, target: str, amount: Decimal, settings: Settings = Depends(get_settings)):
    with httpx.Client(base_url=settings.fx_api_url, timeout=5.0) as client:  # snag-expect: missing-pool
        resp = client.get("/live", params={"base": base, "symbols": target, "key": settings.fx_api_key})
    resp.raise_for_status()
    rate = Decimal(str(resp.json()["rates"][target]))
    return {"amount": str((amount * rate).quantize(Decimal("0.01"))), "currency": target}


@app.get("/catalog/{sku}/availability")
async def availability(sku: str, settings: Settings = Depends(get_settings)):
    async with httpx.AsyncClient(base_url=settings.catalog_api_url, timeout=10.0) as client:  # snag-expect: missing-pool
        resp = await client.get(f"/items/{sku}/stock")
    if resp.status_code == 404:
        raise HTTPException(status_code=404, detail="unknown sku")
    return resp.json()


@app.get("/catalog/{sku}")
async def catalog_item(sku: str, request: Request):
    resp = await request.app.state.catalog.get(f"/items/{sku}")
    if resp.status_code == 404:
        raise HTTPException(status_code=404, detail="unknown sku")
    return resp.json()


@app.post("/competitors/check")
async def check_competitors(body: CompetitorCheck, settings: Settings = Depends(get_settings)):
    timeout = aiohttp.ClientTimeout(total=15)
    async with aiohttp.ClientSession(base_url=settings.scraper_url, timeout=timeout) as session:  # snag-expect: missing-pool
        async with session.post("/scrape/prices", json={"sku": body.sku, "sites": body.competitors}) as resp:
            resp.raise_for_status()
            prices = await resp.json()
    return {"sku": body.sku, "lowest": min(prices.values(), default=None), "prices": prices}


@app.get("/history/{sku}")
async def price_history(sku: str, settings: Settings = Depends(get_settings)):
    conn = await asyncpg.connect(settings.database_url)  # snag-expect: missing-pool
    try:
        rows = await conn.fetch(
            "SELECT changed_at, old_price, new_price FROM price_changes WHERE sku = $1 ORDER BY changed_at DESC LIMIT 50",
            sku,
        )
    finally:
        await conn.close()
    return [dict(row) for row in rows]


@app.get("/legacy/{sku}")
def legacy_price(sku: str, settings: Settings = Depends(get_settings)):
    engine = create_engine(settings.legacy_database_url)  # snag-expect: missing-pool
    with engine.connect() as conn:
        row = conn.execute(text("SELECT price_cents FROM item_master WHERE item_code = :sku"), {"sku": sku}).first()
    if row is None:
        raise HTTPException(status_code=404, detail="not in legacy catalog")
    return {"sku": sku, "price_cents": row.price_cents}
