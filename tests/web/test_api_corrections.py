"""``POST /api/drafts/{slug}/corrections``: a person's corrections, stored, audited, kept."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from comments import storage
from comments.storage.models import AuditLog
from tests.conftest import add_draft
from tests.drafter_helpers import (  # noqa: F401
    ORG,
    cluster_decision,
    fast_password_hashing,
    log_in,
    make_account,
)

pytestmark = pytest.mark.anyio

CLAUSE = "第一章/第一条"
BROADBAND = [
    "我们小区只有一家运营商，宽带太贵了，希望引入竞争。",
    "小区宽带被一家垄断，价格贵得离谱，应该允许其他运营商进场。",
    "小区只能装一家的宽带，又贵又慢，请打破垄断。",
]
PARKING = [
    "停车位太少了，晚上回家根本没地方停车。",
    "小区车位严重不足，每天晚上找车位要转好几圈。",
]


async def post(client, body: str, clause: str | None = CLAUSE) -> int:
    r = await client.post("/api/drafts/tingche/comments", json={"clause": clause, "body": body})
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def digest(client, me) -> dict:
    r = await client.get("/api/drafts/tingche/digest", headers=me.bearer)
    assert r.status_code == 200, r.text
    return r.json()


async def correct(client, me, payload, status: int = 201) -> dict:
    r = await client.post("/api/drafts/tingche/corrections", json=payload, headers=me.bearer)
    assert r.status_code == status, r.text
    return r.json()


def note(d: dict, comment_id: int) -> dict:
    return next(c for c in d["comments"] if c["id"] == comment_id)


def cluster(d: dict, key: str) -> dict:
    return next(c for s in d["sections"] for c in s["clusters"] if c["id"] == key)


@pytest.fixture
def me(engine):
    add_draft(engine, organisation=ORG)
    return make_account(engine, "起草人")


async def test_a_comment_correction_reads_back_reviewed_with_the_values_and_an_audit_row(
    client, engine, me
):
    first = await post(client, "支持这一条，早该如此。")
    other = await post(client, "这一条写得不清楚。")
    before = note(await digest(client, me), first)
    assert before["reviewed"] is False
    out = await correct(
        client,
        me,
        {"comment": first, "stance": "oppose", "polarity": "neg", "flags": ["offtopic"]},
    )
    fields = {c["field"]: c for c in out["corrections"]}
    assert set(fields) == {"stance", "polarity", "flags"}
    assert (
        fields["stance"]["previous"] == before["stance"] and fields["stance"]["value"] == "oppose"
    )
    assert fields["stance"]["actor"] == "起草人"
    after = await digest(client, me)
    n = note(after, first)
    assert n["reviewed"] is True and n["stance_source"] == "person"
    assert (n["stance"], n["polarity"], n["flags"]) == ("oppose", "neg", ["offtopic"])
    assert note(after, other)["reviewed"] is False
    with Session(engine) as session:
        rows = storage.audit_log(session, draft_slug="tingche")
    assert [r.action for r in rows].count("correct_comment") == 3
    listed = await client.get("/api/drafts/tingche/corrections", headers=me.bearer)
    assert len(listed.json()["corrections"]) == 3


async def test_a_comment_moved_to_another_clause_is_counted_there(client, me):
    c = await post(client, "收费标准由谁监督？", clause=None)
    await correct(client, me, {"comment": c, "clause": "第一章/第二条"})
    d = await digest(client, me)
    n = note(d, c)
    assert n["clause"] is None and n["bucket"] == "第一章/第二条"
    section = next(s for s in d["sections"] if s["key"] == "第一章/第二条")
    assert section["tally"]["comments"] == 1


async def test_a_renamed_point_keeps_its_name_and_members_when_comments_arrive(client, me):
    ids = [await post(client, b) for b in BROADBAND[:2]]
    ids += [await post(client, b) for b in PARKING]
    d = await digest(client, me)
    key = note(d, ids[0])["cluster"]
    assert key and note(d, ids[1])["cluster"] == key
    await correct(client, me, {"cluster": key, "label": "小区宽带垄断、资费偏高"})
    late = await post(client, BROADBAND[2])
    d = await digest(client, me)
    point = cluster(d, key)
    assert point["label"] == "小区宽带垄断、资费偏高" and point["confirmed"] is True
    assert set(ids[:2]) <= set(point["members"])
    assert late in point["members"] and point["proposed"] == [late]
    assert not set(ids[2:]) & set(point["members"])
    # Marking it reviewed confirms the proposed member.
    await correct(client, me, {"cluster": key, "reviewed": True})
    point = cluster(await digest(client, me), key)
    assert point["reviewed"] is True and point["proposed"] == [] and late in point["members"]


async def test_a_split_or_a_merge_confirms_only_what_a_person_picked(client, engine, me):
    ids = [await post(client, b) for b in BROADBAND[:2]]
    d = await digest(client, me)
    key = note(d, ids[0])["cluster"]
    await correct(client, me, {"cluster": key, "label": "宽带垄断"})
    late = await post(client, BROADBAND[2])
    assert cluster(await digest(client, me), key)["proposed"] == [late]

    def confirmed() -> set[int]:
        with Session(engine) as session:
            draft = storage.draft_by_slug(session, "tingche")
            assert draft is not None and draft.id is not None
            return {
                m
                for p, members in storage.corrections.points_with_members(session, draft.id)
                if p.merged_into is None
                for m in members
            }

    out = await correct(client, me, {"cluster": key, "split": [ids[1]], "label": "资费"})
    new = out["corrections"][-1]["value"]["into"]
    assert confirmed() == set(ids)  # the proposal stays a proposal
    d = await digest(client, me)
    assert late in cluster(d, key)["proposed"] + cluster(d, new)["proposed"]
    await correct(client, me, {"cluster": new, "merge_into": key})
    assert confirmed() == set(ids)
    d = await digest(client, me)
    assert cluster(d, key)["proposed"] == [late]
    # Only the proposed member itself: the point keeps none it confirmed, so it is refused.
    only = await correct(client, me, {"cluster": key, "split": ids}, status=422)
    assert "待确认的意见不算" in only["error"]["message"]
    # A proposed member a person picks for a new point is confirmed there.
    out = await correct(client, me, {"cluster": key, "split": [late], "label": "又贵又慢"})
    picked = out["corrections"][-1]["value"]["into"]
    assert confirmed() == {*ids, late}
    d = await digest(client, me)
    assert cluster(d, picked)["members"] == [late] and cluster(d, picked)["proposed"] == []


def record(engine, key: str, members: list[int], outcome: str, reason: str) -> None:
    cluster_decision(engine, "tingche", key, members, clause=CLAUSE, outcome=outcome, reason=reason)


async def test_a_decision_on_a_merged_point_follows_it_or_is_withdrawn_never_lost(
    client, engine, me
):
    ids = [await post(client, b) for b in [*BROADBAND, *PARKING]]
    broadband = note(await digest(client, me), ids[0])["cluster"]

    async def new_point(members: list[int], label: str) -> str:
        out = await correct(client, me, {"comment": members[0], "cluster": "new", "label": label})
        key = out["corrections"][-1]["value"]
        for m in members[1:]:
            await correct(client, me, {"comment": m, "cluster": key})
        return key

    parking = await new_point(ids[3:], "车位不足")
    record(engine, parking, ids[3:], "采纳", "已增加车位配建标准。")
    out = await correct(client, me, {"cluster": parking, "merge_into": broadband})
    fate = out["corrections"][-1]
    assert fate["field"] == "decision" and fate["value"] == {"moved": broadband}
    assert fate["previous"] == {"outcome": "采纳", "reason": "已增加车位配建标准。"}
    csrf = await log_in(client, me)
    page = (await client.get("/drafter/drafts/tingche/decisions")).text
    # The decision now stands on the merged point, which lists the comments it does not cover.
    block = page.split(f'id="t-cluster-{broadband}"')[1].split('class="cluster"')[0]
    assert "已增加车位配建标准。" in block and "另有 3 条意见不在这项决定内" in block
    listing = page.split('id="h-open"')[1].split("</section>")[0]
    assert f'href="#t-cluster-{broadband}"' in listing and "已有决定" in listing
    report = (await client.get("/drafter/drafts/tingche/export/feedback.md")).text
    assert "已增加车位配建标准。" in report and "| 采纳 | 1 | 2 |" in report

    # Merging into a point with a decision of its own: that decision stands, the other is
    # withdrawn (its comments wait for a decision on the merged point).
    ids += [await post(client, "车位太少了，晚上回家根本停不下车。")]
    ids += [await post(client, "小区停车位严重不足，希望多建车位。")]
    other = await new_point(ids[5:], "多建车位")
    record(engine, other, ids[5:], "不予采纳", "车位由规划另行规定。")
    out = await correct(client, me, {"cluster": other, "merge_into": broadband})
    assert out["corrections"][-1]["value"] == {"withdrawn": broadband}
    report = (await client.get("/drafter/drafts/tingche/export/feedback.md")).text
    assert "车位由规划另行规定。" not in report and "已增加车位配建标准。" in report
    page = (await client.get("/drafter/drafts/tingche/decisions")).text
    block = page.split(f'id="t-cluster-{broadband}"')[1].split('class="cluster"')[0]
    assert "另有 5 条意见不在这项决定内" in block
    with Session(engine) as session:
        actions = [row.action for row in session.exec(select(AuditLog))]
    assert actions.count("correct_point") >= 4
    assert csrf


async def test_merge_split_and_moving_a_comment_between_points(client, me):
    ids = [await post(client, b) for b in [*BROADBAND, *PARKING]]
    d = await digest(client, me)
    broadband, parking = note(d, ids[0])["cluster"], note(d, ids[3])["cluster"]
    assert broadband != parking
    out = await correct(client, me, {"cluster": broadband, "split": [ids[2]], "label": "网速慢"})
    new = out["corrections"][-1]["value"]["into"]
    d = await digest(client, me)
    assert cluster(d, new)["members"] == [ids[2]] and cluster(d, new)["label"] == "网速慢"
    assert ids[2] not in cluster(d, broadband)["members"]
    assert cluster(d, broadband)["label"] != "网速慢"  # the label names the new point only
    await correct(client, me, {"cluster": new, "merge_into": broadband})
    d = await digest(client, me)
    assert ids[2] in cluster(d, broadband)["members"]
    assert all(c["id"] != new for s in d["sections"] for c in s["clusters"])
    await correct(client, me, {"comment": ids[4], "cluster": broadband})
    d = await digest(client, me)
    assert note(d, ids[4])["cluster"] == broadband and note(d, ids[4])["reviewed"] is True
    await correct(client, me, {"comment": ids[4], "cluster": "new", "label": "车位不足"})
    d = await digest(client, me)
    own = note(d, ids[4])["cluster"]
    assert own not in (broadband, parking) and cluster(d, own)["label"] == "车位不足"
    await correct(client, me, {"comment": ids[4], "cluster": None})
    d = await digest(client, me)
    assert cluster(d, note(d, ids[4])["cluster"])["remainder"] is True


async def test_bad_corrections_get_the_usual_error_and_store_nothing(client, engine, me):
    c = await post(client, "支持。")
    cases = [
        ({"comment": 99999, "stance": "oppose"}, 404, "unknown_comment"),
        ({"comment": c, "stance": "angry"}, 422, "bad_stance"),
        ({"comment": c, "polarity": "up"}, 422, "bad_polarity"),
        ({"comment": c, "flags": ["spam", "ugly"]}, 422, "bad_flags"),
        ({"comment": c, "clause": "第九章"}, 422, "unknown_clause"),
        ({"comment": c, "cluster": "no:such"}, 404, "unknown_cluster"),
        ({"comment": c, "stance": "oppose", "clause": "第九章"}, 422, "unknown_clause"),
        ({"comment": "x", "stance": "oppose"}, 422, "bad_comment"),
        ({"comment": c}, 422, "nothing_to_correct"),
        ({"comment": c, "colour": "red"}, 422, "bad_field"),
        ({"cluster": "no:such", "label": "x"}, 404, "unknown_cluster"),
        ({}, 400, "bad_correction"),
    ]
    for payload, status, code in cases:
        out = await correct(client, me, payload, status)
        assert out["error"]["code"] == code, payload
        assert out["error"]["message"]
    listed = await client.get("/api/drafts/tingche/corrections", headers=me.bearer)
    assert listed.json()["corrections"] == []
    d = await digest(client, me)
    assert note(d, c)["reviewed"] is False
    r = await client.post("/api/drafts/tingche/corrections", content="{}", headers={**me.bearer})
    assert r.status_code == 415
    anonymous = await client.post("/api/drafts/tingche/corrections", json={"comment": c})
    assert anonymous.status_code == 401


async def test_a_drafter_of_another_organisation_cannot_correct(client, engine, me):
    c = await post(client, "支持。")
    stranger = make_account(engine, "外单位", organisation="另一个单位")
    r = await client.post(
        "/api/drafts/tingche/corrections",
        json={"comment": c, "stance": "oppose"},
        headers=stranger.bearer,
    )
    assert r.status_code == 403


async def test_the_openapi_document_describes_the_corrections_endpoint(client):
    doc = (await client.get("/api/openapi.json")).json()
    post = doc["paths"]["/api/drafts/{slug}/corrections"]["post"]
    assert post["security"] == [{"bearer": []}]
    assert {"201", "404", "422"} <= set(post["responses"])
    schemas = doc["components"]["schemas"]
    assert schemas["CommentCorrection"]["properties"]["stance"]["enum"][0] == "support"
    assert "merge_into" in schemas["PointCorrection"]["properties"]


async def test_confirmed_labels_export_as_jsonl_that_the_training_script_reads(
    client, me, tmp_path, capsys
):
    import json

    from analysis import train_stance

    ids = [await post(client, b) for b in [*BROADBAND[:2], "支持，联系我 13812345678。"]]
    await correct(client, me, {"comment": ids[2], "stance": "support", "polarity": "pos"})
    key = note(await digest(client, me), ids[0])["cluster"]
    await correct(client, me, {"cluster": key, "label": "小区宽带垄断"})
    r = await client.get("/drafter/drafts/tingche/export/labels.jsonl", headers=me.bearer)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/x-ndjson")
    rows = {row["id"]: row for row in map(json.loads, r.text.splitlines())}
    assert rows[ids[2]]["stance"] == "support" and rows[ids[2]]["polarity"] == "pos"
    assert "13812345678" not in r.text  # masked
    assert rows[ids[2]]["target"]  # the clause text the stance is toward
    assert rows[ids[0]]["point"] == "小区宽带垄断" and "stance" not in rows[ids[0]]
    path = tmp_path / "office.jsonl"
    path.write_text(r.text, encoding="utf-8")
    stanced, toned = train_stance.office_labels([path])
    assert [e.stance for e in stanced] == ["support"] and stanced[0].tone == "pos"
    assert toned == []
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n", encoding="utf-8")
    assert train_stance.main(["--labels", str(bad), "--output", str(tmp_path / "m.npz")]) == 1
    assert "不是有效的标注记录" in capsys.readouterr().err
    assert not (tmp_path / "m.npz").exists()


async def test_a_comment_moved_by_hand_can_be_split_out_and_merged_again(client, me):
    ids = [await post(client, b) for b in [*BROADBAND, *PARKING]]
    d = await digest(client, me)
    broadband = note(d, ids[0])["cluster"]
    await correct(client, me, {"comment": ids[4], "cluster": broadband})
    out = await correct(client, me, {"cluster": broadband, "split": [ids[4]], "label": "车位"})
    new = out["corrections"][-1]["value"]["into"]
    d = await digest(client, me)
    assert cluster(d, new)["members"] == [ids[4]]
    assert ids[4] not in cluster(d, broadband)["members"]
    await correct(client, me, {"cluster": new, "merge_into": broadband})
    d = await digest(client, me)
    assert ids[4] in cluster(d, broadband)["members"]


async def test_correcting_comment_after_comment_does_not_recompute_the_draft_each_time(
    client, app, me, monkeypatch
):
    ids = [await post(client, body) for body in [*BROADBAND, *PARKING]]
    before = await digest(client, me)
    late = await post(client, "这一条的期限太短了。")  # the kept digest is stale now
    service = app.state.comments.digests
    computed = []
    real_get = service.get

    def counted_get(draft, *args, **kwargs):
        computed.append(draft.id)
        return real_get(draft, *args, **kwargs)

    monkeypatch.setattr(service, "get", counted_get)
    # Comment after comment: the reading the drafter saw is the "before", no recompute.
    out = await correct(client, me, {"comment": ids[0], "stance": "oppose"})
    assert out["corrections"][0]["previous"] == note(before, ids[0])["stance"]
    await correct(client, me, {"comment": ids[1], "polarity": "neg"})
    assert computed == []
    # A comment the kept digest does not hold: the current digest (which then holds it).
    await correct(client, me, {"comment": late, "stance": "oppose"})
    assert len(computed) == 1
    # Corrected before that digest was made: the kept reading already has the person's value.
    out = await correct(client, me, {"comment": ids[0], "stance": "suggest"})
    assert out["corrections"][0]["previous"] == "oppose"
    assert len(computed) == 1
    # Corrected since: the "before" must be the person's value, so the current digest again.
    out = await correct(client, me, {"comment": late, "stance": "support"})
    assert out["corrections"][0]["previous"] == "oppose"
    assert len(computed) == 2
    # Anything naming a point needs the current digest.
    key = note(before, ids[2])["cluster"]
    await correct(client, me, {"cluster": key, "label": "宽带垄断"})
    assert len(computed) == 3
    after = await digest(client, me)
    assert (note(after, ids[0])["stance"], note(after, ids[0])["reviewed"]) == ("suggest", True)
    assert note(after, ids[1])["polarity"] == "neg"
    assert note(after, late)["stance"] == "support"
    assert cluster(after, key)["label"] == "宽带垄断"


async def test_a_merge_that_loses_a_race_is_a_409_and_stores_nothing(
    client, engine, me, monkeypatch
):
    from sqlalchemy.exc import IntegrityError

    from comments.storage import corrections as stored
    from comments.storage.models import Correction

    ids = [await post(client, b) for b in [*BROADBAND, *PARKING]]
    broadband = note(await digest(client, me), ids[0])["cluster"]
    out = await correct(client, me, {"comment": ids[3], "cluster": "new", "label": "车位"})
    parking = out["corrections"][-1]["value"]
    with Session(engine) as session:
        before = len(session.exec(select(Correction)).all())

    def lost_race(*args, **kwargs):  # another drafter's merge into the same point committed first
        raise IntegrityError("INSERT", {}, Exception("uq_decision_target"))

    monkeypatch.setattr(stored, "decision_follows_merge", lost_race)
    r = await client.post(
        "/api/drafts/tingche/corrections",
        json={"cluster": parking, "merge_into": broadband},
        headers=me.bearer,
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "conflict"
    with Session(engine) as session:
        assert len(session.exec(select(Correction)).all()) == before
        point = stored.point_by_key(session, 1, parking) or stored.point_by_key(
            session,
            storage.draft_by_slug(session, "tingche").id,
            parking,  # type: ignore[union-attr]
        )
        assert point is not None and point.merged_into is None
