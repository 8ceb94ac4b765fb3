"""Views for the analytics dashboard (reports app).

The dashboard is served under ASGI (uvicorn workers), so the views that wait on
other services are `async def`. Rendered report files are written by the
reporting pipeline into REPORTS_ROOT/<account>/<report>.json.
"""

import json
import logging
from pathlib import Path

import httpx
import requests
from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.http import require_GET, require_POST

from .models import Report, ReportShare

log = logging.getLogger(__name__)

REPORTS_ROOT = Path(settings.REPORTS_ROOT)
FORECAST_URL = settings.FORECAST_SERVICE_URL

forecast_client = httpx.AsyncClient(base_url=FORECAST_URL, timeout=httpx.Timeout(10.0))


def report_path(account_id: int, report_id: int) -> Path:
    return REPORTS_ROOT / str(account_id) / f"{report_id}.json"


@require_GET
async def report_detail(request: HttpRequest, report_id: int) -> JsonResponse:
    try:
        report = await Report.objects.aget(pk=report_id, account_id=request.session["account_id"])
    except Report.DoesNotExist:
        raise Http404("no such report")
    with open(report_path(report.account_id, report.pk), encoding="utf-8") as fh:  # snag-expect: blocking-in-async
        payload = json.load(fh)
    return JsonResponse({"id": report.pk, "title": report.title, "data": payload})


@require_GET
async def report_summary(request: HttpRequest, report_id: int) -> JsonResponse:
    account_id = request.session["account_id"]
    raw = report_path(account_id, report_id).read_text(encoding="utf-8")  # snag-expect: blocking-in-async
    data = json.loads(raw)
    return JsonResponse({"id": report_id, "rows": len(data.get("rows", [])), "generated_at": data.get("generated_at")})


@require_GET
async def report_forecast(request: HttpRequest, report_id: int) -> JsonResponse:
    report = await Report.objects.aget(pk=report_id, account_id=request.session["account_id"])
    resp = requests.get(  # snag-expect: blocking-in-async
        f"{FORECAST_URL}/v1/forecast",
        params={"metric": report.metric, "horizon": 30},
        timeout=10,
    )
    resp.raise_for_status()
    return JsonResponse({"id": report.pk, "forecast": resp.json()["points"]})


@require_GET
async def report_forecast_v2(request: HttpRequest, report_id: int) -> JsonResponse:
    report = await Report.objects.aget(pk=report_id, account_id=request.session["account_id"])
    resp = await forecast_client.get("/v2/forecast", params={"metric": report.metric, "horizon": 30})  # snag-ok: blocking-in-async
    resp.raise_for_status()
    return JsonResponse({"id": report.pk, "forecast": resp.json()["points"]})


@require_GET
async def report_benchmark(request: HttpRequest, report_id: int) -> JsonResponse:
    report = await Report.objects.aget(pk=report_id, account_id=request.session["account_id"])
    fetch = sync_to_async(requests.get, thread_sensitive=False)  # snag-ok: blocking-in-async
    resp = await fetch(f"{FORECAST_URL}/v1/benchmarks", params={"metric": report.metric}, timeout=10)
    resp.raise_for_status()
    return JsonResponse({"id": report.pk, "benchmark": resp.json()})


@require_POST
async def share_report(request: HttpRequest, report_id: int) -> JsonResponse:
    body = json.loads(request.body)
    share = await ReportShare.objects.acreate(report_id=report_id, email=body["email"], created_by=request.user.pk)
    await sync_to_async(write_share_marker)(share.report_id, share.pk)
    return JsonResponse({"share_id": share.pk}, status=201)


def write_share_marker(report_id: int, share_id: int) -> None:
    marker = REPORTS_ROOT / "shares" / f"{report_id}-{share_id}.json"
    marker.write_text(json.dumps({"report": report_id, "share": share_id}))  # snag-ok: blocking-in-async


@login_required
@require_GET
def report_raw(request: HttpRequest, report_id: int) -> JsonResponse:
    # Sync view: Django runs it in a thread under ASGI.
    data = json.loads(report_path(request.session["account_id"], report_id).read_text())  # snag-ok: blocking-in-async
    return JsonResponse(data)


@login_required
@require_GET
def report_forecast_legacy(request: HttpRequest, report_id: int) -> JsonResponse:
    resp = requests.get(f"{FORECAST_URL}/v1/forecast", params={"report": report_id}, timeout=10)  # snag-ok: blocking-in-async
    return JsonResponse(resp.json(), safe=False)
