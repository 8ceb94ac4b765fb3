"""Document storage endpoints.

Tenants upload signed contracts and scanned forms; the bytes live on the shared
volume mounted at DOCUMENT_ROOT and the metadata in Postgres (asyncpg pool on
app.state.db). Every upload and download is reported to the audit service.
Mounted by app.main under /documents.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
from pathlib import Path
from uuid import UUID, uuid4

import aiofiles
import asyncpg
import requests
from fastapi import APIRouter, Depends, HTTPException, Request, UploadFile
from fastapi.responses import Response

log = logging.getLogger(__name__)

router = APIRouter(prefix="/documents", tags=["documents"])

DOCUMENT_ROOT = Path(os.environ.get("DOCUMENT_ROOT", "/srv/documents"))
AUDIT_URL = os.environ.get("AUDIT_URL", "http://audit.internal:8080/events")
CONTENT_TYPES = json.loads(Path(__file__).with_name("content_types.json").read_text())  # snag-ok: blocking-in-async

audit = requests.Session()
audit.headers["User-Agent"] = "documents-api/2.3"


async def get_db(request: Request) -> asyncpg.Pool:
    return request.app.state.db


def tenant_dir(tenant_id: UUID) -> Path:
    return DOCUMENT_ROOT / str(tenant_id)


@router.post("/{tenant_id}", status_code=201)
async def upload_document(tenant_id: UUID, file: UploadFile, db: asyncpg.Pool = Depends(get_db)) -> dict:
    doc_id = uuid4()
    payload = await file.read()
    digest = hashlib.sha256(payload).hexdigest()
    content_type = file.content_type or content_type_for(file.filename or "")
    target = tenant_dir(tenant_id) / f"{doc_id}.bin"
    with open(target, "wb") as out:  # snag-expect: blocking-in-async
        out.write(payload)
    await db.execute(
        "INSERT INTO documents (id, tenant_id, filename, content_type, sha256, size) VALUES ($1, $2, $3, $4, $5, $6)",
        doc_id, tenant_id, file.filename, content_type, digest, len(payload),
    )
    audit.post(AUDIT_URL, json={"event": "document.uploaded", "id": str(doc_id)}, timeout=5)  # snag-expect: blocking-in-async
    return {"id": str(doc_id), "sha256": digest}


@router.get("/{tenant_id}/{doc_id}")
async def download_document(tenant_id: UUID, doc_id: UUID, db: asyncpg.Pool = Depends(get_db)) -> Response:
    row = await db.fetchrow(
        "SELECT filename, content_type FROM documents WHERE id = $1 AND tenant_id = $2", doc_id, tenant_id
    )
    if row is None:
        raise HTTPException(status_code=404, detail="document not found")
    body = (tenant_dir(tenant_id) / f"{doc_id}.bin").read_bytes()  # snag-expect: blocking-in-async
    headers = {"Content-Disposition": f'attachment; filename="{row["filename"]}"'}
    return Response(body, media_type=row["content_type"], headers=headers)


@router.get("/{tenant_id}/{doc_id}/preview")
async def preview_document(tenant_id: UUID, doc_id: UUID) -> Response:
    path = tenant_dir(tenant_id) / f"{doc_id}.bin"
    try:
        async with aiofiles.open(path, "rb") as fh:  # snag-ok: blocking-in-async
            head = await fh.read(256 * 1024)
    except FileNotFoundError:
        raise HTTPException(status_code=404, detail="document not found") from None
    return Response(head, media_type="application/octet-stream")


@router.get("/{tenant_id}/{doc_id}/verify")
async def verify_document(tenant_id: UUID, doc_id: UUID, db: asyncpg.Pool = Depends(get_db)) -> dict:
    expected = await db.fetchval("SELECT sha256 FROM documents WHERE id = $1 AND tenant_id = $2", doc_id, tenant_id)
    if expected is None:
        raise HTTPException(status_code=404, detail="document not found")
    path = tenant_dir(tenant_id) / f"{doc_id}.bin"
    data = await asyncio.to_thread(path.read_bytes)  # snag-ok: blocking-in-async
    return {"id": str(doc_id), "intact": hashlib.sha256(data).hexdigest() == expected}


@router.get("/{tenant_id}/{doc_id}/ocr")
async def document_text(tenant_id: UUID, doc_id: UUID) -> dict:
    # The OCR sidecar writes <id>.txt next to the original once it has run.
    text = (
        tenant_dir(tenant_id)  # snag-expect: blocking-in-async
        .joinpath(f"{doc_id}.txt")
        .read_text(encoding="utf-8", errors="replace")
    )
    return {"id": str(doc_id), "text": text}


@router.get("/{tenant_id}/manifest")
def tenant_manifest(tenant_id: UUID) -> dict:
    # A plain `def` endpoint: FastAPI runs it in its threadpool.
    manifest = (tenant_dir(tenant_id) / "manifest.json").read_text(encoding="utf-8")  # snag-ok: blocking-in-async
    return json.loads(manifest)


def content_type_for(filename: str) -> str:
    return CONTENT_TYPES.get(Path(filename).suffix.lower(), "application/octet-stream")
