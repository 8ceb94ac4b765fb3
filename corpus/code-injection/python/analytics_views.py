"""Ad-hoc analytics for the data team (Django views)."""

import json

import jsonpickle
import numpy as np
import torch
import yaml
from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpResponseBadRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .models import Order

_churn_model = torch.jit.load(settings.CHURN_MODEL_PATH)
_churn_model.eval()  # snag-ok: code-injection


@staff_member_required
def aggregate_orders(request):
    column = request.GET.get("column", "total")
    values = np.array(Order.objects.values_list(column, flat=True))
    agg = eval(f"np.{request.GET.get('agg', 'mean')}")  # snag-expect: code-injection
    return JsonResponse({"column": column, "value": float(agg(values))})


@staff_member_required
@require_POST
def run_snippet(request):
    scope = {"Order": Order, "np": np}
    exec(request.POST["code"], scope)  # snag-expect: code-injection
    return JsonResponse({"result": repr(scope.get("result"))})


@csrf_exempt
@require_POST
def restore_dashboard(request):
    dashboard = jsonpickle.decode(request.body)  # snag-expect: code-injection
    return JsonResponse({"restored": dashboard.title})


@csrf_exempt
@require_POST
def save_dashboard(request):
    try:
        spec = json.loads(request.body)  # snag-ok: code-injection
    except json.JSONDecodeError:
        return HttpResponseBadRequest("invalid JSON")
    return JsonResponse({"saved": spec.get("title", "untitled")})


@csrf_exempt
@require_POST
def import_dashboard_yaml(request):
    spec = yaml.load(request.body)  # snag-expect: code-injection
    return JsonResponse({"imported": spec["title"]})


@staff_member_required
def churn_score(request, customer_id):
    features = torch.tensor([[float(x) for x in request.GET.getlist("f")]])
    with torch.no_grad():
        score = _churn_model(features).item()
    return JsonResponse({"customer": customer_id, "score": score})
