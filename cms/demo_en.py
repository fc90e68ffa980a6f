"""English versions of the main demo pages (Wagtail localisation), loaded after every package's demo.

Runs last (``portal.demo.load.DEMO_HOOKS``) because the consultations and registry pages are created
by their own apps. Idempotent: a page that already has an English translation is left as it is.
News items stay Russian on purpose: they show the fallback (Russian page, ``lang="ru"``).
Also points the home page's quick links at the consultations and registry pages instead of the apps'
own addresses (which now redirect to those pages).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from wagtail.models import Locale, Page

from cms.demo import HOTLINE

logger = logging.getLogger(__name__)

ENGLISH = "en"

URGENT_SERVICES_EN: list[dict[str, str]] = [
    {"title": "Help to find temporary housing",
     "description": "<p>We help to find a place to stay: a crisis unit, a social hotel or a social adaptation "
                    "centre.</p>",
     "who_can_get": "people left without housing or forced to leave it because of a threat to life or health",
     "how_to_get": "call the hotline or come to the social services centre (KTsSON) at any time"},
    {"title": "Interview and first social assessment",
     "description": "<p>A specialist talks with you, assesses your situation and decides with you which help "
                    "comes first.</p>",
     "who_can_get": "anyone who asks for help",
     "how_to_get": "at the first visit to your district social officer or the social services centre"},
    {"title": "Help with hospitalisation",
     "description": "<p>We help people who need treatment to get to a hospital: we call an ambulance, go "
                    "with you and arrange the appointment.</p>",
     "who_can_get": "recipients of social services who need treatment",
     "how_to_get": "tell the specialist or call the hotline"},
    {"title": "Help to restore identity documents",
     "description": "<p>We help to restore a passport and other documents and arrange free photos for "
                    "them.</p>",
     "who_can_get": "people who have lost their documents",
     "how_to_get": "come to the social services centre with any documents you still have"},
    {"title": "Help to find relatives",
     "description": "<p>We help to find relatives and restore lost contact through the registry office, "
                    "the police and voluntary organisations.</p>",
     "who_can_get": "people who have lost contact with their family",
     "how_to_get": "write an application at the social services centre"},
    {"title": "Help to prepare documents",
     "description": "<p>We help to write and submit applications, complaints and requests about your "
                    "problem.</p>",
     "who_can_get": "recipients of social services",
     "how_to_get": "ask your district social officer or the social services centre"},
    {"title": "Advice on the right to social services",
     "description": "<p>We explain what help you are entitled to from state and non-state social services and "
                    "how to protect your interests.</p>",
     "who_can_get": "anyone",
     "how_to_get": "call the hotline or ask a question on the portal"},
    {"title": "Free hot meals or food parcels",
     "description": "<p>Hot meals at food points or a food parcel on the day you ask.</p>",
     "who_can_get": "people and families in a difficult life situation",
     "how_to_get": "come to the social services centre or ask your district social officer"},
    {"title": "Clothes, shoes and basic necessities",
     "description": "<p>We give out seasonal clothes and shoes, hygiene products, bed linen and children's "
                    "things.</p>",
     "who_can_get": "people and families in a difficult life situation",
     "how_to_get": "come to the social services centre; things are handed over against a signed record"},
    {"title": "Help to get legal aid",
     "description": "<p>We refer you to lawyers of the state free legal aid system and to law clinics to "
                    "protect your rights.</p>",
     "who_can_get": "recipients of social services",
     "how_to_get": "book through the social services centre or the hotline"},
    {"title": "Emergency psychological help",
     "description": "<p>Emergency help of a psychologist and, if you wish, of a priest. You may call the "
                    "helpline anonymously.</p>",
     "who_can_get": "anyone, also anonymously",
     "how_to_get": "call the helpline 8-800-2000-122 (24 hours, free of charge)"},
]

SERVICE_BODY_EN: list[dict[str, Any]] = [
    {"type": "paragraph", "value":
        "<p>Social support is help for a family or a person in a difficult life situation given jointly by "
        "several agencies: social protection, schools, health care, the employment service, the police, "
        "guardianship and non-profit organisations. A specialist draws up an individual programme with you "
        "and makes sure that every measure in it is carried out.</p>"
        "<p>Support is voluntary and free of charge. Information about you is confidential.</p>"},
    {"type": "steps", "value": {
        "heading": "How to get social support",
        "steps": [
            {"title": "Contact your district social officer",
             "text": "<p>Find the officer by your address on the page <a href=\"/officer/\">“Find your "
                     "officer”</a> or call the hotline.</p>"},
            {"title": "Write an application",
             "text": "<p>In the application you agree to the processing of your personal data. The "
                     "specialist will help you fill it in.</p>"},
            {"title": "Home visit",
             "text": "<p>The specialist visits you at home, writes a report and decides with you which help "
                     "is needed.</p>"},
            {"title": "Individual programme",
             "text": "<p>The programme with its measures, deadlines and responsible people is approved by an "
                     "interagency council. It lasts up to 6 months.</p>"},
            {"title": "Carrying out and review",
             "text": "<p>After 3 months there is an interim review; at the end, a decision to close or to "
                     "extend the support (12 months in total at most).</p>"},
        ]}},
    {"type": "documents", "value": {
        "heading": "Documents you will need",
        "items": [
            {"title": "Passport of a citizen of the Russian Federation", "note": "original"},
            {"title": "Birth certificates of the children", "note": "if you have children"},
            {"title": "Family income for the last 3 months", "note": "if available"},
            {"title": "Disability certificate", "note": "if a disability is established"},
        ]}},
    {"type": "contacts", "value": {
        "heading": "Where to go",
        "contacts": [
            {"name": "Social services centre (KTsSON), Zarechny", "role": "applications, urgent social help",
             "phone": "+7 (342) 200-10-10", "email": "kcson@zarechny.example",
             "address": "12 Lenina St., Zarechny", "hours": "Mon–Fri 9:00–18:00"},
            {"name": "Social services centre (KTsSON), Berezovsky district",
             "role": "applications in rural settlements",
             "phone": "+7 (342) 300-20-20", "email": "kcson@berezovka.example",
             "address": "3 Sovetskaya St., Berezovka", "hours": "Mon–Fri 8:30–17:30"},
        ]}},
    {"type": "faq", "value": {
        "heading": "Frequently asked questions",
        "items": [
            {"question": "Do I have to pay?", "answer": "<p>No, social support is free of charge.</p>"},
            {"question": "How long does support last?",
             "answer": "<p>Up to 6 months. By a collegial decision it can be extended, but to 12 months in "
                       "total at most.</p>"},
            {"question": "Will my neighbours or my employer find out?",
             "answer": "<p>No. Only the specialists who carry out the measures of your programme see "
                       "information about you, and only as much as they need.</p>"},
            {"question": "Can I refuse?",
             "answer": "<p>Yes, support is voluntary: you can refuse at any time.</p>"},
        ]}},
    {"type": "callout", "value": {
        "title": "If there is a threat to life or health",
        "text": "<p>Call 112 — 24 hours a day, free of charge.</p>", "tone": "warning"}},
]

FAMILIES_BODY_EN: list[dict[str, Any]] = [
    {"type": "paragraph", "value":
        "<p>Large and low-income families, families with disabled children and families where children are "
        "at risk can get help from a psychologist, a teacher and a lawyer, help for parents to find work, "
        "and help to apply for social benefits.</p>"},
    {"type": "steps", "value": {
        "heading": "What help for families includes",
        "steps": [
            {"title": "Advice of a psychologist and a teacher", "text": ""},
            {"title": "Help for parents to find work through the employment service", "text": ""},
            {"title": "Applying for allowances and social benefits", "text": ""},
            {"title": "Summer holidays for children", "text": ""},
        ]}},
]

BOOKLET_BODY_EN: list[dict[str, Any]] = [
    {"type": "section", "value": {
        "title": "What social support is",
        "body": "<p>Help for a family in a difficult life situation given jointly by the social service, the "
                "school, the clinic, the employment service, the police, guardianship and voluntary "
                "organisations. The help is free and voluntary.</p>"}},
    {"type": "section", "value": {
        "title": "Who the district social officer is",
        "body": "<p>A specialist assigned to your area. The officer knows the families of the area, helps with "
                "documents, visits you at home and draws up a programme of help with you. Find your officer "
                "by address on the portal or through the hotline.</p>"}},
    {"type": "steps", "value": {
        "heading": "How to get help",
        "steps": [
            {"title": "Call the hotline or your district officer", "text": ""},
            {"title": "Write an application", "text": ""},
            {"title": "Draw up a programme together, for up to 6 months", "text": ""},
        ]}},
    {"type": "section", "value": {
        "title": "Urgent social help",
        "body": "<ul><li>temporary housing</li><li>hot meals and food parcels</li><li>clothes and shoes</li>"
                "<li>restoring documents</li><li>emergency psychological help, also anonymously</li></ul>"}},
    {"type": "contacts", "value": {
        "heading": "Phone numbers",
        "contacts": [
            {"name": "Hotline “Emergency social help”", "phone": HOTLINE, "hours": "24 hours"},
            {"name": "Helpline", "phone": "8-800-2000-122", "hours": "24 hours, anonymous"},
            {"name": "Emergency services", "phone": "112", "hours": "24 hours"},
        ]}},
]

#: English fields per page, found by (page model label, slug of the Russian page).
PAGES_EN: list[tuple[str, str, dict[str, Any]]] = [
    ("cms.HomePage", "home", {
        "title": "Social support", "seo_title": "Social support for families and citizens",
        "intro": "Help for families and people in a difficult life situation: your district social officer, "
                 "urgent social help, advice from specialists.",
        "about": "<p>Social support is interagency help: the social service, schools, health care, the "
                 "employment service, the police, guardianship and non-profit organisations together help a "
                 "family out of a difficult life situation. Every area has its own district social officer — "
                 "find the officer's contacts by your address.</p>"
                 "<p>The help is voluntary and free; information about families is never published.</p>",
    }),
    ("cms.ServiceInfoPage", "services", {
        "title": "How to get social support", "intro": "Who can get help, how to apply, which documents you need.",
        "body": SERVICE_BODY_EN,
    }),
    ("cms.ServiceInfoPage", "families", {
        "title": "Help for families with children",
        "intro": "Support for large and low-income families and families with disabled children.",
        "body": FAMILIES_BODY_EN,
    }),
    ("cms.UrgentServicesPage", "urgent", {
        "title": "Urgent social services",
        "intro": "The eleven urgent social services are given on the day you ask, without long paperwork. "
                 "The recipient signs a record that confirms them.",
        "body": [{"type": "urgent_service", "value": {"number": number, **service}}
                 for number, service in enumerate(URGENT_SERVICES_EN, start=1)]
        + [{"type": "callout", "value": {"title": "Hotline “Emergency social help”", "tone": "info",
                                         "text": f"<p>{HOTLINE} — 24 hours a day, free of charge.</p>"}}],
    }),
    ("cms.NewsIndexPage", "news", {"title": "News", "intro": "News of social support in the Zarechny region."}),
    ("cms.BookletPage", "booklet", {
        "title": "Booklet “Social support”", "subtitle": "A leaflet for families and citizens of the Zarechny region",
        "intro": "You can print the booklet and give it to those who need it.", "body": BOOKLET_BODY_EN,
    }),
    ("cms.OfficerFinderPage", "officer", {
        "title": "Find your district social officer",
        "intro": "Enter your address: we show your district social officer, the phone number and office hours.",
        "help_text": "<p>If your address is not found, call the hotline: the operator will tell you who your "
                     "officer is.</p>",
    }),
    ("consultations.ConsultationsPage", "vopros-spetsialistu", {
        "title": "Ask a specialist",
        "intro": "Ask a question about social support: a specialist answers within 30 days. You may use a "
                 "pseudonym; phone numbers and addresses are hidden before publication.",
        "body": "<p>Questions go to a specialist by topic and district. The answer comes by e-mail (if you "
                "gave one) and is published on this page without your contacts.</p>",
    }),
    ("community.NeedsRegistryPage", "nuzhdy-semei", {
        "title": "What families need",
        "intro": "How you can help families supported by social services. No names, addresses or ages.",
    }),
    ("community.BenefactorsRegistryPage", "reestr-blagotvoritelei", {
        "title": "Registry of benefactors",
        "intro": "People and organisations who help families. Become one of them.",
    }),
    ("community.PartnersRegistryPage", "reestr-partnerov", {
        "title": "Registry of interaction partners",
        "intro": "Schools, police, health care, the employment service, guardianship, NGOs and social service "
                 "institutions.",
    }),
]

#: Quick links of the English home page (targets by the Russian page's model and slug, or an address).
QUICK_LINKS_EN: list[tuple[str, str, str, str]] = [
    ("Find your district officer", "Enter your address: we show contacts and office hours",
     "cms.OfficerFinderPage", "officer"),
    ("Ask a specialist", "Free advice, you may use a pseudonym", "consultations.ConsultationsPage",
     "vopros-spetsialistu"),
    ("Help as a benefactor", "What families need and how to join the registry of benefactors",
     "community.BenefactorsRegistryPage", "reestr-blagotvoritelei"),
    ("How to get help", "Procedure, documents, contacts", "cms.ServiceInfoPage", "services"),
]

#: Quick links that used an app's own address: now the page (the address redirects to it anyway).
QUICK_LINK_PAGES: dict[str, tuple[str, str]] = {
    "/consultations/": ("consultations.ConsultationsPage", "vopros-spetsialistu"),
    "/registry/benefactors/": ("community.BenefactorsRegistryPage", "reestr-blagotvoritelei"),
    "/registry/needs/": ("community.NeedsRegistryPage", "nuzhdy-semei"),
    "/registry/partners/": ("community.PartnersRegistryPage", "reestr-partnerov"),
}


def _say(verbose: bool, message: str) -> None:
    if verbose:
        print(f"cms demo (English): {message}", flush=True)


def _russian_page(model_label: str, slug: str, russian: Locale) -> Page | None:
    from django.apps import apps

    try:
        model = apps.get_model(model_label)
    except LookupError:
        return None
    return model.objects.filter(locale=russian, slug=slug).order_by("path").first()


def _english_locale() -> Locale:
    locale, _created = Locale.objects.get_or_create(language_code=ENGLISH)
    return locale


def _translate(page: Page, english: Locale, fields: dict[str, Any], verbose: bool) -> Page | None:
    if page.get_translation_or_none(english) is not None:
        return None
    if not page.is_root() and page.get_parent().depth > 1 and \
            page.get_parent().get_translation_or_none(english) is None:
        return None  # its parent has no English version yet (edited tree): leave it Russian
    translated = page.specific.copy_for_translation(english)
    for name, value in fields.items():
        setattr(translated, name, value)
    translated.save_revision().publish()
    _say(verbose, f"{type(translated).__name__} «{translated.title}»")
    return translated


def _link_quick_links_to_pages(home: Page, russian: Locale, verbose: bool) -> None:
    """Replace quick links to /consultations/ and /registry/… by links to their pages (canonical)."""
    home = home.specific
    changed = False
    values = []
    for block in home.quick_links:
        value = dict(block.value)
        target_spec = QUICK_LINK_PAGES.get((value.get("url") or "").strip()) if value.get("page") is None else None
        target = _russian_page(*target_spec, russian) if target_spec else None
        if target is not None:
            value["page"], value["url"] = target.pk, ""
            changed = True
        else:
            value["page"] = value["page"].pk if value.get("page") else None
        values.append({"type": block.block_type, "value": value})
    if changed:
        home.quick_links = values
        home.save_revision().publish()
        _say(verbose, "home page quick links point at the pages")


@transaction.atomic
def load_demo(*, verbose: bool) -> None:
    """English versions of the main pages (idempotent; needs the Russian demo tree)."""
    russian = Locale.get_default()
    home = _russian_page("cms.HomePage", "home", russian)
    if home is None:
        return
    _link_quick_links_to_pages(home, russian, verbose)
    english = _english_locale()
    for model_label, slug, fields in PAGES_EN:
        page = _russian_page(model_label, slug, russian)
        if page is None:
            continue
        extra: dict[str, Any] = {}
        if model_label == "cms.HomePage":
            links = []
            for title, text, label, target_slug in QUICK_LINKS_EN:
                target = _russian_page(label, target_slug, russian)
                if target is not None:
                    links.append({"type": "quick_link",
                                  "value": {"title": title, "text": text, "page": target.pk, "url": ""}})
            extra["quick_links"] = links
        _translate(page, english, {**fields, **extra}, verbose)
