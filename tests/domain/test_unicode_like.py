"""Case-insensitive text filters find Cyrillic on SQLite exactly as on PostgreSQL."""

from __future__ import annotations

import pytest

from portal.core.sqlite import unicode_like
from portal.territory.models import District


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("%ВТОРАЯ%", "Вторая встреча", True),
        ("втор%", "Вторая", True),
        ("%ё%", "ЁЛКА", True),
        ("_торая", "Вторая", True),
        ("_торая", "ВВторая", False),
        ("%100\\%%", "скидка 100% сразу", True),
        ("%100\\%%", "скидка 1000", False),
        ("%a\\_b%", "a_b", True),
        ("%a\\_b%", "axb", False),
        ("%(.*)%", "текст (.*) в скобках", True),
        ("%(.*)%", "текст без скобок", False),
    ],
)
def test_like_semantics(pattern: str, value: str, expected: bool) -> None:
    assert unicode_like(pattern, value, "\\") is expected


def test_null_is_unknown() -> None:
    assert unicode_like(None, "x") is None
    assert unicode_like("%", None) is None


@pytest.mark.django_db
def test_icontains_folds_cyrillic_case_on_every_database() -> None:
    District.objects.create(name="Заречный район", code="zr-like", kind=District.Kind.URBAN)
    assert District.objects.filter(name__icontains="ЗАРЕЧНЫЙ").count() == 1
    assert District.objects.filter(name__istartswith="зАРЕЧ").count() == 1
    assert District.objects.filter(name__icontains="Северный").count() == 0
