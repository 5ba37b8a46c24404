"""The drafters' workspace: login, drafts and their period, the digest, comments and moderation,
decisions, exports, and the admin pages. Every route of the workspace is listed here.

| module | pages |
|---|---|
| ``common.py`` | who is calling (session or token), ``protected``, CSRF, rendering, the digest or its progress page |
| ``drafts.py`` | login, logout, the dashboard, upload and preview, edit, publish / close / extend |
| ``digest.py`` | the digest overview and the per-clause page |
| ``clause_map.py`` | the overview's clause map: cells, their lean on one diverging scale, the legend |
| ``comments.py`` | the filtered comment list behind every figure, the moderation queue |
| ``decisions.py`` | adoption decisions on clusters, suggestions and comments; publishing them |
| ``corrections.py`` | correcting a comment's reading and a point's name and members |
| ``channels.py`` | importing e-mails, letters and spreadsheets; 待确认条款; a message whole and its reply |
| ``exports.py`` | the files drafters download |
| ``admin.py`` | accounts and the audit log (admins) |
"""

from __future__ import annotations

from starlette.routing import Route

from comments.web.drafter import (
    admin,
    channels,
    comments,
    corrections,
    decisions,
    digest,
    drafts,
    exports,
)

routes = [
    Route("/login", drafts.login_page),
    Route("/login", drafts.login_submit, methods=["POST"]),
    Route("/logout", drafts.logout, methods=["POST"]),
    Route("/drafter", drafts.dashboard),
    Route("/drafter/upload", drafts.upload_page),
    Route("/drafter/upload", drafts.upload_submit, methods=["POST"]),
    Route("/drafter/drafts/{slug}", drafts.draft_page),
    Route("/drafter/drafts/{slug}/edit", drafts.draft_edit, methods=["POST"]),
    Route("/drafter/drafts/{slug}/period", drafts.draft_period, methods=["POST"]),
    Route("/drafter/drafts/{slug}/comments", comments.comment_list),
    Route("/drafter/drafts/{slug}/moderation", comments.moderation_queue),
    Route("/drafter/drafts/{slug}/moderation", comments.moderate, methods=["POST"]),
    Route("/drafter/drafts/{slug}/decisions", decisions.decisions_page),
    Route("/drafter/drafts/{slug}/decisions", decisions.decide, methods=["POST"]),
    Route("/drafter/drafts/{slug}/decisions/publish", decisions.publish, methods=["POST"]),
    Route("/drafter/drafts/{slug}/comments/{id}", corrections.comment_page),
    Route("/drafter/drafts/{slug}/comments/{id}/reveal", corrections.reveal, methods=["POST"]),
    Route("/drafter/drafts/{slug}/points/{key:path}", corrections.point_page),
    Route("/drafter/drafts/{slug}/corrections", corrections.submit, methods=["POST"]),
    Route("/drafter/drafts/{slug}/intake", channels.intake_page),
    Route("/drafter/drafts/{slug}/intake/upload", channels.intake_upload, methods=["POST"]),
    Route("/drafter/drafts/{slug}/unassigned", channels.waiting_page),
    Route("/drafter/drafts/{slug}/messages/{id}", channels.message_page),
    Route("/drafter/drafts/{slug}/messages/{id}/reply.txt", channels.message_reply),
    Route("/drafter/drafts/{slug}/messages/{id}/send", channels.message_send, methods=["POST"]),
    Route("/drafter/drafts/{slug}/digest", digest.digest_overview),
    Route("/drafter/drafts/{slug}/clause/{key:path}", digest.clause_page),
    Route("/drafter/drafts/{slug}/exports", exports.exports_page),
    Route("/drafter/drafts/{slug}/export/{name}", exports.export_file),
    Route("/drafter/admin/drafters", admin.drafters_page),
    Route("/drafter/admin/drafters", admin.create_drafter, methods=["POST"]),
    Route("/drafter/admin/drafters/{id}/active", admin.set_active, methods=["POST"]),
    Route("/drafter/admin/drafters/{id}/reset", admin.reset, methods=["POST"]),
    Route("/drafter/admin/audit", admin.audit_page),
    Route("/drafter/admin/audit.csv", admin.audit_csv),
]
