"""Staff-only operations pages: logs, backups, deploy info."""

import os
import subprocess

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.mixins import UserPassesTestMixin
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.http import require_POST

LOG_DIR = "/var/log/shop"
SERVICES = {"web": "gunicorn-shop", "worker": "celery-shop", "beat": "celery-beat-shop"}


@staff_member_required
def tail_log(request):
    name = request.GET.get("log", "app")
    lines = request.GET.get("lines", "200")
    output = subprocess.check_output(f"tail -n {lines} {LOG_DIR}/{name}.log", shell=True, text=True)  # snag-expect: slow-work-in-handler, command-injection
    return JsonResponse({"lines": output.splitlines()})


@staff_member_required
def grep_log(request):
    pattern = request.GET["q"]
    proc = subprocess.run(  # snag-expect: slow-work-in-handler; snag-ok: command-injection
        ["grep", "-F", "-m", "500", "--", pattern, os.path.join(LOG_DIR, "app.log")],
        capture_output=True,
        text=True,
    )
    return JsonResponse({"matches": proc.stdout.splitlines()})


@staff_member_required
@require_POST
def restart_service(request):
    unit = SERVICES.get(request.POST.get("service", ""))
    if unit is None:
        return HttpResponseBadRequest("unknown service")
    status = os.system(f"sudo systemctl restart {unit}")  # snag-expect: slow-work-in-handler; snag-ok: command-injection
    return JsonResponse({"unit": unit, "ok": status == 0})


@staff_member_required
@require_POST
def backup_database(request):
    label = request.POST.get("label", "manual")
    db = settings.DATABASES["default"]
    dump_path = f"{settings.BACKUP_DIR}/{db['NAME']}-{label}.sql.gz"
    subprocess.Popen(  # snag-expect: slow-work-in-handler, command-injection
        f"pg_dump -h {db['HOST']} -U {db['USER']} {db['NAME']} | gzip > {dump_path}",
        shell=True,
        env={**os.environ, "PGPASSWORD": db["PASSWORD"]},
    )
    return JsonResponse({"started": True, "path": dump_path}, status=202)


@staff_member_required
def database_size(request):
    db = settings.DATABASES["default"]
    out = subprocess.check_output(  # snag-expect: slow-work-in-handler; snag-ok: command-injection
        f"psql -h {db['HOST']} -U {db['USER']} -tAc 'select pg_size_pretty(pg_database_size(current_database()))' {db['NAME']}",
        shell=True,
        text=True,
        env={**os.environ, "PGPASSWORD": db["PASSWORD"]},
    )
    return JsonResponse({"size": out.strip()})


@staff_member_required
def recent_commits(request):
    count = int(request.GET.get("n", 20))
    log = os.popen(f"git -C {settings.BASE_DIR} log --oneline -n {count}").read()  # snag-expect: slow-work-in-handler; snag-ok: command-injection
    return JsonResponse({"commits": log.splitlines()})


@staff_member_required
def show_commit(request, sha):
    proc = subprocess.run(  # snag-expect: slow-work-in-handler, command-injection
        f"git -C {settings.BASE_DIR} show --stat --format=fuller {sha}",
        shell=True,
        capture_output=True,
        text=True,
    )
    return JsonResponse({"stat": proc.stdout})


@method_decorator(require_POST, name="dispatch")
class ReportExportView(UserPassesTestMixin, View):
    def test_func(self):
        return self.request.user.is_staff

    def post(self, request):
        fmt = request.POST.get("format", "csv")
        cmd = "python manage.py export_reports --format " + fmt
        if request.POST.get("since"):
            cmd += " --since " + request.POST["since"]
        subprocess.run(cmd, shell=True, check=True, cwd=settings.BASE_DIR)  # snag-expect: slow-work-in-handler, command-injection
        return JsonResponse({"ok": True})
