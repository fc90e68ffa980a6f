"""The public site as the demo ships it, small: the CMS tree, the consultations and registry pages, the
English versions, a topic and a district for the question form (committed: the test server sees it)."""

from __future__ import annotations

from typing import Any


def seed_public_site() -> dict[str, Any]:
    from cms.demo import load_demo
    from cms.demo_en import load_demo as load_english
    from cms.models import HomePage
    from portal.community.pages import BenefactorsRegistryPage, NeedsRegistryPage, PartnersRegistryPage
    from portal.consultations.models import Topic
    from portal.consultations.pages import ConsultationsPage
    from portal.territory.models import District

    load_demo(verbose=False)
    home = HomePage.objects.get(locale__language_code="ru")
    for model, slug, title, intro in [
        (ConsultationsPage, "vopros-spetsialistu", "Вопрос специалисту", "Задайте вопрос о социальной поддержке."),
        (NeedsRegistryPage, "nuzhdy-semei", "Нужды семей", "Чем можно помочь семьям."),
        (BenefactorsRegistryPage, "reestr-blagotvoritelei", "Реестр благотворителей", "Люди и организации."),
        (PartnersRegistryPage, "reestr-partnerov", "Реестр субъектов взаимодействия", "Школы, полиция, НКО."),
    ]:
        if not model.objects.exists():
            page = model(title=title, slug=slug, intro=intro, show_in_menus=True)
            home.add_child(instance=page)
            page.save_revision().publish()
    load_english(verbose=False)
    topic, _ = Topic.objects.get_or_create(slug="housing", defaults={"name": "Жильё и ЖКУ"})
    district, _ = District.objects.get_or_create(code="e2e-oktyabrsky",
                                                 defaults={"name": "Октябрьский район", "kind": "urban"})
    return {"home": home, "topic": topic, "district": district}


def collect_static() -> None:
    """Without DEBUG the app serves STATIC_ROOT (as in production): collect it (changed files only)."""
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
