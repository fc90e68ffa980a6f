"""Demo staff accounts (`portal demo`): the DEMO_USERS of the demo region as Django users.

Each gets the same groups, permissions and organisation as its first single sign-on would give,
so the Wagtail admin and the partner workspace work at once. Password: "demo" when DEBUG is on
(local sign-in at /admin/login/ as a fallback to the development realm); an unusable password
otherwise — outside development demo users sign in only through single sign-on.
Idempotent: a second run changes nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from identity.accounts import apply_roles, organisation_for_groups
from portal.core.viewer import Role
from portal.demo.region import DEMO_USERS


@transaction.atomic
def load_demo(*, verbose: bool) -> None:
    user_model = get_user_model()
    created_names: list[str] = []
    for spec in DEMO_USERS:
        user = user_model.objects.filter(username=spec["username"]).first()
        if user is None:
            user = user_model(username=spec["username"], first_name=spec["first_name"],
                              last_name=spec["last_name"], email=spec["email"])
            if settings.DEBUG:
                user.set_password(spec["password"])
            else:
                user.set_unusable_password()
            user.save()
            created_names.append(spec["username"])
        roles = [Role(name) for name in spec["roles"]]
        apply_roles(user=user, roles=roles, organisation=organisation_for_groups(spec["groups"]))
    if verbose:
        # The `portal demo` banner lists the sign-ins themselves.
        print(f"Demo accounts: {len(created_names)} created, {len(DEMO_USERS) - len(created_names)} already there "
              f"({'local password «demo»' if settings.DEBUG else 'single sign-on only'}).", flush=True)
