"""Nested lists are capped per parent in the database (the MAX_* of graph/<domain>/dataloaders.py), keeping the
newest history and comments, and the public registry lists at most MAX_ORGANISATIONS organisations."""

from __future__ import annotations

from graph.cases import dataloaders as case_loaders
from graph.measures import dataloaders as measure_loaders
from portal.cases import services
from portal.testing import factories


def test_nested_lists_are_capped_per_parent(world, gql, monkeypatch):
    monkeypatch.setattr(measure_loaders, "MAX_HISTORY", 2)
    monkeypatch.setattr(measure_loaders, "MAX_COMMENTS", 2)
    monkeypatch.setattr(case_loaders, "MAX_MEASURES_PER_CASE", 1)
    school = world.partner(world.school)
    for text in ("первый", "второй", "третий"):
        services.comment_measure(viewer=school, measure_id=world.m_school.pk, text=text)
    result = gql(world.petrova, """query($id: ID!, $case: ID!) {
      measure(id: $id) { history { verb } comments { text } }
      case(id: $case) { measures { id } } }""", {"id": str(world.m_school.pk), "case": str(world.case_own.pk)})
    assert result.errors == []
    measure = result.data["measure"]
    assert [c["text"] for c in measure["comments"]] == ["второй", "третий"]  # the newest, oldest first
    assert [e["verb"] for e in measure["history"]] == ["measure.comment", "measure.comment"]
    assert len(result.data["case"]["measures"]) == 1  # the case has two (school and police)


def test_registry_is_capped(world, gql, monkeypatch):
    from graph.partners import queries

    monkeypatch.setattr(queries, "MAX_ORGANISATIONS", 3)
    factories.organisation(kind="ngo")
    assert len(gql(world.petrova, "{ organisations { code } }").data["organisations"]) == 3
