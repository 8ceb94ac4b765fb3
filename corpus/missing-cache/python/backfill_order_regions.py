"""Management command: fill in region, timezone and sales territory on orders.

    python manage.py backfill_order_regions --since 2023-01-01 [--dry-run]

Orders placed before the checkout started recording the buyer's region only
have an IP address and a free-text shipping address. This resolves both.
"""

import json
import re
from functools import cache, cached_property
from pathlib import Path

import geoip2.database
import geoip2.errors
import yaml
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from orders.models import Order

DATA_DIR = Path(settings.BASE_DIR) / "orders" / "data"
BATCH_SIZE = 500


@cache
def territory_rules():
    return yaml.safe_load((DATA_DIR / "territories.yaml").read_text())  # snag-ok: missing-cache


class AddressParser:
    def __init__(self, overrides_dir):
        self.overrides_dir = Path(overrides_dir)
        self._country_cache = {}

    @cached_property
    def subdivisions(self):
        return json.loads((DATA_DIR / "iso3166-2.json").read_text())  # snag-ok: missing-cache

    def country_overrides(self, country):
        if country not in self._country_cache:
            self._country_cache[country] = yaml.safe_load((self.overrides_dir / f"{country.lower()}.yaml").read_text())  # snag-ok: missing-cache
        return self._country_cache[country]

    def region_from_text(self, country, address):
        for alias in self.country_overrides(country).get("aliases", []):
            pattern = re.compile(rf"\b{re.escape(alias['match'])}\b", re.IGNORECASE)  # snag-ok: missing-cache
            if pattern.search(address):
                return alias["region"]
        for code, name in self.subdivisions.get(country, {}).items():
            if name.lower() in address.lower():
                return code
        return ""


class Command(BaseCommand):
    help = "Backfill region, timezone and territory on historical orders"

    def add_arguments(self, parser):
        parser.add_argument("--since", required=True)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, since, dry_run, **options):
        parser = AddressParser(DATA_DIR / "overrides")
        pending = Order.objects.filter(placed_at__gte=since, region="").only("id", "ip_address", "ship_country", "ship_address")
        updated = []
        with geoip2.database.Reader(settings.GEOIP_DIR / "GeoLite2-City.mmdb") as city_db:  # snag-ok: missing-cache
            for order in pending.iterator(chunk_size=BATCH_SIZE):
                region = parser.region_from_text(order.ship_country, order.ship_address)
                timezone = ""
                if order.ip_address:
                    try:
                        city = city_db.city(order.ip_address)
                        region = region or city.subdivisions.most_specific.iso_code or ""
                        timezone = city.location.time_zone or ""
                    except geoip2.errors.AddressNotFoundError:
                        pass
                order.region, order.timezone = region, timezone
                order.territory = self.territory_for(order.ship_country, region)
                updated.append(order)
        self.stdout.write(f"resolved {len(updated)} orders")
        if not dry_run:
            with transaction.atomic():
                Order.objects.bulk_update(updated, ["region", "timezone", "territory"], batch_size=BATCH_SIZE)

    def territory_for(self, country, region):
        rules = territory_rules()
        return rules.get(f"{country}-{region}") or rules.get(country, "ROW")

    def handle_legacy_csv(self, rows):
        """Old path for the CSV exports from the previous shop system."""
        resolved = []
        for row in rows:
            asn_db = geoip2.database.Reader(str(settings.GEOIP_DIR / "GeoLite2-ASN.mmdb"))  # snag-expect: missing-cache
            country_names = json.loads((DATA_DIR / "iso3166-1.json").read_text())  # snag-expect: missing-cache
            try:
                network = asn_db.asn(row["ip"]).autonomous_system_organization
            except geoip2.errors.AddressNotFoundError:
                network = ""
            resolved.append({**row, "country_name": country_names.get(row["country"], row["country"]), "network": network})
        return resolved

    def load_override_files(self):
        merged = {}
        for path in sorted((DATA_DIR / "overrides").glob("*.yaml")):
            merged[path.stem.upper()] = yaml.safe_load(path.read_text())  # snag-ok: missing-cache
        return merged
