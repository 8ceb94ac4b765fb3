"""Account views: sign-up, password reset and team invites.

Django views of the `accounts` app, mounted under /accounts/ by config.urls.
Mail goes out through the SMTP backend in settings.EMAIL_BACKEND (Postmark's
SMTP relay in production). The Celery tasks that send mail asynchronously live
in accounts.tasks; not every view has been moved over to them yet.
"""

import threading

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage, EmailMultiAlternatives, send_mail, send_mass_mail
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.views import View
from django.views.decorators.http import require_POST

from .forms import InviteForm, PasswordResetRequestForm, SignupForm
from .models import Invite, Team
from .tasks import send_confirmation_email, send_welcome_email

User = get_user_model()


def signup(request):
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()  # snag-ok: slow-work-in-handler
        login(request, user)
        # The worker picks the mail up once the user row is committed.
        transaction.on_commit(lambda: send_welcome_email.delay(user.pk))  # snag-ok: slow-work-in-handler
        return redirect("onboarding:start")
    return render(request, "accounts/signup.html", {"form": form})


def partner_signup(request):
    """Sign-up form embedded on partner sites; predates the Celery setup."""
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        body = render_to_string("accounts/email/welcome.txt", {"user": user, "partner": request.GET.get("ref")})  # snag-ok: slow-work-in-handler
        send_mail(  # snag-expect: slow-work-in-handler
            "Welcome to Ledgerly",
            body,
            settings.DEFAULT_FROM_EMAIL,
            [user.email],
        )
        login(request, user)
        return redirect("onboarding:start")
    return render(request, "accounts/partner_signup.html", {"form": form})


@require_POST
def password_reset_request(request):
    form = PasswordResetRequestForm(request.POST)
    if form.is_valid():
        user = User.objects.filter(email__iexact=form.cleaned_data["email"], is_active=True).first()
        if user is not None:
            uid = urlsafe_base64_encode(force_bytes(user.pk))
            token = default_token_generator.make_token(user)
            link = request.build_absolute_uri(reverse("accounts:reset-confirm", args=[uid, token]))
            message = EmailMessage(  # snag-ok: slow-work-in-handler
                subject="Reset your Ledgerly password",
                body=render_to_string("accounts/email/reset.txt", {"user": user, "link": link}),
                to=[user.email],
            )
            message.send(fail_silently=False)  # snag-expect: slow-work-in-handler
    messages.info(request, "If that address has an account, a reset link is on its way.")
    return redirect("accounts:login")


@login_required
@require_POST
def resend_confirmation(request):
    if request.user.email_confirmed:
        return JsonResponse({"status": "already-confirmed"})
    send_confirmation_email.delay(request.user.pk)  # snag-ok: slow-work-in-handler
    return JsonResponse({"status": "queued"})


@login_required
@require_POST
def notify_email_changed(request):
    old_address = request.POST["old_email"]
    # Fire and forget: the response does not wait for the relay.
    threading.Thread(  # snag-ok: slow-work-in-handler
        target=send_mail,
        args=("Your Ledgerly e-mail address changed", render_to_string("accounts/email/changed.txt"), None, [old_address]),
        daemon=True,
    ).start()
    return JsonResponse({"status": "ok"})


@method_decorator(login_required, name="dispatch")
class TeamInviteView(View):
    def post(self, request, team_id):
        team = get_object_or_404(Team, pk=team_id, members=request.user)
        form = InviteForm(request.POST)
        if not form.is_valid():
            return JsonResponse({"errors": form.errors}, status=400)
        invite = Invite.objects.create(team=team, email=form.cleaned_data["email"], invited_by=request.user)
        context = {"team": team, "invite": invite, "inviter": request.user}
        mail = EmailMultiAlternatives(
            subject=f"{request.user.get_full_name()} invited you to {team.name}",
            body=render_to_string("accounts/email/invite.txt", context),
            to=[invite.email],
        )
        mail.attach_alternative(render_to_string("accounts/email/invite.html", context), "text/html")
        mail.send()  # snag-expect: slow-work-in-handler
        return JsonResponse({"id": invite.pk}, status=201)


@login_required
@require_POST
def remind_pending_invites(request, team_id):
    team = get_object_or_404(Team, pk=team_id, owner=request.user)
    pending = list(team.invites.filter(accepted_at__isnull=True).values_list("email", flat=True))
    body = render_to_string("accounts/email/invite_reminder.txt", {"team": team})
    datatuple = [(f"Reminder: join {team.name} on Ledgerly", body, None, [email]) for email in pending]
    sent = send_mass_mail(datatuple, fail_silently=True)  # snag-expect: slow-work-in-handler
    return JsonResponse({"sent": sent})


@login_required
def preview_invite_email(request, team_id):
    team = get_object_or_404(Team, pk=team_id, members=request.user)
    html = render_to_string("accounts/email/invite.html", {"team": team, "inviter": request.user, "invite": None})  # snag-ok: slow-work-in-handler
    return HttpResponse(html)
