"""manage.py expire_trials — end trials that ran out, downgrade their workspaces.

Runs hourly from cron on the worker host:

    python manage.py expire_trials --notify
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import AuditEvent, Seat, Subscription, Workspace, WorkspaceFlag

CHUNK = 500


def chunked(seq, size):
    for start in range(0, len(seq), size):
        yield seq[start:start + size]


class Command(BaseCommand):
    help = "Expire trials that ended, downgrade their workspaces and record audit events."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--workspace", action="append", type=int, default=[], help="only these workspace ids")
        parser.add_argument("--flag", action="append", default=[], help="feature flags to clear on expiry")

    def handle(self, *args, **options):
        now = timezone.now()
        only = options["workspace"]

        for plan in ("trial", "grace"):
            pending = Subscription.objects.filter(plan=plan, ends_at__lt=now, status="active").count()  # snag-ok: n-plus-one
            self.stdout.write(f"{plan}: {pending} subscriptions past their end date")

        expired = Subscription.objects.filter(plan="trial", ends_at__lt=now, status="active")
        if only:
            expired = expired.filter(workspace_id__in=only)
        pairs = list(expired.values_list("id", "workspace_id"))  # snag-ok: n-plus-one
        if options["dry_run"]:
            for sub_id, ws_id in pairs:
                self.stdout.write(f"would expire subscription {sub_id} (workspace {ws_id})")  # snag-ok: n-plus-one
            return

        sub_ids = [sub_id for sub_id, _ in pairs]
        ws_ids = sorted({ws_id for _, ws_id in pairs})

        with transaction.atomic():
            for chunk in chunked(sub_ids, CHUNK):
                Subscription.objects.filter(id__in=chunk).update(status="expired", expired_at=now)  # snag-ok: n-plus-one

            for ws_id in ws_ids:
                Seat.objects.filter(workspace_id=ws_id, role="guest").delete()  # snag-expect: n-plus-one

            AuditEvent.objects.bulk_create(  # snag-ok: n-plus-one
                [AuditEvent(workspace_id=ws_id, kind="trial_expired", at=now) for ws_id in ws_ids],  # snag-ok: n-plus-one
                batch_size=CHUNK,
            )

        flag_filter = Q()
        for name in options["flag"]:
            flag_filter |= Q(name=name)  # snag-ok: n-plus-one
        if options["flag"]:
            WorkspaceFlag.objects.filter(flag_filter, workspace_id__in=ws_ids).delete()  # snag-ok: n-plus-one

        for ws_id in ws_ids:
            workspace = Workspace.objects.get(pk=ws_id)  # snag-expect: n-plus-one
            workspace.plan = "free"
            workspace.save(update_fields=["plan"])  # snag-expect: n-plus-one

            owner_email = (
                Workspace.objects.filter(pk=ws_id)  # snag-expect: n-plus-one
                .values_list("owner__email", flat=True)
                .first()
            )
            self.stdout.write(f"expired trial for {workspace.slug} <{owner_email}>")

        for ws_id in ws_ids:
            AuditEvent.objects.create(workspace_id=ws_id, kind="downgraded_to_free", at=now)  # snag-expect: n-plus-one
            WorkspaceFlag.objects.get_or_create(workspace_id=ws_id, name="show_upgrade_banner")  # snag-expect: n-plus-one

        remaining = Subscription.objects.filter(plan="trial", status="active").count()  # snag-ok: n-plus-one
        self.stdout.write(self.style.SUCCESS(f"expired {len(sub_ids)} trials; {remaining} still running"))
