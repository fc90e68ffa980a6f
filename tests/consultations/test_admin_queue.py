"""The moderation queue in the Wagtail admin over HTTP: every action, refusals as messages or 400s, never 500."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client

from portal.audit.models import AuditEvent
from portal.consultations import services
from portal.consultations.models import Question

QUEUE = "/admin/consultations/queue/"


def ask(world: Any, text: str = "Как получить выплату? Звоните 8-912-345-67-89, живу Ленина 5 кв 3.") -> Question:
    return services.ask_question(author_name="Анна Петрова", email="anna@example.org", topic_id=world.benefits.pk,
                                 district_id=world.district.pk, text=text, consent=True)


def url(question: Question) -> str:
    return f"{QUEUE}{question.pk}/"


def notes(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def editor(world: Any, staff_client: Callable[..., Client]) -> Client:
    """An editor who moderates both topics of the world."""
    return staff_client("editor", "editor", moderates=[world.benefits, world.housing])


def test_queue_and_detail_show_the_question_to_staff_only(world: Any, editor: Client,
                                                           staff_client: Callable[..., Client]) -> None:
    question = ask(world)
    page = editor.get(QUEUE)
    assert page.status_code == 200 and f'data-question="{question.pk}"' in page.content.decode()
    detail = editor.get(url(question)).content.decode()
    assert "Анна Петрова" in detail and "А. П." in detail  # the name as asked, and the name for publication
    partner = staff_client("partner", "partner")
    assert partner.get(url(question)).status_code == 404
    assert Client().get(QUEUE).status_code == 302  # to the sign-in page


def test_assign_answer_publish_through_the_admin(world: Any, editor: Client,
                                                 django_capture_on_commit_callbacks: Any) -> None:
    question = ask(world)
    assigned = editor.post(url(question), {"action": "assign", "specialist": world.regional_specialist.pk})
    assert assigned.status_code == 302 and notes(assigned) == ["Готово."]
    assert Question.objects.get(pk=question.pk).specialist == world.regional_specialist

    form = editor.get(url(question)).context["forms"]["answer"]
    masked_text = form.initial["published_text"]
    assert "345-67-89" not in masked_text and "Ленина" not in masked_text
    with django_capture_on_commit_callbacks(execute=True):
        answered = editor.post(url(question), {"action": "answer", "published_name": "А. П.",
                                               "published_text": masked_text, "answer": "Обратитесь в МФЦ."})
    assert answered.status_code == 302, answered.content.decode()[:2000]
    assert Question.objects.get(pk=question.pk).status == Question.Status.ANSWERED
    assert [m.to for m in mail.outbox][-1] == ["anna@example.org"]

    published = editor.post(url(question), {"action": "publish", "published_name": "А. П.",
                                            "published_text": masked_text, "answer": "Обратитесь в МФЦ."})
    assert published.status_code == 302
    question.refresh_from_db()
    assert question.status == Question.Status.PUBLISHED and question.published_name == "А. П."
    public = Client().get("/consultations/").content.decode()
    assert "Обратитесь в МФЦ." in public and "Анна" not in public and "Петрова" not in public

    unpublished = editor.post(url(question), {"action": "unpublish"})
    assert unpublished.status_code == 302
    assert Question.objects.get(pk=question.pk).status == Question.Status.ANSWERED


def test_publish_is_refused_with_what_was_found_until_confirmed(world: Any, editor: Client, moderator: Any) -> None:
    question = ask(world, text="Как оформить пособие на ребёнка?")
    answer = "Приходите в КЦСОН: ул. Ленина, д. 12, тел. 8 (342) 200-10-10."
    services.answer_question(viewer=moderator, question_id=question.pk, answer=answer)
    data = {"action": "publish", "published_name": "А. П.", "published_text": "Как оформить пособие?",
            "answer": answer}
    refused = editor.post(url(question), data)
    assert refused.status_code == 400
    errors = refused.context["forms"]["publish"].errors["answer"]
    assert any("200-10-10" in e and "ул. Ленина, д. 12" in e for e in errors), errors
    assert "200-10-10" in refused.content.decode()  # the moderator sees what was found
    assert Question.objects.get(pk=question.pk).status == Question.Status.ANSWERED
    # Each finding has its own checkbox; ticking one of two is not enough.
    choices = dict(refused.context["forms"]["publish"].fields["confirmed"].choices)
    assert len(choices) == 2 and all("ответ" in label for label in choices.values()), choices
    keys = list(choices)
    once = editor.post(url(question), {**data, "confirmed": keys[:1]})
    assert once.status_code == 400 and "200-10-10" in " ".join(once.context["forms"]["publish"].errors["answer"])
    assert "ул. Ленина, д. 12" not in " ".join(once.context["forms"]["publish"].errors["answer"])
    confirmed = editor.post(url(question), {**data, "confirmed": keys})
    assert confirmed.status_code == 302
    assert Question.objects.get(pk=question.pk).status == Question.Status.PUBLISHED
    event = AuditEvent.objects.get(verb="question.publish", object_id=str(question.pk),
                                   action=AuditEvent.Action.TRANSITION)
    assert sorted(item["key"] for item in event.details["confirmed_findings"]) == sorted(keys)


def test_published_name_is_checked_in_the_admin(world: Any, editor: Client, moderator: Any) -> None:
    question = ask(world, text="Как оформить пособие на ребёнка?")
    services.answer_question(viewer=moderator, question_id=question.pk, answer="Ответ специалиста.")
    refused = editor.post(url(question), {"action": "publish", "published_name": "Анна",
                                          "published_text": "Как оформить пособие?", "answer": "Ответ специалиста."})
    assert refused.status_code == 400
    assert "инициалы" in " ".join(refused.context["forms"]["publish"].errors["published_name"])
    assert Question.objects.get(pk=question.pk).status == Question.Status.ANSWERED


def test_reject_needs_a_reason(world: Any, editor: Client) -> None:
    question = ask(world)
    empty = editor.post(url(question), {"action": "reject", "reason": ""})
    assert empty.status_code == 400 and "Укажите причину отклонения." in empty.content.decode()
    rejected = editor.post(url(question), {"action": "reject", "reason": "Не по теме"})
    assert rejected.status_code == 302
    question.refresh_from_db()
    assert question.status == Question.Status.REJECTED and question.rejection_reason == "Не по теме"
    again = editor.post(url(question), {"action": "answer", "published_name": "", "published_text": "Текст",
                                        "answer": "Ответ"})
    assert again.status_code == 400 and notes(again)  # refused transition: a message, not a 500


@pytest.mark.parametrize("data", [
    {"action": "fly"}, {"action": "assign", "specialist": "abc"}, {"action": "assign", "specialist": "999999"},
    {"action": "assign", "specialist": "\x00"}, {"action": "answer"}, {"action": "publish"}, {},
])
def test_malformed_posts_are_refused_cleanly(world: Any, editor: Client, data: dict[str, str]) -> None:
    question = ask(world)
    response = editor.post(url(question), data)
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert notes(response) == ["Неизвестное действие."]
    assert Question.objects.get(pk=question.pk).status == Question.Status.ASSIGNED


@pytest.mark.parametrize("path", [f"{QUEUE}?status=%00", f"{QUEUE}?status=nope", f"{QUEUE}?overdue=%00",
                                  f"{QUEUE}999999/"])
def test_bad_filters_and_missing_questions(world: Any, editor: Client, path: str) -> None:
    response = editor.get(path)
    assert response.status_code in (200, 404)
    if "status" in path:
        assert response.status_code == 200 and notes(response) == ["Неизвестный статус: показаны все вопросы."]

