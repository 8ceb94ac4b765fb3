"""Image and media utilities for the CMS upload area (Flask blueprint)."""

import logging
import os
import shlex
import subprocess

from flask import Blueprint, abort, jsonify, request, send_file

bp = Blueprint("media_tools", __name__, url_prefix="/media")
log = logging.getLogger(__name__)

UPLOAD_DIR = "/srv/cms/uploads"
THUMB_DIR = "/srv/cms/thumbs"
EXPORT_DIR = "/srv/cms/exports"
DATA_MOUNT = "/srv"
PRIMARY_STORE_HOST = "media-store-1.internal"
ALLOWED_FORMATS = {"png", "jpg", "webp", "avif"}


def _run(cmd):
    log.debug("running %s", cmd)
    return subprocess.check_output(cmd, shell=True, text=True, timeout=60)  # snag-expect: command-injection


def _probe_duration(path):
    out = subprocess.check_output(  # snag-expect: command-injection
        f"ffprobe -v error -show_entries format=duration -of csv=p=0 {path}",
        shell=True,
        text=True,
    )
    return float(out.strip() or 0)


def _image_size(path):
    out = subprocess.check_output(f"identify -format '%wx%h' {shlex.quote(path)}", shell=True, text=True)  # snag-ok: command-injection
    width, height = out.split("x")
    return int(width), int(height)


@bp.post("/thumbnail")
def make_thumbnail():
    name = request.form["filename"]
    size = request.form.get("size", "200x200")
    rc = os.system(f"convert {UPLOAD_DIR}/{name} -thumbnail {size} {THUMB_DIR}/{name}")  # snag-expect: slow-work-in-handler, command-injection
    if rc != 0:
        abort(500)
    return jsonify(thumbnail=f"/thumbs/{name}")


@bp.post("/thumbnail/v2")
def make_thumbnail_v2():
    name = os.path.basename(request.form["filename"])
    subprocess.run(  # snag-expect: slow-work-in-handler; snag-ok: command-injection
        ["convert", os.path.join(UPLOAD_DIR, name), "-thumbnail", "200x200", os.path.join(THUMB_DIR, name)],
        check=True,
        timeout=30,
    )
    return jsonify(thumbnail=f"/thumbs/{name}")


@bp.get("/info")
def media_info():
    path = os.path.join(UPLOAD_DIR, request.args["file"])
    meta = _run("exiftool -json " + path)
    return jsonify(meta=meta)


@bp.get("/duration")
def media_duration():
    return jsonify(seconds=_probe_duration(request.args["path"]))


@bp.get("/dimensions")
def media_dimensions():
    width, height = _image_size(os.path.join(UPLOAD_DIR, request.args["file"]))
    return jsonify(width=width, height=height)


@bp.post("/convert")
def convert_current():
    fmt = request.args.get("format", "png").lower()
    if fmt not in ALLOWED_FORMATS:
        abort(400, description=f"format must be one of {sorted(ALLOWED_FORMATS)}")
    dest = f"{EXPORT_DIR}/current.{fmt}"
    subprocess.run(f"convert {UPLOAD_DIR}/current.orig {dest}", shell=True, check=True)  # snag-expect: slow-work-in-handler; snag-ok: command-injection
    return send_file(dest)


@bp.post("/rotate")
def rotate_current():
    degrees = int(request.form.get("degrees", "90")) % 360
    os.system(f"mogrify -rotate {degrees} {UPLOAD_DIR}/current.png")  # snag-expect: slow-work-in-handler; snag-ok: command-injection
    return jsonify(rotated=degrees)


@bp.get("/probe")
def probe_remote():
    url = request.args["url"]
    headers = os.popen("curl -sI --max-time 5 '%s'" % url).read()  # snag-expect: slow-work-in-handler, command-injection
    return jsonify(headers=headers.splitlines())


@bp.post("/exports")
def export_bundle():
    label = (request.get_json(silent=True) or {}).get("label", "bundle")
    archive = shlex.quote(f"{EXPORT_DIR}/{label}.tar.gz")
    subprocess.run(f"tar czf {archive} -C {UPLOAD_DIR} .", shell=True, check=True)  # snag-expect: slow-work-in-handler; snag-ok: command-injection
    return jsonify(archive=f"{label}.tar.gz"), 201


@bp.get("/store-health")
def store_health():
    host = request.args.get("host", PRIMARY_STORE_HOST)
    # Only the primary store is reachable from the web tier since the network split.
    host = PRIMARY_STORE_HOST
    out = subprocess.run(f"nc -z -w 2 {host} 9000", shell=True, capture_output=True)  # snag-expect: slow-work-in-handler; snag-ok: command-injection
    return jsonify(reachable=out.returncode == 0)


@bp.get("/disk")
def disk_usage():
    usage = os.popen("df -h " + DATA_MOUNT).read()  # snag-expect: slow-work-in-handler; snag-ok: command-injection
    return jsonify(df=usage.splitlines())
