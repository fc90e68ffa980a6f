"""End to end: a citizen asks → a specialist answers and publishes → the Q&A is public, phone masked."""

from __future__ import annotations

from typing import Any

import pytest

from portal.consultations import services
from portal.consultations.models import Question, Specialist, Topic
from portal.core.viewer import Role, Viewer
from portal.territory.models import District

PHONE = "8-912-345-67-89"


@pytest.fixture(autouse=True, scope="module")
def _collected_static() -> None:
    """Without DEBUG the app serves STATIC_ROOT (as in production): collect it when our files are missing."""
    from django.conf import settings
    from django.core.management import call_command

    if not (settings.STATIC_ROOT / "portal-core" / "public.css").exists():
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
    from django.contrib.auth.models import User

    moderator = User.objects.create_user("editor.e2e-benefits")
    topic.moderators.add(moderator)
    editor = Viewer(subject="e2e-editor", display_name="Редактор", roles=frozenset({Role.EDITOR}),
                    user_id=moderator.pk)
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


def _signed_in(browser: Any, server_url: str, role: str, moderates: Any = ()) -> Any:
    """A browser context with a staff session (made by the test client: same database and secret), moderator of
    the topics in `moderates`."""
    from django.conf import settings
    from django.contrib.auth.models import Group, Permission, User
    from django.test import Client

    from portal.accounts.models import StaffProfile

    user = User.objects.create_user(f"{role}.e2e", password="x")
    group, _created = Group.objects.get_or_create(name=role)
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    user.groups.add(group)
    StaffProfile.objects.create(user=user, subject=f"sub-{role}-e2e")
    for topic in moderates:
        topic.moderators.add(user)
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="ru-RU")
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": server_url}])
    return context


@pytest.mark.e2e
def test_moderator_answers_and_publishes_in_the_admin(portal_server: Any, browser: Any, page: Any) -> None:
    district = District.objects.create(code="e2e-m", name="Заречный район", kind="urban")
    topic = Topic.objects.create(name="Жильё и ЖКУ", slug="housing")
    question = services.ask_question(
        author_name="Ольга Смирнова", email="olga@example.org", topic_id=topic.pk, district_id=district.pk,
        consent=True, text=f"Положена ли субсидия на оплату ЖКУ? Живу Ленина 5 кв 3, телефон {PHONE}.")
    context = _signed_in(browser, portal_server.url, "editor", moderates=[topic])
    try:
        admin = context.new_page()
        admin.goto(f"{portal_server.url}/admin/consultations/queue/")
        admin.locator(f'tr[data-question="{question.pk}"] a').click()
        answer_form = admin.locator("form:has(input[name=action][value=answer])")
        masked = answer_form.get_by_label("Вопрос для публикации (со скрытыми данными)").input_value()
        assert PHONE not in masked and "Ленина" not in masked and "[адрес скрыт]" in masked
        assert answer_form.get_by_label("Имя для публикации").input_value() == "О. С."
        answer_form.get_by_label("Ответ:", exact=True).fill(
            "Да, если расходы на ЖКУ превышают 22 % дохода. Обратитесь в МФЦ: ул. Мира, д. 1.")
        answer_form.get_by_role("button", name="Сохранить ответ").click()
        admin.get_by_text("Готово.").first.wait_for()

        publish_form = admin.locator("form:has(input[name=action][value=publish])")
        publish_form.get_by_role("button", name="Опубликовать вопрос и ответ").click()
        # The institution's address in the answer is found and must be confirmed (or masked).
        error = admin.locator("form:has(input[name=action][value=publish]) .errorlist")
        error.first.wait_for()
        assert "ул. Мира, д. 1" in error.first.inner_text()
        assert Question.objects.get(pk=question.pk).status == Question.Status.ANSWERED
        publish_form = admin.locator("form:has(input[name=action][value=publish])")
        # One checkbox per item found: the moderator confirms the institution's address on its own.
        publish_form.get_by_label("ответ — адрес: «ул. Мира, д. 1»").check()
        publish_form.get_by_role("button", name="Опубликовать вопрос и ответ").click()
        admin.get_by_text("Готово.").first.wait_for()
        assert Question.objects.get(pk=question.pk).status == Question.Status.PUBLISHED
    finally:
        context.close()

    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{portal_server.url}/consultations/")
    article = page.locator(f"#q{question.pk}")
    article.wait_for()
    text = article.inner_text()
    assert "Положена ли субсидия на оплату ЖКУ?" in text and "О. С." in text and "Обратитесь в МФЦ" in text
    html = page.content()
    for secret in (PHONE, "345-67-89", "Ленина 5", "Ольга", "Смирнова", "olga@example.org"):
        assert secret not in html
    assert no_horizontal_scroll(page)
