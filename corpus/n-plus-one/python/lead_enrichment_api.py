"""Lead enrichment service (FastAPI, async SQLAlchemy 2.0, httpx).

Leads come in from the marketing site; we attach the company and a geo lookup
before they reach the CRM.
"""

import asyncio
import os

import httpx
from fastapi import Depends, FastAPI, HTTPException
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from leads.models import Company, Lead

engine = create_async_engine(os.environ["DATABASE_URL"], pool_size=10, max_overflow=5)
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)

geo = httpx.AsyncClient(base_url="https://geo.example.net", timeout=httpx.Timeout(5.0))
crm = httpx.AsyncClient(
    base_url=os.environ["CRM_URL"],
    headers={"Authorization": f"Token {os.environ['CRM_TOKEN']}"},
    timeout=httpx.Timeout(10.0),
)

app = FastAPI(title="lead-enrichment")


class EnrichRequest(BaseModel):
    lead_ids: list[int]


class DomainsRequest(BaseModel):
    domains: list[str]


async def get_db():
    async with SessionLocal() as session:
        yield session


@app.on_event("shutdown")
async def close_clients():
    await geo.aclose()
    await crm.aclose()


@app.post("/leads/enrich")
async def enrich_leads(body: EnrichRequest, db: AsyncSession = Depends(get_db)):
    enriched = []
    for lead_id in body.lead_ids:
        lead = await db.get(Lead, lead_id)  # snag-expect: n-plus-one
        if lead is None:
            continue
        resp = await geo.get("/v1/ip", params={"ip": lead.last_ip})  # snag-expect: n-plus-one
        lead.country = resp.json().get("country_code")
        enriched.append(lead.id)
    await db.commit()
    return {"enriched": enriched}


@app.post("/leads/enrich/v2")
async def enrich_leads_batched(body: EnrichRequest, db: AsyncSession = Depends(get_db)):
    leads = (await db.scalars(select(Lead).where(Lead.id.in_(body.lead_ids)))).all()  # snag-ok: n-plus-one
    ips = sorted({lead.last_ip for lead in leads if lead.last_ip})  # snag-ok: n-plus-one
    resp = await geo.post("/v1/ip/batch", json={"ips": ips})  # snag-ok: n-plus-one
    resp.raise_for_status()
    countries = resp.json()["results"]
    for lead in leads:
        lead.country = countries.get(lead.last_ip)  # snag-ok: n-plus-one
    await db.commit()
    return {"enriched": [lead.id for lead in leads]}


@app.post("/companies/resolve")
async def resolve_companies(body: DomainsRequest, db: AsyncSession = Depends(get_db)):
    companies = [await db.scalar(select(Company).where(Company.domain == d)) for d in body.domains]  # snag-expect: n-plus-one
    return {d: (c.id if c else None) for d, c in zip(body.domains, companies)}


@app.post("/companies/resolve/v2")
async def resolve_companies_batched(body: DomainsRequest, db: AsyncSession = Depends(get_db)):
    rows = await db.execute(select(Company.domain, Company.id).where(Company.domain.in_(body.domains)))  # snag-ok: n-plus-one
    found = {domain: company_id for domain, company_id in rows}  # snag-ok: n-plus-one
    return {d: found.get(d) for d in body.domains}


@app.get("/geo/preview")
async def geo_preview(ips: str):
    addresses = [ip.strip() for ip in ips.split(",") if ip.strip()][:20]
    responses = await asyncio.gather(*(geo.get("/v1/ip", params={"ip": ip}) for ip in addresses))  # snag-expect: n-plus-one
    return {ip: r.json().get("country_code") for ip, r in zip(addresses, responses)}  # snag-ok: n-plus-one


@app.get("/crm/accounts")
async def crm_accounts(owner: str):
    """All CRM accounts of one owner; the CRM pages with an opaque cursor."""
    accounts = []
    params = {"owner": owner, "limit": 200}
    while True:
        resp = await crm.get("/api/accounts", params=params)  # snag-ok: n-plus-one
        resp.raise_for_status()
        page = resp.json()
        accounts.extend(page["data"])
        cursor = page.get("next_cursor")
        if not cursor:
            break
        params = {"owner": owner, "limit": 200, "cursor": cursor}
    return accounts


@app.post("/crm/push/{lead_id}")
async def push_to_crm(lead_id: int, db: AsyncSession = Depends(get_db)):
    lead = await db.get(Lead, lead_id)  # snag-ok: n-plus-one
    if lead is None:
        raise HTTPException(status_code=404)
    payload = {"email": lead.email, "company": lead.company_name, "country": lead.country}
    for attempt in range(3):
        resp = await crm.post("/api/leads", json=payload)  # snag-ok: n-plus-one
        if resp.status_code != 429:
            break
        await asyncio.sleep(float(resp.headers.get("Retry-After", 2 ** attempt)))
    resp.raise_for_status()
    return {"crm_id": resp.json()["id"]}


@app.post("/crm/push")
async def push_many_to_crm(body: EnrichRequest, db: AsyncSession = Depends(get_db)):
    leads = (await db.scalars(select(Lead).where(Lead.id.in_(body.lead_ids)))).all()
    created = {}
    for lead in leads:
        resp = await crm.post(  # snag-expect: n-plus-one
            "/api/leads",
            json={"email": lead.email, "company": lead.company_name, "country": lead.country},
        )
        created[lead.id] = resp.json()["id"]
    return created
