"""Profile media endpoints: avatars, cover images and intro videos.

FastAPI router mounted at /profile/media by app.main. Uploads land under
MEDIA_ROOT; renditions are supposed to be made by the RQ workers in
app.workers.media (queue "media"), but a few endpoints still do the work
themselves from the days before the worker existed.
"""

import asyncio
import io
import subprocess
import uuid
from pathlib import Path

from fastapi import APIRouter, BackgroundTasks, Depends, File, HTTPException, UploadFile
from PIL import Image
from redis import Redis
from rq import Queue

from app.auth import CurrentUser, current_user
from app.mail import send_upload_receipt
from app.workers.media import make_cover_renditions, transcode_intro

router = APIRouter(prefix="/profile/media", tags=["profile-media"])

MEDIA_ROOT = Path("/srv/media")
MAX_PIXELS = 40_000_000
FFMPEG = "/usr/bin/ffmpeg"

media_queue = Queue("media", connection=Redis(host="redis", port=6379, db=2))


@router.post("/avatar")
def upload_avatar(file: UploadFile = File(...), user: CurrentUser = Depends(current_user)) -> dict:
    image = Image.open(file.file)  # snag-ok: slow-work-in-handler
    if image.width * image.height > MAX_PIXELS:
        raise HTTPException(status_code=413, detail="image too large")
    target = MEDIA_ROOT / "avatars" / f"{user.id}.webp"
    image.thumbnail((256, 256))  # snag-expect: slow-work-in-handler
    image.save(target, "WEBP", quality=85)
    return {"avatar": f"/media/avatars/{user.id}.webp"}


@router.post("/cover", status_code=202)
async def upload_cover(
    background: BackgroundTasks,
    file: UploadFile = File(...),
    user: CurrentUser = Depends(current_user),
) -> dict:
    data = await file.read()
    width, height = Image.open(io.BytesIO(data)).size  # snag-ok: slow-work-in-handler
    if width < 1200 or height < 400:
        raise HTTPException(status_code=422, detail="covers must be at least 1200x400")
    key = f"covers/{user.id}/{uuid.uuid4().hex}"
    background.add_task(make_cover_renditions, key, data)  # snag-ok: slow-work-in-handler
    background.add_task(send_upload_receipt, user.email, key)  # snag-ok: slow-work-in-handler
    return {"key": key, "status": "processing"}


@router.post("/intro", status_code=202)
def upload_intro(file: UploadFile = File(...), user: CurrentUser = Depends(current_user)) -> dict:
    source = MEDIA_ROOT / "incoming" / f"{user.id}-{uuid.uuid4().hex}{Path(file.filename or '').suffix}"
    with source.open("wb") as out:
        out.write(file.file.read())
    job = media_queue.enqueue(transcode_intro, str(source), user.id, job_timeout=900)  # snag-ok: slow-work-in-handler
    return {"job": job.id}


@router.post("/intro/{intro_id}/rendition")
def make_intro_rendition(intro_id: str, user: CurrentUser = Depends(current_user)) -> dict:
    source = MEDIA_ROOT / "intros" / f"{intro_id}.mov"
    target = MEDIA_ROOT / "intros" / f"{intro_id}-720p.mp4"
    subprocess.run(  # snag-expect: slow-work-in-handler
        [FFMPEG, "-y", "-i", str(source), "-vf", "scale=-2:720", "-c:v", "libx264", "-crf", "23", str(target)],
        check=True,
        capture_output=True,
    )
    return {"url": f"/media/intros/{target.name}"}


@router.post("/intro/{intro_id}/poster")
async def make_intro_poster(intro_id: str, user: CurrentUser = Depends(current_user)) -> dict:
    source = MEDIA_ROOT / "intros" / f"{intro_id}.mp4"
    poster = source.with_suffix(".jpg")
    subprocess.run([FFMPEG, "-y", "-ss", "2", "-i", str(source), "-frames:v", "1", str(poster)], check=True)  # snag-expect: slow-work-in-handler, blocking-in-async
    return {"poster": f"/media/intros/{poster.name}"}


@router.post("/intro/{intro_id}/preview")
async def make_intro_preview(intro_id: str, user: CurrentUser = Depends(current_user)) -> dict:
    source = MEDIA_ROOT / "intros" / f"{intro_id}.mp4"
    preview = MEDIA_ROOT / "intros" / f"{intro_id}-preview.gif"
    proc = await asyncio.create_subprocess_exec(  # snag-expect: slow-work-in-handler
        FFMPEG, "-y", "-t", "4", "-i", str(source), "-vf", "fps=10,scale=320:-1", str(preview),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await proc.communicate()
    if proc.returncode != 0:
        raise HTTPException(status_code=500, detail=stderr.decode(errors="replace")[-300:])
    return {"preview": f"/media/intros/{preview.name}"}


@router.post("/intro/{intro_id}/waveform")
async def make_intro_waveform(intro_id: str, user: CurrentUser = Depends(current_user)) -> dict:
    source = MEDIA_ROOT / "intros" / f"{intro_id}.mp4"
    waveform = MEDIA_ROOT / "intros" / f"{intro_id}-waveform.png"
    args = [FFMPEG, "-y", "-i", str(source), "-filter_complex", "showwavespic=s=1200x120", "-frames:v", "1", str(waveform)]
    # Off the event loop, but the request still waits for ffmpeg to finish.
    # snag-ok: blocking-in-async
    await asyncio.to_thread(subprocess.run, args, check=True)  # snag-expect: slow-work-in-handler
    return {"waveform": f"/media/intros/{waveform.name}"}
