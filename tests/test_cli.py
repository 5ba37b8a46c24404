"""The command line: every command's contract and its one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import Session, select

from comments import storage
from comments.cli import build_parser, main
from comments.storage.db import make_engine, migrate
from comments.storage.models import Draft, Drafter

EXAMPLE = Path(__file__).resolve().parents[1] / "comments" / "example" / "informatization-draft.txt"


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("COMMENTS_DATABASE_URL", url)
    return url


def drafts_in(url: str) -> list[Draft]:
    engine = make_engine(url)
    migrate(engine)
    with Session(engine) as session:
        rows = list(session.exec(select(Draft)))
    engine.dispose()
    return rows


def test_parse_prints_the_contract_json_without_touching_a_database(capsys, tmp_path):
    assert main(["parse", str(EXAMPLE), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"title", "issuer", "deadline", "contact", "nodes"}
    assert data["deadline"] == "2017-09-12"
    node = data["nodes"][0]
    assert set(node) >= {"key", "kind", "label", "number", "heading", "text", "children"}
    assert not list(tmp_path.iterdir())


def test_import_prints_the_slug_and_stores_every_clause(db, capsys, tmp_path):
    assert main(["import", str(EXAMPLE), "--slug", "xxh", "--deadline", "2030-01-31"]) == 0
    assert capsys.readouterr().out.strip() == "xxh"
    (draft,) = drafts_in(db)
    assert draft.deadline.isoformat() == "2030-01-31"
    assert draft.title == "关于加快推进信息化发展的实施意见"
    engine = make_engine(db)
    with Session(engine) as session:
        assert draft.id is not None
        keys = [c.key for c in storage.clauses_of(session, draft.id)]
    engine.dispose()
    assert len(keys) == len(set(keys)) > 46


def test_import_without_slug_derives_one_and_keeps_the_parsed_deadline(db, capsys):
    assert main(["import", str(EXAMPLE)]) == 0
    slug = capsys.readouterr().out.strip()
    assert slug == "informatization-draft"
    assert main(["import", str(EXAMPLE)]) == 0
    assert capsys.readouterr().out.strip() == "informatization-draft-2"
    assert {d.deadline.isoformat() for d in drafts_in(db)} == {"2017-09-12"}


@pytest.mark.parametrize(
    "name", ["2018-08-31.txt", "20180831.md", "draft-final-v2.txt", "004_f4267cbc581220c7.txt"]
)
def test_import_of_a_file_whose_name_says_nothing_takes_the_slug_from_the_title(
    db, capsys, tmp_path, name
):
    path = tmp_path / name
    path.write_text("社区停车管理办法（征求意见稿）\n第一条 为规范停车秩序，制定本办法。\n")
    assert main(["import", str(path)]) == 0
    slug = capsys.readouterr().out.strip()
    assert slug.startswith("draft-") and len(slug) == len("draft-") + 8
    assert "2018" not in slug and "final" not in slug and "f4267" not in slug
    (draft,) = drafts_in(db)
    assert draft.slug == slug == storage.derived_slug(name, draft.title)
    assert "停车" in draft.title


def test_a_meaningless_stem_with_an_ascii_title_uses_the_title(db, capsys, tmp_path):
    path = tmp_path / "2018-08-31.txt"
    path.write_text("第一条 为规范停车秩序，制定本办法。\n")
    assert main(["import", str(path), "--title", "Parking Rules 2018"]) == 0
    assert capsys.readouterr().out.strip() == "parking-rules-2018"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "空"),
        (b"\x00\x01\x02\x03binary\x00" * 50, "二进制"),
    ],
)
def test_import_of_a_bad_file_fails_with_one_line_and_stores_nothing(
    db, capsys, tmp_path, content, expected
):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    assert main(["import", str(bad)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("comments: ")
    assert "\n" not in err
    assert "bad.txt" in err
    assert expected in err
    assert drafts_in(db) == []


def test_import_of_a_missing_file_fails_cleanly(db, capsys):
    assert main(["import", "/nonexistent/draft.txt"]) == 1
    assert capsys.readouterr().err.startswith("comments: ")


def test_import_with_a_taken_or_malformed_slug_fails(db, capsys):
    assert main(["import", str(EXAMPLE), "--slug", "a"]) == 0
    assert main(["import", str(EXAMPLE), "--slug", "a"]) == 1
    assert "已被" in capsys.readouterr().err
    assert main(["import", str(EXAMPLE), "--slug", "Bad Slug"]) == 1
    assert "短名" in capsys.readouterr().err
    assert len(drafts_in(db)) == 1


def test_bad_deadline_format_is_refused_by_the_parser(db, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["import", str(EXAMPLE), "--deadline", "9月12日"])
    assert exit_info.value.code == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_add_drafter_prints_password_and_token_once_and_stores_only_hashes(db, capsys):
    assert main(["add-drafter", "王科长", "--organisation", "省经信委"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("password: ") and out[1].startswith("token: ")
    password, token = out[0].split(": ", 1)[1], out[1].split(": ", 1)[1]
    engine = make_engine(db)
    with Session(engine) as session:
        (drafter,) = session.exec(select(Drafter)).all()
        assert password not in drafter.password_hash and token != drafter.token_hash
        assert storage.verify_password(drafter, password)
        assert not storage.verify_password(drafter, password + "x")
        assert storage.drafter_by_token(session, token) == drafter
    engine.dispose()
    assert main(["add-drafter", "王科长"]) == 1
    assert "已存在" in capsys.readouterr().err


def test_migrate_is_idempotent(db, capsys):
    assert main(["migrate"]) == 0
    assert main(["migrate"]) == 0
    assert "最新" in capsys.readouterr().out


def test_bad_setting_value_is_a_one_line_error(db, capsys, monkeypatch):
    monkeypatch.setenv("COMMENTS_RATE_LIMIT_PER_MINUTE", "many")
    assert main(["migrate"]) == 1
    assert "COMMENTS_RATE_LIMIT_PER_MINUTE" in capsys.readouterr().err


def test_every_command_has_help(capsys):
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name in sub.choices:  # type: ignore[union-attr]
        with pytest.raises(SystemExit) as exit_info:
            main([name, "--help"])
        assert exit_info.value.code == 0
        assert capsys.readouterr().out.strip()


def test_import_with_a_deadline_in_the_past_is_refused_like_an_upload(db, capsys):
    assert main(["import", str(EXAMPLE), "--deadline", "2001-01-01"]) == 1
    assert "截止日期不能早于今天" in capsys.readouterr().err
    assert drafts_in(db) == []


@pytest.mark.parametrize(
    ("stem", "empty"),
    [
        ("2018-08-31", True),
        ("draft-final-v2", True),
        ("004-f4267cbc581220c7", True),
        ("informatization-draft", False),
        ("tingche", False),
        ("parking-2018", False),
        ("deadbeefcafe", False),
    ],
)
def test_says_nothing_tells_generic_stems_from_names(stem, empty):
    from comments.storage.drafts import says_nothing

    assert says_nothing(stem) is empty


@pytest.mark.parametrize("port", ["99999", "0", "-5"])
def test_serve_refuses_a_port_that_cannot_exist(db, capsys, port):
    assert main(["serve", "--port", port]) == 1
    err = capsys.readouterr().err
    assert "端口应在 1 到 65535 之间" in err and err.count("\n") == 1


def test_import_says_on_stderr_whether_the_draft_now_takes_comments(db, capsys, tmp_path):
    assert main(["import", str(EXAMPLE), "--slug", "a", "--deadline", "2099-01-31"]) == 0
    out = capsys.readouterr()
    assert out.out == "a\n" and "已开放征求意见，截止 2099-01-31。" in out.err
    # The example's notice says 2017-09-12: imported, but it says that no comment can come in.
    assert main(["import", str(EXAMPLE), "--slug", "b"]) == 0
    assert "截止日期 2017-09-12 已过，这份草案不接收意见" in capsys.readouterr().err
    plain = tmp_path / "plain.txt"
    plain.write_text("某某管理办法\n第一条 为了规范管理，制定本办法。\n", encoding="utf-8")
    assert main(["import", str(plain), "--slug", "c"]) == 0
    assert "没有截止日期" in capsys.readouterr().err


def test_import_unpublished_leaves_the_draft_for_the_workspace_to_open(db, capsys):
    assert main(["import", str(EXAMPLE), "--slug", "later", "--unpublished"]) == 0
    assert "未发布：在工作区 /drafter/drafts/later 开放征求意见。" in capsys.readouterr().err
    (draft,) = drafts_in(db)
    assert draft.status == "unpublished"


def test_a_title_given_on_the_command_line_has_the_upload_forms_limit(db, capsys):
    assert main(["import", str(EXAMPLE), "--title", "办" * 301]) == 1
    assert "标题不能超过 300 个字" in capsys.readouterr().err
    assert main(["import", str(EXAMPLE), "--title", "   "]) == 0  # blank: the parsed title
    assert drafts_in(db)[0].title == "关于加快推进信息化发展的实施意见"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["export"], "comments export: 缺少参数：slug"),
        (["serve", "--port", "abc"], "comments serve: --port 应为整数，收到 'abc'"),
        (["digest", "x", "--format", "pdf"], "comments digest: --format 的取值 'pdf' 无效"),
        (["bogus"], "comments: 没有命令 'bogus'（可用："),
        (["migrate", "--now"], "comments: 无法识别的参数：--now"),
        (["import", "f", "--deadline", "9月"], "comments import: --deadline：日期应为 YYYY-MM-DD"),
    ],
)
def test_a_bad_command_line_is_one_line_in_chinese_then_the_usage(capsys, argv, message):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    first, usage, *_ = capsys.readouterr().err.splitlines()
    assert first.startswith(message), first
    assert usage.startswith("用法：comments")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--feedback", "--labels"], "不能同时用 --feedback、--labels"),
        (["--feedback", "--format", "json"], "不能同时用 --feedback、--format json"),
        (["--labels", "--personal"], "--personal 只用于意见列表"),
        (["--format", "digest", "--personal"], "--personal 只用于意见列表"),
    ],
)
def test_export_refuses_options_that_ask_for_two_things(db, capsys, options, message):
    assert main(["import", str(EXAMPLE), "--slug", "x"]) == 0
    capsys.readouterr()
    assert main(["export", "x", *options]) == 1
    captured = capsys.readouterr()
    assert message in captured.err and captured.out == ""
