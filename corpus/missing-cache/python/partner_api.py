"""Partner API: quotes, rate limits and signed settlement statements.

Mounted at /partners by app.main. Partners authenticate with an RS256 JWT they
sign with their own key; we sign statements with ours. The asyncpg pool and
the httpx client are created in app.main's lifespan and reach the routes
through app.deps.
"""

from functools import lru_cache
from pathlib import Path

import asyncpg
import httpx
import jwt
import yaml
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from fastapi import APIRouter, Depends, Header, HTTPException
from pydantic import BaseModel

from app.deps import get_http, get_pool

router = APIRouter(prefix="/partners", tags=["partners"])

CONFIG_DIR = Path(__file__).resolve().parent / "config"
KEY_DIR = Path("/run/secrets")


class QuoteItem(BaseModel):
    sku: str
    quantity: int


class QuoteRequest(BaseModel):
    items: list[QuoteItem]


@lru_cache(maxsize=1)
def statement_signing_key():
    pem = (KEY_DIR / "statement_signing.pem").read_bytes()
    return serialization.load_pem_private_key(pem, password=None)  # snag-ok: missing-cache


async def current_partner(authorization: str = Header(...), pool: asyncpg.Pool = Depends(get_pool)) -> str:
    token = authorization.removeprefix("Bearer ")
    partner_id = jwt.get_unverified_header(token).get("kid", "")
    pem = await pool.fetchval("SELECT public_key_pem FROM partner_keys WHERE partner_id = $1 AND revoked_at IS NULL", partner_id)
    if pem is None:
        raise HTTPException(status_code=401, detail="unknown partner key")
    public_key = serialization.load_pem_public_key(pem.encode())  # snag-ok: missing-cache
    jwt.decode(token, public_key, algorithms=["RS256"], audience="partners")
    return partner_id


@router.get("/limits")
def partner_limits(partner_id: str = Depends(current_partner)):
    limits = yaml.safe_load((CONFIG_DIR / "partner_limits.yaml").read_text())  # snag-expect: missing-cache
    return limits.get(partner_id, limits["default"])


@router.post("/quotes")
async def bulk_quote(quote: QuoteRequest, partner_id: str = Depends(current_partner), pool: asyncpg.Pool = Depends(get_pool)):
    quotes = []
    for item in quote.items:
        markup_bps = await pool.fetchval("SELECT markup_bps FROM partner_accounts WHERE partner_id = $1", partner_id)  # snag-expect: missing-cache, n-plus-one
        # snag-ok: missing-cache
        price = await pool.fetchval("SELECT price_cents FROM products WHERE sku = $1", item.sku)  # snag-expect: n-plus-one
        quotes.append({"sku": item.sku, "unit_cents": price * (10_000 + markup_bps) // 10_000, "quantity": item.quantity})
    return {"quotes": quotes}


@router.get("/balance")
async def balance(partner_id: str = Depends(current_partner), pool: asyncpg.Pool = Depends(get_pool)):
    owed = await pool.fetchval("SELECT coalesce(sum(amount_cents), 0) FROM settlements WHERE partner_id = $1 AND paid_at IS NULL", partner_id)  # snag-ok: missing-cache
    if owed == 0:
        return {"owed_cents": 0, "next_payout": None}
    next_payout = await pool.fetchval("SELECT min(due_on) FROM settlements WHERE partner_id = $1 AND paid_at IS NULL", partner_id)
    return {
        "owed_cents": await pool.fetchval("SELECT coalesce(sum(amount_cents), 0) FROM settlements WHERE partner_id = $1 AND paid_at IS NULL", partner_id),  # snag-expect: missing-cache
        "next_payout": next_payout,
    }


@router.get("/statements/{period}")
async def signed_statement(period: str, partner_id: str = Depends(current_partner), pool: asyncpg.Pool = Depends(get_pool)):
    rows = await pool.fetch("SELECT id, amount_cents, booked_on FROM settlements WHERE partner_id = $1 AND period = $2 ORDER BY id", partner_id, period)
    body = "\n".join(f"{r['id']},{r['amount_cents']},{r['booked_on']}" for r in rows).encode()
    signature = statement_signing_key().sign(body, padding.PKCS1v15(), hashes.SHA256())
    return {"statement": body.decode(), "signature": signature.hex()}


@router.get("/statements/{period}/legacy")
async def signed_statement_legacy(period: str, partner_id: str = Depends(current_partner), pool: asyncpg.Pool = Depends(get_pool)):
    rows = await pool.fetch("SELECT id, amount_cents, booked_on FROM settlements WHERE partner_id = $1 AND period = $2 ORDER BY id", partner_id, period)
    body = "\n".join(f"{r['id']},{r['amount_cents']},{r['booked_on']}" for r in rows).encode()
    key = serialization.load_pem_private_key((KEY_DIR / "statement_signing.pem").read_bytes(), password=None)  # snag-expect: missing-cache, blocking-in-async
    return {"statement": body.decode(), "signature": key.sign(body, padding.PKCS1v15(), hashes.SHA256()).hex()}


@router.get("/catalogue/{page}")
async def catalogue_page(page: int, http: httpx.AsyncClient = Depends(get_http)):
    resp = await http.get(f"https://pim.internal/api/products?page={page}")  # snag-ok: missing-cache
    if resp.status_code == 307:
        resp = await http.get(resp.headers["Location"])  # snag-ok: missing-cache
    resp.raise_for_status()
    return resp.json()
