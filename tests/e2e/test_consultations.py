"""End to end: a citizen asks → a specialist answers and publishes → the Q&A is public, phone masked."""

from __future__ import annotations

from typing import Any

import pytest

from identity.viewer import Role, Viewer
from portal.consultations import services
from portal.consultations.models import Question, Specialist, Topic
from portal.territory.models import District

PHONE = "8-912-345-67-89"


@pytest.fixture(autouse=True, scope="module")
def _collected_static() -> None:
    """Without DEBUG the app serves STATIC_ROOT (as in production): collect it when our files are missing."""
    from django.conf import settings
    from django.core.management import call_command

    if not (settings.STATIC_ROOT / "consultations" / "public.css").exists():
        call_command("collectstatic", interactive=False, verbosity=0)


def no_horizontal_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


@pytest.mark.e2e
def test_question_answered_and_published_with_phone_masked(portal_server: Any, page: Any) -> None:
    District.objects.create(code="e2e-d", name="Ленинский район", kind="urban")
    topic = Topic.objects.create(name="Пособия и выплаты", slug="benefits")
    specialist = Specialist.objects.create(full_name="Петрова Татьяна", email="petrova@example.org")
    specialist.topics.add(topic)

    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{portal_server.url}/consultations/")
    assert no_horizontal_scroll(page)
    page.get_by_label("Имя или псевдоним").fill("Марина")
    page.get_by_label("Электронная почта (необязательно)").fill("marina@example.org")
    page.get_by_label("Тема").first.select_option(label="Пособия и выплаты")
    page.get_by_label("Район").first.select_option(label="Ленинский район")
    page.get_by_label("Ваш вопрос").fill(f"Какие пособия положены одинокой маме? Мой телефон {PHONE}.")
    page.locator("#id_consent").check()
    page.get_by_role("button", name="Отправить вопрос").click()
    page.wait_for_load_state()
    errors = page.locator(".errorlist, .notice--error").all_inner_texts()
    assert not errors, errors
    page.get_by_text("Спасибо! Ваш вопрос получен.").wait_for()

    question = Question.objects.get()
    assert question.specialist == specialist and PHONE in question.text
    editor = Viewer(subject="e2e-editor", display_name="Редактор", roles=frozenset({Role.EDITOR}))
    services.answer_question(viewer=editor, question_id=question.pk,
                             answer="Обратитесь в КЦСОН: вам положено единое пособие.")
    services.publish_question(viewer=editor, question_id=question.pk)

    page.goto(f"{portal_server.url}/consultations/")
    article = page.locator(f"#q{question.pk}")
    article.wait_for()
    text = article.inner_text()
    assert "Какие пособия положены одинокой маме?" in text
    assert "[телефон скрыт]" in text
    assert "345-67-89" not in page.content() and "marina@example.org" not in page.content()
    assert "Обратитесь в КЦСОН" in text
    assert no_horizontal_scroll(page)


@pytest.mark.e2e
def test_bad_question_shows_russian_errors_without_javascript_tricks(portal_server: Any, page: Any) -> None:
    District.objects.create(code="e2e-d2", name="Октябрьский район", kind="urban")
    Topic.objects.create(name="Жильё", slug="housing")
    page.goto(f"{portal_server.url}/consultations/")
    page.get_by_role("button", name="Отправить вопрос").click()
    page.get_by_text("Укажите имя или псевдоним.").first.wait_for()
    assert page.get_by_text("Необходимо ваше согласие на обработку введённых данных.").count() >= 1
    assert Question.objects.count() == 0
