"""Partner part of the gateway, in-process: myMeasures, measure, shared recipient data, mutations,
conflicts with the current state, audit records."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone, translation
from django.utils.translation import gettext

from portal.audit.models import AuditEvent
from portal.cases.models import Measure

MEASURE_FIELDS = """
  id version task content kind kindLabel deadline place status statusLabel overdue isOpen result doneOn
  caseCode organisation { code name } sharedFields
  recipient { sharedFields firstName lastName middleName birthDate phone address district }
  history { verb action actorName actorOrganisation changes { field before after } refused }
  comments { author authorOrganisation text }
"""

MY_MEASURES = "query($first: Int, $after: String, $filter: MeasureFilter) { myMeasures(first: $first, after: $after, " \
              "filter: $filter) { totalCount pageInfo { hasNextPage endCursor } nodes {" + MEASURE_FIELDS + "} } }"
MEASURE = "query($id: ID!) { measure(id: $id) {" + MEASURE_FIELDS + "} }"
FULFIL = """mutation($id: ID!, $version: Int!, $result: String!, $doneOn: Date) {
  fulfilMeasure(id: $id, version: $version, result: $result, doneOn: $doneOn) { id version status result doneOn } }"""
ACCEPT = "mutation($id: ID!, $version: Int!) { acceptMeasure(id: $id, version: $version) { id version status } }"
NOT_FULFILLED = """mutation($id: ID!, $version: Int!, $code: MeasureReasonCode!, $reason: String!) {
  reportMeasureNotFulfilled(id: $id, version: $version, reasonCode: $code, reason: $reason) {
    id status notFulfilledReason notFulfilledCode } }"""
RETURN = """mutation($id: ID!, $version: Int!, $code: MeasureReasonCode!, $reason: String) {
  returnMeasure(id: $id, version: $version, reasonCode: $code, reason: $reason) {
    id version status statusLabel isOpen returnCode returnReason } }"""
COMMENT = "mutation($id: ID!, $text: String!) { commentMeasure(id: $id, text: $text) { author text } }"


def test_partner_sees_only_own_measures(world, gql):
    result = gql(world.partner(world.school), MY_MEASURES, {"first": 50})
    assert result.errors == []
    page = result.data["myMeasures"]
    ids = {node["id"] for node in page["nodes"]}
    assert ids == {str(world.m_school.pk), str(world.m_school_other.pk)}
    assert page["totalCount"] == 2
    assert {node["organisation"]["code"] for node in page["nodes"]} == {"school-7"}


def test_anonymous_and_editor_are_refused(world, gql):
    from portal.core.viewer import Role, Viewer

    assert gql(Viewer.anonymous(), MY_MEASURES).code == "unauthenticated"
    editor = Viewer(subject="e", username="editor.site", roles=frozenset({Role.EDITOR}))
    refused = gql(editor, MY_MEASURES)
    assert refused.code == "forbidden"
    assert refused.data is None


def test_other_organisations_measure_is_reported_like_a_missing_one(world, gql):
    police = world.partner(world.police)
    other = gql(police, MEASURE, {"id": str(world.m_school.pk)})
    missing = gql(police, MEASURE, {"id": "999999"})
    garbage = gql(police, MEASURE, {"id": "abc"})
    assert other.code == missing.code == garbage.code == "not_found"
    assert other.errors[0]["message"] == missing.errors[0]["message"] == garbage.errors[0]["message"]


def test_recipient_data_is_only_what_was_shared_and_each_read_is_recorded(world, gql):
    school = world.partner(world.school)
    before = AuditEvent.objects.filter(action=AuditEvent.Action.READ).count()
    node = gql(school, MEASURE, {"id": str(world.m_school.pk)}).data["measure"]
    recipient = node["recipient"]
    assert recipient["sharedFields"] == ["district", "first_name"]
    assert recipient["firstName"] == "Ольга"
    assert recipient["district"] == world.precinct_own.district.name
    assert recipient["lastName"] is None and recipient["phone"] is None and recipient["address"] is None
    reads = AuditEvent.objects.filter(action=AuditEvent.Action.READ).order_by("-id")
    assert reads.count() == before + 1
    assert reads[0].details["measure"] == world.m_school.pk and reads[0].actor_organisation == "school-7"
    # Without the recipient field nothing personal is read, nothing recorded.
    gql(school, "query($id: ID!) { measure(id: $id) { task } }", {"id": str(world.m_school.pk)})
    assert AuditEvent.objects.filter(action=AuditEvent.Action.READ).count() == before + 1


def test_more_shared_fields_when_the_coordinator_shares_them(world, gql):
    measure = world.m_school
    result = gql(world.petrova, """mutation($id: ID!, $v: Int!) { setSharedFields(id: $id, version: $v,
        fields: ["first_name", "district", "phone"]) { version sharedFields } }""",
                 {"id": str(measure.pk), "v": measure.version})
    assert result.errors == []
    node = gql(world.partner(world.school), MEASURE, {"id": str(measure.pk)}).data["measure"]
    assert node["recipient"]["phone"] == "+7 912 000-00-00"
    assert node["recipient"]["lastName"] is None


def test_fulfil_then_stale_version_is_a_conflict_with_the_current_state(world, gql):
    school = world.partner(world.school, "Смирнова")
    colleague = world.partner(world.school, "Никитин")
    measure = world.m_school
    done = gql(school, FULFIL, {"id": str(measure.pk), "version": measure.version, "result": "Проведены 3 занятия"})
    assert done.errors == []
    assert done.data["fulfilMeasure"]["status"] == "FULFILLED"
    assert done.data["fulfilMeasure"]["version"] == measure.version + 1
    late = gql(colleague, NOT_FULFILLED, {"id": str(measure.pk), "version": measure.version, "code": "OTHER",
                                          "reason": "Не пришли"})
    assert late.code == "conflict"
    current = late.errors[0]["extensions"]["current"]
    assert current["status"] == "fulfilled"
    assert current["version"] == measure.version + 1
    assert current["result"] == "Проведены 3 занятия"
    assert "изменено" in late.errors[0]["message"] or "changed" in late.errors[0]["message"]
    verbs = list(AuditEvent.objects.for_object("cases.measure", measure.pk).values_list("action", "verb"))
    assert ("transition", "measure.fulfil") in verbs
    assert ("attempt", "measure.not_fulfilled") in verbs
    history = gql(school, MEASURE, {"id": str(measure.pk)}).data["measure"]["history"]
    assert [entry["refused"] for entry in history if entry["action"] == "attempt"] == ["conflict"]


def test_accept_and_report_not_fulfilled(world, gql):
    school = world.partner(world.school)
    measure = world.m_school
    accepted = gql(school, ACCEPT, {"id": str(measure.pk), "version": measure.version})
    assert accepted.data["acceptMeasure"]["status"] == "ACCEPTED"
    again = gql(school, ACCEPT, {"id": str(measure.pk), "version": measure.version + 1})
    assert again.code == "invalid_transition"
    reported = gql(school, NOT_FULFILLED, {"id": str(measure.pk), "version": measure.version + 1,
                                           "code": "OTHER", "reason": "Семья переехала"})
    assert reported.errors == []
    assert reported.data["reportMeasureNotFulfilled"]["status"] == "NOT_FULFILLED"
    assert reported.data["reportMeasureNotFulfilled"]["notFulfilledCode"] == "OTHER"
    assert Measure.objects.get(pk=measure.pk).not_fulfilled_reason == "Семья переехала"


def test_validation_errors_are_typed_and_translated(world, gql):
    school = world.partner(world.school)
    args = {"id": str(world.m_school.pk), "version": world.m_school.version, "result": "   "}
    ru = gql(school, FULFIL, args, language="ru")
    en = gql(school, FULFIL, args, language="en")
    assert ru.code == en.code == "validation_failed"
    assert ru.errors[0]["extensions"]["field"] == "result"
    assert en.errors[0]["message"] == "Describe the result of the measure."
    with translation.override("ru"):
        assert ru.errors[0]["message"] == gettext("Describe the result of the measure.")
    # A gateway message (own catalogue) in both languages:
    assert gql(school, MY_MEASURES, {"first": 1000}, language="ru").errors[0]["message"] == \
        "Можно запросить от 0 до 100 записей на странице."
    assert gql(school, MY_MEASURES, {"first": 1000}, language="en").errors[0]["message"] == \
        "Ask for 0 to 100 items per page."
    future = dict(args, result="ok", doneOn=(timezone.localdate() + dt.timedelta(days=2)).isoformat())
    assert gql(school, FULFIL, future).errors[0]["extensions"]["field"] == "done_on"
    assert Measure.objects.get(pk=world.m_school.pk).status == "assigned"


def test_other_partner_cannot_change_or_comment(world, gql):
    police = world.partner(world.police)
    measure = world.m_school
    for query, variables in [
        (FULFIL, {"id": str(measure.pk), "version": measure.version, "result": "x"}),
        (ACCEPT, {"id": str(measure.pk), "version": measure.version}),
        (COMMENT, {"id": str(measure.pk), "text": "x"}),
    ]:
        assert gql(police, query, variables).code == "not_found"
    assert Measure.objects.get(pk=measure.pk).version == measure.version


def test_comments_and_history(world, gql):
    school = world.partner(world.school, "Смирнова Ольга")
    measure = world.m_school
    commented = gql(school, COMMENT, {"id": str(measure.pk), "text": "Созвонились с семьёй"})
    assert commented.data["commentMeasure"]["author"] == "Смирнова Ольга"
    node = gql(world.petrova, MEASURE, {"id": str(measure.pk)}).data["measure"]
    assert [c["text"] for c in node["comments"]] == ["Созвонились с семьёй"]
    assert node["history"][0]["verb"] == "measure.assign"


def test_filters_and_pagination(world, gql):
    from portal.cases import services

    school = world.partner(world.school)
    services.fulfil_measure(viewer=school, measure_id=world.m_school.pk, version=world.m_school.version,
                            result="Сделано")
    fulfilled = gql(school, MY_MEASURES, {"filter": {"status": ["FULFILLED"]}}).data["myMeasures"]
    assert [n["id"] for n in fulfilled["nodes"]] == [str(world.m_school.pk)]
    first = gql(school, MY_MEASURES, {"first": 1}).data["myMeasures"]
    assert first["totalCount"] == 2 and first["pageInfo"]["hasNextPage"] is True
    second = gql(school, MY_MEASURES, {"first": 1, "after": first["pageInfo"]["endCursor"]}).data["myMeasures"]
    assert second["pageInfo"]["hasNextPage"] is False
    assert {first["nodes"][0]["id"], second["nodes"][0]["id"]} == {str(world.m_school.pk),
                                                                   str(world.m_school_other.pk)}
    text = gql(school, MY_MEASURES, {"filter": {"text": "Психолого"}}).data["myMeasures"]
    assert [n["id"] for n in text["nodes"]] == [str(world.m_school_other.pk)]
    soon = (timezone.localdate() + dt.timedelta(days=15)).isoformat()
    due = gql(school, MY_MEASURES, {"filter": {"dueBefore": soon}}).data["myMeasures"]
    assert [n["id"] for n in due["nodes"]] == [str(world.m_school_other.pk)]
    assert gql(school, MY_MEASURES, {"filter": {"overdue": True}}).data["myMeasures"]["totalCount"] == 0


def test_overdue_is_highlighted(world, gql):
    Measure.objects.filter(pk=world.m_school.pk).update(deadline=timezone.localdate() - dt.timedelta(days=1))
    school = world.partner(world.school)
    overdue = gql(school, MY_MEASURES, {"filter": {"overdue": True}}).data["myMeasures"]
    assert [(n["id"], n["overdue"]) for n in overdue["nodes"]] == [(str(world.m_school.pk), True)]
    staff = gql(world.petrova, "{ overdueMeasures { totalCount nodes { id organisation { code } } } }")
    assert staff.data["overdueMeasures"]["nodes"] == [{"id": str(world.m_school.pk),
                                                       "organisation": {"code": "school-7"}}]


def test_page_size_is_bounded(world, gql, settings):
    school = world.partner(world.school)
    assert gql(school, MY_MEASURES, {"first": 100}).errors == []
    too_many = gql(school, MY_MEASURES, {"first": 101})
    assert too_many.code == "bad_user_input" and too_many.errors[0]["extensions"]["field"] == "first"
    assert gql(school, MY_MEASURES, {"first": -1}).code == "bad_user_input"
    assert gql(school, MY_MEASURES, {"after": "bm9wZQ=="}).code == "bad_user_input"
    settings.GRAPHQL_MAX_PAGE_SIZE = 10
    assert gql(school, MY_MEASURES, {"first": 11}).code == "bad_user_input"


def test_history_hides_people_of_another_partner(world, gql):
    """After a reassignment from the police to the school, the school sees the police's actions anonymised."""
    from portal.cases import services

    police = world.partner(world.police, "Кузнецов Денис")
    measure = services.accept_measure(viewer=police, measure_id=world.m_police.pk, version=world.m_police.version)
    services.comment_measure(viewer=police, measure_id=measure.pk, text="Беседа назначена")
    measure = services.reassign_measure(viewer=world.petrova, measure_id=measure.pk, version=measure.version,
                                        organisation_id=world.school.pk, reason="Профиль школы")
    node = gql(world.partner(world.school), MEASURE, {"id": str(measure.pk)}).data["measure"]
    assert "Кузнецов" not in str(node) and "police-zarechny" not in str(node)
    assert node["comments"][0]["text"] == "Беседа назначена"
    staff_node = gql(world.petrova, MEASURE, {"id": str(measure.pk)}).data["measure"]
    assert "Кузнецов Денис" in str(staff_node)
