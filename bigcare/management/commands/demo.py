"""``python manage.py demo``: a working Big Care on embedded defaults, from nothing, in one command.

Migrates, loads Seoul's centres, creates one demo user per role, generates a small synthetic Seoul,
runs whatever of the pipeline exists (import, link, screen) and serves the site. Safe to run again:
every step is idempotent (imports are keyed by file checksum, users by name).
"""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand
from django.db import transaction

from bigcare.actions import ensure_role_groups, grant_membership
from bigcare.models import CommunityCentre, Role

DEMO_PASSWORD = "bigcare-demo"  # noqa: S105 - printed on purpose; demo accounts on a local SQLite
# The demo's people work in 종로구 청운효자동 unless the data says a busier centre exists.
DEMO_CENTRE_CODE = "1111051500"
# The demo's residents live in 종로구: a few busy centres show worklists and households better
# than 2,000 people spread thinly over 427 centres.
DEMO_DISTRICT = "11110"

# (source code, file name in the generated folder) in the order an administrator imports them.
DEMO_IMPORTS = [
    ("city", "city_welfare.csv"),
    ("ministry", "ministry_benefits.xlsx"),
    ("ministry", "ministry_benefits.csv"),
    ("facility", "facility_services.jsonl"),
    ("crisis", "crisis_round.csv"),
]


class Command(BaseCommand):
    help = "Set up and serve a demo Big Care on SQLite with synthetic data (no servers needed)."

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="stop before serving")
        parser.add_argument(
            "--residents",
            type=int,
            default=2000,
            help="synthetic residents to generate (default 2000)",
        )
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--addr", default="127.0.0.1:8000", help="where to serve")

    def handle(self, *args, no_serve: bool, residents: int, seed: int, addr: str, **options):
        commands = get_commands()
        started = time.monotonic()

        def step(title: str) -> None:
            self.stdout.write(
                self.style.MIGRATE_HEADING(f"[{time.monotonic() - started:5.1f}s] {title}")
            )

        step("Creating the database")
        call_command("migrate", interactive=False, verbosity=0)
        step("Loading Seoul's 25 districts and 427 community centres")
        call_command("load_centres", stdout=self.stdout)
        if "load_reference" in commands:
            step("Loading programmes and crisis indicators")
            call_command("load_reference", stdout=self.stdout)

        out = Path(settings.VAR_DIR) / "demo-sources" / f"seed{seed}-n{residents}-gu{DEMO_DISTRICT}"
        if "make_sources" in commands:
            if (out / "truth" / "manifest.json").exists():
                step(f"Synthetic sources already in {out}")
            else:
                step(f"Generating a synthetic Seoul of {residents} residents into {out}")
                call_command(
                    "make_sources",
                    residents=residents,
                    seed=seed,
                    out=str(out),
                    districts=[DEMO_DISTRICT],
                    stdout=self.stdout,
                )
        self._import(commands, out, step)
        if "link" in commands:
            step("Linking records into one profile per resident")
            # A full run retrains the model on every source; imports linked incrementally so far.
            call_command("link", full=True, stdout=self.stdout)
        if "screen_eligibility" in commands:
            step("Screening eligibility")
            call_command("screen_eligibility", stdout=self.stdout)

        step("Creating one demo user per role")
        self._users()
        if no_serve:
            step("Done (--no-serve)")
            return
        step(f"Serving on http://{addr}/ (Ctrl+C stops)")
        call_command("runserver", addr, use_reloader=False)

    def _import(self, commands, out: Path, step) -> None:
        if "import_source" not in commands:
            return
        if "add_source" in commands:
            mappings = sorted((Path(settings.BASE_DIR) / "intake" / "mappings").glob("*.toml"))
            call_command("add_source", mapping=[str(m) for m in mappings], stdout=self.stdout)
        for code, name in DEMO_IMPORTS:
            path = out / name
            if path.exists():
                step(f"Importing {name} as source '{code}'")
                call_command("import_source", code, str(path), stdout=self.stdout)

    @transaction.atomic
    def _users(self) -> None:
        ensure_role_groups()
        centre = self._busiest_centre()
        users = get_user_model().objects
        plan = [
            ("caseworker", Role.CASEWORKER, {"centre": centre}),
            ("nurse", Role.NURSE, {"centre": centre}),
            ("supervisor", Role.SUPERVISOR, {"district": centre.district}),
            ("dataadmin", Role.DATA_ADMIN, {}),
            ("auditor", Role.AUDITOR, {}),
        ]
        self.stdout.write(f"\nDemo logins (password '{DEMO_PASSWORD}' for all):")
        for username, role, scope in plan:
            user, created = users.get_or_create(username=f"demo-{username}")
            if created:
                user.set_password(DEMO_PASSWORD)
                user.first_name = username
                user.save()
            if not user.memberships.in_force().filter(role=role).exists():
                grant_membership(user, role, **scope, acting_user=None)
            if role == Role.DATA_ADMIN and "grant_source" in get_commands():
                call_command("grant_source", user.get_username(), all=True, stdout=self.stdout)
            where = scope.get("centre") or scope.get("district") or "Seoul"
            self.stdout.write(f"  demo-{username:<12} {role.label} · {where}")

    def _busiest_centre(self) -> CommunityCentre:
        """The centre with the most residents once linkage ran, so the demo has people to see."""
        from django.apps import apps
        from django.db.models import Count

        if apps.is_installed("matching"):
            Resident = apps.get_model("matching", "Resident")
            top = (
                Resident.objects.filter(home_centre__isnull=False)
                .values("home_centre")
                .annotate(n=Count("pk"))
                .order_by("-n")
                .first()
            )
            if top:
                return CommunityCentre.objects.select_related("district").get(pk=top["home_centre"])
        return CommunityCentre.objects.select_related("district").get(code=DEMO_CENTRE_CODE)
