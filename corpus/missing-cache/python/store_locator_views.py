"""Store locator pages: search by city or postcode, store detail with a map.

Class-based views wired in stores/urls.py. Opening hours for bank holidays
live in a YAML file the retail ops team edits through a pull request.
"""

import base64
import hashlib
import hmac
import json
import re
from urllib.parse import urlencode

import yaml
from django.conf import settings
from django.http import Http404, JsonResponse
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import DetailView, ListView

from stores.models import Store

HOLIDAYS_FILE = settings.BASE_DIR / "stores" / "holiday_hours.yaml"


class StoreSearchView(ListView):
    model = Store
    template_name = "stores/search.html"
    paginate_by = 20
    postcode_re = re.compile(r"^(?P<outward>[A-Z]{1,2}\d[A-Z\d]?) ?(?P<inward>\d[A-Z]{2})?$")  # snag-ok: missing-cache

    @cached_property
    def query(self):
        return self.request.GET.get("q", "").strip().upper()

    def get_queryset(self):
        match = self.postcode_re.match(self.query)
        if match:
            return Store.objects.filter(postcode__startswith=match["outward"]).order_by("postcode")
        return Store.objects.filter(city__iexact=self.query).order_by("name")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["query"] = self.query
        context["total_open"] = Store.objects.filter(status=Store.OPEN).count()  # snag-ok: missing-cache
        return context


class StoreDetailView(DetailView):
    model = Store
    template_name = "stores/detail.html"
    slug_field = "slug"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        store = self.object
        params = urlencode({"center": f"{store.lat},{store.lng}", "zoom": 15, "size": "640x320", "key": settings.MAPS_API_KEY})
        path = f"/maps/api/staticmap?{params}"
        secret = base64.urlsafe_b64decode(settings.MAPS_URL_SIGNING_SECRET)
        signature = hmac.new(secret, path.encode(), hashlib.sha1).digest()  # snag-ok: missing-cache
        context["map_url"] = f"https://maps.googleapis.com{path}&signature={base64.urlsafe_b64encode(signature).decode()}"
        return context


class HolidayHoursView(View):
    def get(self, request, slug):
        store = Store.objects.filter(slug=slug).only("id", "region").first()
        if store is None:
            raise Http404("no such store")
        holidays = yaml.safe_load(open(HOLIDAYS_FILE, encoding="utf-8"))  # snag-expect: missing-cache
        hours = holidays.get(store.region, holidays["default"])
        return JsonResponse({"store": slug, "holidays": hours})


class StoreAvailabilityView(View):
    def get(self, request, slug):
        if not Store.objects.filter(slug=slug, status=Store.OPEN).exists():  # snag-ok: missing-cache
            raise Http404("store closed")
        sku = request.GET.get("sku", "")
        sku_format = re.compile(r"^\d{6}-\d{2}$")  # snag-expect: missing-cache
        if not sku_format.match(sku):
            return JsonResponse({"error": "sku must look like 123456-01"}, status=400)
        store = Store.objects.get(slug=slug)
        return JsonResponse({
            "store": slug,
            "sku": sku,
            "open": Store.objects.filter(slug=slug, status=Store.OPEN).exists(),  # snag-expect: missing-cache
            "stock": store.stock_for(sku),
        })

    def post(self, request, slug):
        payload = json.loads(request.body)
        if not re.fullmatch(r"\+?[0-9 ()-]{7,20}", payload.get("phone", "")):  # snag-ok: missing-cache
            return JsonResponse({"error": "invalid phone number"}, status=400)
        store = Store.objects.get(slug=slug)
        store.callback_requests.create(phone=payload["phone"], sku=payload.get("sku", ""))
        return JsonResponse({"queued": True}, status=202)
