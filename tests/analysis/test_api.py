"""The public surface of ``analysis`` is its ``__all__``; the package stays pure."""

from __future__ import annotations

import ast
from pathlib import Path

import analysis

PACKAGE = Path(analysis.__file__).resolve().parent
FORBIDDEN = ("comments", "starlette", "sqlmodel", "sqlalchemy", "jinja2", "httpx")


def test_every_name_in_all_exists_and_is_documented_by_the_service_contract() -> None:
    for name in analysis.__all__:
        assert hasattr(analysis, name), name
    for name in (
        "DraftInfo",
        "ClauseInput",
        "CommentInput",
        "Decision",
        "Digest",
        "build_digest",
        "render_digest_markdown",
        "render_feedback_markdown",
        "DigestCache",
    ):
        assert name in analysis.__all__


def test_all_lists_every_public_name_the_package_exports() -> None:
    public = {
        n
        for n, v in vars(analysis).items()
        if not n.startswith("_") and not isinstance(v, type(analysis))
    }
    assert public - {"annotations"} == set(analysis.__all__)


def test_no_module_of_analysis_imports_the_service_a_web_framework_or_a_database() -> None:
    for path in sorted(PACKAGE.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] not in FORBIDDEN, f"{path.name} imports {name}"


def test_jieba_and_snownlp_are_not_imported_at_module_level() -> None:
    for path in sorted(PACKAGE.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                )
                assert not any(n.split(".")[0] in ("jieba", "snownlp") for n in names), path.name
