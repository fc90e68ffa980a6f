"""A citizen who asks without an e-mail address gets the question's number and a private link to follow it; the
link shows the status and, once published, the answer — never the asker's name — and cannot be guessed."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import Client

from portal.consultations.models import Question, Topic
from portal.territory.models import District

pytestmark = pytest.mark.django_db


def test_asker_without_email_follows_the_question_by_a_private_link() -> None:
    cache.clear()  # the form's rate limit
    district = District.objects.create(code="f-district", name="Ленинский район", kind="urban")
    topic = Topic.objects.create(name="Пособия и выплаты", slug="benefits")
    client = Client()
    sent = client.post("/consultations/", {
        "author_name": "Анна Кузьмина", "email": "", "topic": topic.pk, "district": district.pk,
        "text": "Как оформить пособие на ребёнка до трёх лет?", "consent": "on", "website": ""}, follow=True)
    question = Question.objects.get()
    html = sent.content.decode()
    assert f"№ {question.pk}" in html
    link = re.search(r'href="(/consultations/follow/[^"]+/)"', html)
    assert link, html
    page = client.get(link.group(1))
    assert page.status_code == 200 and page["X-Robots-Tag"] == "noindex"
    text = page.content.decode()
    assert f"Вопрос № {question.pk}" in text and "Специалист готовит ответ." in text
    assert "Кузьмина" not in text and "Анна" not in text
    # Published: the answer is there.
    Question.objects.filter(pk=question.pk).update(status=Question.Status.PUBLISHED, answer="Обратитесь в МФЦ.",
                                                   answered_by="Петрова Т.")
    assert "Обратитесь в МФЦ." in Client().get(link.group(1)).content.decode()
    # The number alone, or a changed link, opens nothing.
    token = link.group(1).split("/")[-2]
    assert Client().get(f"/consultations/follow/{question.pk}/").status_code == 404
    assert Client().get(f"/consultations/follow/{token[:-2]}xx/").status_code == 404
