"""The public list of questions and answers: a page at a time, newest first, the search kept across pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.utils import timezone

from portal.consultations.models import Question
from portal.consultations.views import ANSWERS_PER_PAGE

URL = "/consultations/"


def publish(world: Any, count: int, topic: Any) -> list[Question]:
    now = timezone.now()
    return [Question.objects.create(
        author_name="Анна", published_name="А.", topic=topic, district=world.district, text=f"Вопрос {n}",
        published_text=f"Вопрос номер {n} о пособии", answer=f"Ответ номер {n}.", status=Question.Status.PUBLISHED,
        consent_at=now, created_at=now, due_on=now.date(), published_at=now - dt.timedelta(minutes=n),
    ) for n in range(count)]


def test_the_answers_come_a_page_at_a_time_newest_first(world: Any) -> None:
    publish(world, ANSWERS_PER_PAGE + 3, world.benefits)
    first = Client().get(URL).content.decode()
    assert first.count('class="qa card"') == ANSWERS_PER_PAGE and "Ответ номер 0." in first
    assert "Страница 1 из 2" in first and 'href="?page=2#answers-title"' in first
    second = Client().get(URL, {"page": "2"}).content.decode()
    assert second.count('class="qa card"') == 3 and f"Ответ номер {ANSWERS_PER_PAGE + 2}." in second
    assert 'href="?page=1#answers-title"' in second
    assert Client().get(URL, {"page": "abc"}).content.decode().count('class="qa card"') == ANSWERS_PER_PAGE


def test_the_search_is_kept_across_pages(world: Any) -> None:
    publish(world, ANSWERS_PER_PAGE + 1, world.housing)
    publish(world, 2, world.benefits)
    page = Client().get(URL, {"topic": "housing"}).content.decode()
    assert page.count('class="qa card"') == ANSWERS_PER_PAGE
    assert 'href="?topic=housing&amp;page=2#answers-title"' in page
    assert Client().get(URL, {"topic": "housing", "page": "2"}).content.decode().count('class="qa card"') == 1
