"""`portal demo` fills the registries and consultations through the services, whose rules tightened:
answers naming institutions' offices are published with the moderator's confirmation, offers are linked
to a benefactor only when the coordinator confirmed it."""

from __future__ import annotations

import pytest

from portal.community.models import Offer
from portal.consultations.models import Question

pytestmark = pytest.mark.django_db


def test_demo_registries_and_consultations_load() -> None:
    from portal.demo.community import load_demo as community_demo
    from portal.demo.consultations import load_demo as consultations_demo
    from portal.demo.generate import generate

    generate(scale="demo", seed=3)
    consultations_demo(verbose=False)
    community_demo(verbose=False)
    published = Question.objects.filter(status=Question.Status.PUBLISHED)
    assert published.count() >= 3
    for question in published:
        assert question.published_name and question.published_name != question.author_name
    assert Offer.objects.exists()
    linked = Offer.objects.filter(benefactor__isnull=False)
    assert all(offer.status == Offer.Status.ACCEPTED for offer in linked)
