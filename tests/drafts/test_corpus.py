"""The parser on the 180 real documents in ../shared/data (skipped when that folder is absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.corpus import CorpusReport, score_corpus
from comments.drafts import parse_text
from tests.drafts.test_helpers import keys_are_sound

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"

pytestmark = pytest.mark.skipif(
    not (DATA / "laws" / "index.csv").exists() or not (DATA / "policy" / "index.json").exists(),
    reason=f"real corpus not found at {DATA} (../shared/data is absent)",
)


@pytest.fixture(scope="module")
def report() -> CorpusReport:
    return score_corpus(DATA)


def test_every_real_document_parses_without_losing_text(report: CorpusReport) -> None:
    assert report.documents == 180
    assert report.errors == []


def test_law_chapter_section_article_counts_agree_on_98_percent(report: CorpusReport) -> None:
    assert report.laws == 120
    assert report.laws_pct >= 98.0, report.misses


def test_policy_part_and_subpart_counts_agree_on_95_percent(report: CorpusReport) -> None:
    assert report.policy == 60
    assert report.policy_pct >= 95.0, report.misses


def test_real_documents_get_unique_whitespace_free_keys() -> None:
    for path in (
        sorted((DATA / "policy").glob("*.txt"))[:20] + sorted((DATA / "laws").glob("*.md"))[:20]
    ):
        tree = parse_text(path.read_text(encoding="utf-8"), name=path.name)
        assert keys_are_sound(tree), path.name
