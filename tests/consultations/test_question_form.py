"""The public question form: every bad input gets a clear Russian message and nothing is saved."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.consultations.models import Question

URL = "/consultations/"


def good(world: Any, **changes: Any) -> dict[str, Any]:
    data = {"author_name": "Анна", "email": "anna@example.org", "topic": world.benefits.pk,
            "district": world.district.pk, "text": "Как оформить пособие на ребёнка? Мой телефон 8-912-345-67-89.",
            "consent": "on", "website": ""}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize("changes, field, message", [
    ({"author_name": ""}, "author_name", "Укажите имя или псевдоним."),
    ({"author_name": "А" * 101}, "author_name", "Имя слишком длинное"),
    ({"email": "not-an-email"}, "email", "Укажите правильный адрес электронной почты или оставьте поле пустым."),
    ({"topic": ""}, "topic", "Выберите тему вопроса."),
    ({"topic": "999999"}, "topic", "Выберите тему вопроса."),
    ({"district": ""}, "district", "Выберите ваш район."),
    ({"district": "abc"}, "district", "Выберите ваш район."),
    ({"text": ""}, "text", "Напишите ваш вопрос."),
    ({"text": "Помогите"}, "text", "Вопрос слишком короткий"),
    ({"text": "я" * 5001}, "text", "Вопрос слишком длинный"),
    ({"consent": None}, "consent", "Необходимо ваше согласие на обработку введённых данных."),
])
def test_bad_input_is_refused_with_a_clear_message(world: Any, changes: dict[str, Any], field: str,
                                                   message: str) -> None:
    response = Client().post(URL, good(world, **changes))
    assert response.status_code == 400
    errors = [str(e) for e in response.context["form"].errors[field]]
    assert any(message in e for e in errors), errors
    assert message in response.content.decode()
    assert Question.objects.count() == 0
    assert not AuditEvent.objects.filter(object_type="consultations.question").exists()


def test_inactive_topic_is_refused(world: Any) -> None:
    world.housing.active = False
    world.housing.save()
    response = Client().post(URL, good(world, topic=world.housing.pk))
    assert response.status_code == 400
    assert Question.objects.count() == 0


def test_good_question_is_saved_masked_routed_and_audited(world: Any) -> None:
    response = Client().post(URL, good(world))
    assert response.status_code == 302
    assert response["Location"].endswith("?sent=1#sent")
    question = Question.objects.get()
    assert question.status == Question.Status.ASSIGNED
    assert question.specialist == world.local_specialist
    assert "8-912-345-67-89" in question.text
    assert "345-67-89" not in question.published_text and "[телефон скрыт]" in question.published_text
    assert (question.due_on - timezone.localdate(question.created_at)).days == 30
    assert AuditEvent.objects.filter(object_type="consultations.question", object_id=str(question.pk),
                                     verb="question.ask").exists()
    page = Client().get(response["Location"])
    assert "Спасибо! Ваш вопрос получен." in page.content.decode()


def test_honeypot_pretends_success_and_saves_nothing(world: Any) -> None:
    response = Client().post(URL, good(world, website="http://spam.example"))
    assert response.status_code == 302
    assert Question.objects.count() == 0


@override_settings(PUBLIC_FORM_RATE_LIMITS={"question": (2, 3600)})
def test_rate_limit_per_client(world: Any) -> None:
    client = Client(REMOTE_ADDR="10.0.0.1")
    assert client.post(URL, good(world)).status_code == 302
    assert client.post(URL, good(world)).status_code == 302
    third = client.post(URL, good(world))
    assert third.status_code == 429
    assert "Слишком много вопросов" in third.content.decode()
    assert Question.objects.count() == 2
    other = Client(REMOTE_ADDR="10.0.0.2")
    assert other.post(URL, good(world)).status_code == 302
    assert Question.objects.count() == 3


def test_form_page_is_labelled(world: Any) -> None:
    html = Client().get(URL).content.decode()
    for field in ("author_name", "email", "topic", "district", "text", "consent"):
        assert f'for="id_{field}"' in html
    assert 'aria-hidden="true"' in html  # the honeypot is hidden from assistive technology


def _input(html: str, name: str) -> Any:
    """The rendered input/select/textarea of a field, parsed."""
    import re

    match = re.search(rf'<(?:input|select|textarea)[^>]*name="{name}"[^>]*>', html)
    assert match, name
    return match.group(0)


def test_hints_are_referenced_from_their_inputs(world: Any) -> None:
    html = Client().get(URL).content.decode()
    for name in ("author_name", "email", "text"):
        assert f'id="{name}-hint"' in html
        assert f'aria-describedby="{name}-hint"' in _input(html, name)
    assert "aria-describedby" not in _input(html, "topic")  # no hint, no error: nothing to describe
    assert "aria-invalid" not in _input(html, "email")


def test_errors_are_referenced_together_with_the_hint(world: Any) -> None:
    html = Client().post(URL, good(world, email="not-an-email", topic="")).content.decode()
    email = _input(html, "email")
    assert 'aria-describedby="email-hint email-error"' in email and 'aria-invalid="true"' in email
    assert 'id="email-error"' in html and 'id="email-hint"' in html
    topic = _input(html, "topic")
    assert 'aria-describedby="topic-error"' in topic and 'aria-invalid="true"' in topic
    assert 'aria-invalid' not in _input(html, "author_name")  # valid fields are not marked
    assert 'aria-describedby="author_name-hint"' in _input(html, "author_name")


def test_fieldsets_carry_hint_and_error_ids(db: None) -> None:
    from django.template.loader import render_to_string

    from portal.community.forms import BenefactorForm

    form = BenefactorForm({"kind": "", "help_kinds": []})
    form.is_valid()
    html = render_to_string("core/_form.html", {"form": form})
    assert '<fieldset class="form-field" aria-describedby="kind-error">' in html
    assert '<fieldset class="form-field" aria-describedby="help_kinds-error">' in html
    assert 'id="kind-error"' in html and 'id="help_kinds-error"' in html
    # Each kind of help is its own labelled checkbox inside the fieldset.
    assert 'for="id_help_kinds_0"' in html


@pytest.mark.parametrize("query", [{"q": "\x00"}, {"q": "суб\x00сидия"}, {"topic": "\x00"}, {"q": "я" * 201}])
def test_bad_search_input_gets_a_clear_message(world: Any, query: dict[str, str]) -> None:
    response = Client().get(URL, query)
    assert response.status_code == 400
    assert "Поисковый запрос содержит недопустимые символы" in response.content.decode()
    assert response.context["q"] == "" or "\x00" not in response.context["q"]


@override_settings(PUBLIC_FORMS_TRUST_X_FORWARDED_FOR=True, PUBLIC_FORM_RATE_LIMITS={"question": (1, 3600)})
def test_rate_limit_uses_the_address_the_trusted_proxy_saw(world: Any) -> None:
    # The client forges the left part of the header; the proxy appends the address it saw (rightmost).
    first = Client(HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.7", REMOTE_ADDR="10.0.0.1")
    assert first.post(URL, good(world)).status_code == 302
    forged = Client(HTTP_X_FORWARDED_FOR="2.2.2.2, 203.0.113.7", REMOTE_ADDR="10.0.0.1")
    assert forged.post(URL, good(world)).status_code == 429
    other = Client(HTTP_X_FORWARDED_FOR="1.1.1.1, 198.51.100.9", REMOTE_ADDR="10.0.0.1")
    assert other.post(URL, good(world)).status_code == 302
    assert Question.objects.count() == 2


@override_settings(PUBLIC_FORMS_TRUST_X_FORWARDED_FOR=False, PUBLIC_FORM_RATE_LIMITS={"question": (1, 3600)})
def test_forwarded_header_is_ignored_unless_trusted(world: Any) -> None:
    assert Client(HTTP_X_FORWARDED_FOR="1.1.1.1", REMOTE_ADDR="10.0.0.5").post(URL, good(world)).status_code == 302
    assert Client(HTTP_X_FORWARDED_FOR="9.9.9.9", REMOTE_ADDR="10.0.0.5").post(URL, good(world)).status_code == 429


@pytest.mark.parametrize("field", ["author_name", "email", "text", "topic", "district"])
def test_nul_in_the_question_form_is_a_form_error(world: Any, field: str) -> None:
    response = Client().post(URL, good(world, **{field: "Вопрос\x00 про пособие на ребёнка"}))
    assert response.status_code == 400 and field in response.context["form"].errors
    assert Question.objects.count() == 0
