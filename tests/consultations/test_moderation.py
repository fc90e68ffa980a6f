"""Moderation transitions, routing, deadlines and the answer notice."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.consultations import selectors, services
from portal.consultations.models import Question, Specialist
from portal.core import personal_data
from portal.core.errors import InvalidTransition, NotFound, ValidationFailed
from portal.core.viewer import Role, Viewer
from search.models import OutboxEntry


def ask(world: Any, **changes: Any) -> Question:
    fields: dict[str, Any] = {"author_name": "Анна", "email": "anna@example.org", "topic_id": world.benefits.pk,
                              "district_id": world.district.pk, "consent": True,
                              "text": "Как получить выплату? Звоните 8-912-345-67-89, ул. Ленина, д. 5."}
    fields.update(changes)
    return services.ask_question(**fields)


def test_routing_prefers_district_and_topic_then_region(world: Any) -> None:
    assert services.route(topic_id=world.benefits.pk, district_id=world.district.pk) == world.local_specialist
    assert services.route(topic_id=world.benefits.pk, district_id=world.other_district.pk) == \
        world.regional_specialist
    assert services.route(topic_id=world.housing.pk, district_id=world.district.pk) == world.regional_specialist
    Specialist.objects.update(active=False)
    assert services.route(topic_id=world.benefits.pk, district_id=world.district.pk) is None
    assert ask(world).status == Question.Status.NEW


def test_full_path_answer_publish_with_notice(world: Any, moderator: Viewer,
                                              django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        question = ask(world)
    assert [m.to for m in mail.outbox] == [["petrova@example.org"]]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        answered = services.answer_question(viewer=moderator, question_id=question.pk,
                                            answer="Обратитесь в КЦСОН с паспортом.")
    assert answered.status == Question.Status.ANSWERED
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["anna@example.org"]
    assert "Обратитесь в КЦСОН" in mail.outbox[0].body
    assert answered.notified_at is not None
    published = services.publish_question(viewer=moderator, question_id=question.pk)
    assert published.status == Question.Status.PUBLISHED
    assert "345-67-89" not in published.published_text and "Ленина" not in published.published_text
    assert list(selectors.published_questions()) == [published]
    verbs = set(AuditEvent.objects.filter(object_type="consultations.question").values_list("verb", flat=True))
    assert {"question.ask", "question.answer", "question.publish"} <= verbs
    assert OutboxEntry.objects.filter(kind="consultation", object_id=str(question.pk)).exists()


def test_no_notice_without_email(world: Any, moderator: Viewer, django_capture_on_commit_callbacks: Any) -> None:
    question = ask(world, email="")
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_question(viewer=moderator, question_id=question.pk, answer="Ответ")
    assert mail.outbox == []


def test_moderator_adjusts_masked_text_but_cannot_leave_contacts(world: Any, moderator: Viewer) -> None:
    question = ask(world)
    services.answer_question(viewer=moderator, question_id=question.pk, answer="Ответ")
    with pytest.raises(ValidationFailed) as refused:
        services.publish_question(viewer=moderator, question_id=question.pk,
                                  published_text="Звоните 8-912-345-67-89")
    assert refused.value.field == "published_text"
    assert Question.objects.get(pk=question.pk).status == Question.Status.ANSWERED
    published = services.publish_question(viewer=moderator, question_id=question.pk,
                                          published_text="Как получить выплату многодетной семье?")
    assert published.published_text == "Как получить выплату многодетной семье?"


def test_refused_transitions(world: Any, moderator: Viewer) -> None:
    question = ask(world)
    with pytest.raises(InvalidTransition):
        services.publish_question(viewer=moderator, question_id=question.pk)
    with pytest.raises(ValidationFailed):
        services.reject_question(viewer=moderator, question_id=question.pk, reason="  ")
    with pytest.raises(ValidationFailed):
        services.answer_question(viewer=moderator, question_id=question.pk, answer="")
    services.reject_question(viewer=moderator, question_id=question.pk, reason="Вопрос не по теме")
    rejected = Question.objects.get(pk=question.pk)
    assert rejected.status == Question.Status.REJECTED and rejected.rejection_reason == "Вопрос не по теме"
    for action in (
        lambda: services.answer_question(viewer=moderator, question_id=question.pk, answer="Ответ"),
        lambda: services.assign_question(viewer=moderator, question_id=question.pk,
                                         specialist_id=world.local_specialist.pk),
        lambda: services.reject_question(viewer=moderator, question_id=question.pk, reason="ещё раз"),
    ):
        with pytest.raises(InvalidTransition):
            action()
    with pytest.raises(NotFound):
        services.publish_question(viewer=moderator, question_id=999999)


def test_only_staff_moderate(world: Any) -> None:
    question = ask(world)
    for viewer in (Viewer.anonymous(), Viewer(subject="p", roles=frozenset({Role.PARTNER}), organisation_id=1)):
        # Outside the question's audience its existence is not told: «not found», as for a missing one.
        with pytest.raises(NotFound):
            services.answer_question(viewer=viewer, question_id=question.pk, answer="Ответ")
        with pytest.raises(NotFound):
            services.reject_question(viewer=viewer, question_id=question.pk, reason="нет")
        assert selectors.question_queue(viewer).count() == 0
    assert Question.objects.get(pk=question.pk).status == Question.Status.ASSIGNED


def test_overdue_questions_are_flagged(world: Any, moderator: Viewer) -> None:
    old = ask(world)
    Question.objects.filter(pk=old.pk).update(due_on=timezone.localdate() - dt.timedelta(days=1))
    fresh = ask(world)
    overdue = selectors.question_queue(moderator, overdue=True)
    assert list(overdue) == [Question.objects.get(pk=old.pk)]
    assert Question.objects.get(pk=old.pk).is_overdue() and not fresh.is_overdue()


def test_public_list_and_search_show_published_only(world: Any, moderator: Viewer) -> None:
    shown = ask(world, text="Как оформить субсидию на оплату ЖКУ пенсионеру?")
    services.answer_question(viewer=moderator, question_id=shown.pk, answer="Подайте заявление в МФЦ.")
    services.publish_question(viewer=moderator, question_id=shown.pk)
    hidden = ask(world, text="Секретный вопрос про субсидию без ответа")
    client = Client()
    html = client.get("/consultations/").content.decode()
    assert "Как оформить субсидию" in html and "Подайте заявление в МФЦ." in html
    assert "Секретный вопрос" not in html
    found = client.get("/consultations/", {"q": "субсидию"}).content.decode()
    assert "Как оформить субсидию" in found and "Секретный вопрос" not in found
    assert "Ничего не найдено" in client.get("/consultations/", {"q": "трактор"}).content.decode()
    assert client.get(f"/consultations/{shown.pk}/").status_code == 200
    assert client.get(f"/consultations/{hidden.pk}/").status_code == 404
    by_topic = client.get("/consultations/", {"topic": "housing"}).content.decode()
    assert "Как оформить субсидию" not in by_topic


# --- What is published: the name, the question and the answer are checked -----------------------

@pytest.mark.parametrize("author, expected", [
    ("Анна", "А."), ("Иван Петров", "И. П."), ("мама троих детей", "М. Т."), ("  ", "Аноним"),
    ("8-912-345-67-89", "Аноним"), ("anna@example.org", "Аноним"), ("123", "Аноним"),
])
def test_default_published_name_is_initials_or_anonymous(author: str, expected: str) -> None:
    assert services.default_published_name(author) == expected


def test_only_the_published_name_is_public(world: Any, moderator: Viewer) -> None:
    question = ask(world, author_name="Марина Соколова", text="Как получить пособие на ребёнка в этом году?")
    assert question.published_name == "М. С."
    services.answer_question(viewer=moderator, question_id=question.pk, answer="Обратитесь в МФЦ.")
    services.publish_question(viewer=moderator, question_id=question.pk)
    client = Client()
    for url in ("/consultations/", f"/consultations/{question.pk}/"):
        html = client.get(url).content.decode()
        assert "М. С." in html and "Марина" not in html and "Соколова" not in html
    from portal.consultations import search_documents

    document = search_documents.document(question.pk)
    assert document is not None and document["published_name"] == "М. С."
    assert "Марина" not in str(document)


def test_moderator_edits_the_published_name_but_not_to_the_askers_name(world: Any, moderator: Viewer) -> None:
    question = ask(world, author_name="Марина Соколова")
    services.answer_question(viewer=moderator, question_id=question.pk, answer="Ответ специалиста.")
    for name in ("Марина", "М. Соколова", "тел. 8-912-345-67-89", "Я" * 101):
        with pytest.raises(ValidationFailed) as refused:
            services.publish_question(viewer=moderator, question_id=question.pk, published_name=name,
                                      published_text="Как получить выплату?")
        assert refused.value.field == "published_name"
    assert Question.objects.get(pk=question.pk).status == Question.Status.ANSWERED
    published = services.publish_question(viewer=moderator, question_id=question.pk, published_name="",
                                          published_text="Как получить выплату?")
    assert published.published_name == "Аноним"


def test_consent_text_says_what_is_published(world: Any) -> None:
    html = Client().get("/consultations/").content.decode()
    assert "инициалы" in html.lower()
    assert "имя и адрес электронной почты не публикуются" in html.lower()


@pytest.mark.parametrize("answer, found", [
    ("Позвоните мне: 8-912-000-11-22.", "8-912-000-11-22"),
    ("Напишите на petrova@example.org.", "petrova@example.org"),
    ("Я приеду к вам на Ленина 5 кв 3.", "Ленина 5 кв 3"),
])
def test_answer_with_contacts_is_refused_at_publication(world: Any, moderator: Viewer, answer: str,
                                                        found: str) -> None:
    question = ask(world, text="Как оформить пособие на ребёнка?")
    services.answer_question(viewer=moderator, question_id=question.pk, answer=answer)
    with pytest.raises(ValidationFailed) as refused:
        services.publish_question(viewer=moderator, question_id=question.pk)
    assert refused.value.field == "answer" and found in refused.value.message
    assert Question.objects.get(pk=question.pk).status == Question.Status.ANSWERED
    # Masked by the moderator: published.
    masked = services.publish_question(viewer=moderator, question_id=question.pk,
                                       answer=personal_data.mask(answer).text)
    assert masked.status == Question.Status.PUBLISHED and found not in masked.answer


def test_moderator_confirms_public_contacts_in_the_answer(world: Any, moderator: Viewer) -> None:
    question = ask(world, text="Куда обратиться за выплатой?")
    answer = "Обратитесь в КЦСОН: ул. Ленина, д. 12, тел. 8 (342) 200-10-10."
    services.answer_question(viewer=moderator, question_id=question.pk, answer=answer)
    with pytest.raises(ValidationFailed):
        services.publish_question(viewer=moderator, question_id=question.pk)
    keys = [item.key for item in services.pending_findings(answer=answer)]
    assert len(keys) == 2  # the office's address and its phone, each confirmed on its own
    published = services.publish_question(viewer=moderator, question_id=question.pk, confirmed=keys)
    assert published.answer == answer
    event = AuditEvent.objects.filter(verb="question.publish", object_id=str(question.pk),
                                      action=AuditEvent.Action.TRANSITION).get()
    assert [(item["kind"], item["text"]) for item in event.details["confirmed_findings"]] == [
        ("address", "ул. Ленина, д. 12"), ("phone", "8 (342) 200-10-10")]


def test_address_left_in_the_question_needs_the_moderators_confirmation(world: Any, moderator: Viewer) -> None:
    question = ask(world, text="Как оформить пособие на ребёнка?")
    services.answer_question(viewer=moderator, question_id=question.pk, answer="Ответ специалиста.")
    text = "Мы живём в г. Заречный, Ленина 5. Как оформить пособие?"
    with pytest.raises(ValidationFailed) as refused:
        services.publish_question(viewer=moderator, question_id=question.pk, published_text=text)
    assert refused.value.field == "published_text" and "Ленина 5" in refused.value.message
    # A phone number is never accepted, confirmed or not.
    phone = "Звоните 8-912-345-67-89"
    with pytest.raises(ValidationFailed):
        services.publish_question(viewer=moderator, question_id=question.pk, published_text=phone,
                                  confirmed=[item.key for item in services.pending_findings(published_text=phone)])
    keys = [item.key for item in services.pending_findings(published_text=text)]
    published = services.publish_question(viewer=moderator, question_id=question.pk, published_text=text,
                                          confirmed=keys)
    assert published.published_text == text


def test_questions_are_masked_with_the_new_address_patterns(world: Any) -> None:
    question = ask(world, text="Живу: Ленина 5 кв 3, г. Заречный. Положена ли мне выплата на 2 детей?")
    assert "Ленина" not in question.published_text and "кв 3" not in question.published_text
    assert "2 детей" in question.published_text
