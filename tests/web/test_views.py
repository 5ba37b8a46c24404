"""How stored codes read on the drafters' pages."""

from __future__ import annotations

import json

from comments import views


def test_audit_actions_read_as_words_and_unknown_ones_as_stored() -> None:
    assert views.audit_action("correct_comment") == "更正意见"
    assert views.audit_action("close_draft") == "立即结束征求意见"
    assert views.audit_action("something_new") == "something_new"


def test_audit_detail_reads_as_words() -> None:
    change = json.dumps({"field": "stance", "from": "oppose", "to": "support"})
    assert views.audit_detail(change) == "立场：反对 → 支持"
    flags = json.dumps({"field": "flags", "from": [], "to": ["spam", "pii"]})
    assert views.audit_detail(flags) == "标记：无 → 广告/垃圾信息、含个人信息"
    period = json.dumps({"status": "closed", "deadline": "2026-12-31"})
    assert views.audit_detail(period) == "状态：已结束；截止日期：2026-12-31"
    hidden = json.dumps({"comment": 7, "receipt": "AB-1", "from": "published"})
    assert views.audit_detail(hidden) == "意见编号：7；回执：AB-1；原为：已公开"
    assert views.audit_detail("查看未遮盖的意见原文和联系方式") == "查看未遮盖的意见原文和联系方式"
    assert views.audit_detail("") == "无"
