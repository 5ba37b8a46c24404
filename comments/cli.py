"""``comments`` command line: serve, import, parse, migrate, add-drafter, digest, export."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine

from comments import failures
from comments.settings import SETTINGS, Settings
from comments.terminal import Parser, ProgressBar, import_note

if TYPE_CHECKING:
    from comments.storage.models import Draft


class CommandError(Exception):
    """A one-line message for the user; the command exits with status 1."""


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except ValueError as exc:
        raise CommandError(str(exc)) from None


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应为 YYYY-MM-DD 格式，收到 {value!r}") from None


_ENGINES: list[Engine] = []  # disposed by main() when the command ends


def _draft(engine: Engine, slug: str) -> Draft:
    from sqlmodel import Session

    from comments import storage

    with Session(engine) as session:
        draft = storage.draft_by_slug(session, slug)
    if draft is None:
        raise CommandError(f"没有短名为 {slug!r} 的草案。")
    return draft


def _engine(settings: Settings) -> Engine:
    """A migrated engine for this command; main() closes its connections at the end."""
    from comments.storage.db import make_engine, migrate

    engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)
    _ENGINES.append(engine)
    migrate(engine)
    return engine


def cmd_parse(args: argparse.Namespace) -> int:
    from comments.drafts import DraftParseError, parse_file

    try:
        tree = parse_file(args.file)
    except (DraftParseError, OSError) as exc:
        raise CommandError(str(exc)) from None
    json.dump(tree.to_dict(), sys.stdout, ensure_ascii=False, indent=2 if args.indent else None)
    sys.stdout.write("\n")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from comments import period, storage
    from comments.drafts import DraftParseError, parse_file
    from comments.errors import InputError

    settings = _settings()
    today = period.today_in(settings.timezone)
    try:
        tree = parse_file(args.file, max_bytes=settings.max_upload_bytes)
    except (DraftParseError, OSError) as exc:
        raise CommandError(str(exc)) from None
    engine = _engine(settings)
    with Session(engine) as session:
        try:
            draft = storage.import_draft(
                session=session,
                tree=tree,
                source_name=Path(args.file).name,
                slug=args.slug,
                title=args.title,
                deadline=args.deadline,
                organisation=args.organisation or "",
                status="unpublished" if args.unpublished else "open",
                today=today,
            )
        except InputError as exc:
            raise CommandError(exc.message) from None
    print(draft.slug)
    print(import_note(draft, today), file=sys.stderr)  # stdout stays the slug alone
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    settings = _settings()
    _engine(settings)
    print("数据库已是最新结构。")
    return 0


def cmd_add_drafter(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from comments import storage
    from comments.errors import InputError

    engine = _engine(_settings())
    with Session(engine) as session:
        try:
            _drafter, password, token = storage.add_drafter(
                session=session,
                name=args.name,
                organisation=args.organisation or "",
                role="admin" if args.admin else "drafter",
            )
        except InputError as exc:
            raise CommandError(exc.message) from None
    print(f"password: {password}")
    print(f"token: {token}")
    return 0


def cmd_digest(args: argparse.Namespace) -> int:
    from comments.digests import DigestService

    settings = _settings()
    engine = _engine(settings)
    draft = _draft(engine, args.slug)
    service = DigestService(engine, workers=settings.analysis_workers)
    result = service.compute(draft, ProgressBar("分析意见"))
    if args.format == "markdown":
        from analysis import render_digest_markdown

        sys.stdout.write(render_digest_markdown(result.digest))
    else:
        json.dump(result.digest.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    return 0


def cmd_intake(args: argparse.Namespace) -> int:
    from comments.channels import import_files

    settings = _settings()
    engine = _engine(settings)
    try:
        draft = _draft(engine, args.slug)
        files = []
        for name in args.files:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"找不到文件 {name}")
            files.append((path.name, path.read_bytes()))
        reports = import_files(
            engine, draft, files, actor="命令行导入", max_chars=settings.max_comment_chars
        )
    finally:
        engine.dispose()
    if args.json:
        json.dump([r.to_dict() for r in reports], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print("\n".join(line for r in reports for line in r.lines()))
    # Something refused: exit 1, so that a script notices; what could be imported was.
    return 1 if any(r.refused for r in reports) else 0


def cmd_export(args: argparse.Namespace) -> int:
    from comments.digests import DigestService
    from comments.errors import InputError
    from comments.exports import export_text

    settings = _settings()
    engine = _engine(settings)
    chosen = [o for o, on in [("--feedback", args.feedback), ("--labels", args.labels)] if on]
    if args.format is not None:
        chosen.append(f"--format {args.format}")
    if len(chosen) > 1:
        raise CommandError(f"一次只能导出一种内容，不能同时用 {'、'.join(chosen)}。")
    if args.personal and (args.feedback or args.labels or args.format == "digest"):
        raise CommandError("--personal 只用于意见列表（--format csv 或 json）。")
    draft = _draft(engine, args.slug)
    if args.feedback:
        name = "feedback.md"
    elif args.labels:
        name = "labels.jsonl"
    elif args.format == "digest":
        name = "digest.md"
    else:
        name = ("comments." if args.personal else "public-comments.") + (args.format or "csv")
    try:
        service = DigestService(engine, workers=settings.analysis_workers)
        text = export_text(engine, service, draft, name, tz=settings.timezone)
    except InputError as exc:
        raise CommandError(exc.message) from None
    sys.stdout.write(text)
    return 0


def cmd_purge_contacts(args: argparse.Namespace) -> int:
    from comments.storage.retention import purge_contacts

    settings = _settings()
    days = settings.contact_retention_days
    if days == 0:
        print("COMMENTS_CONTACT_RETENTION_DAYS 为 0：联系方式永久保留，未做任何修改。")
        return 0
    engine = _engine(settings)
    try:
        result = purge_contacts(engine, retention_days=days, dry_run=args.dry_run)
    finally:
        engine.dispose()
    assert result.cutoff is not None
    before = result.cutoff.isoformat(timespec="seconds")
    verb = "将抹去" if args.dry_run else "已抹去"
    print(f"{verb} {result.erased} 条意见的联系方式（{before} 之前提交，保留期 {days} 天）。")
    return 0


def _refuse_unwritable_database(settings: Settings) -> None:
    """Before serving: every file of a SQLite database writable by this user (security.md)."""
    from comments.storage.files import DatabaseFilesNotWritable, check_writable

    try:
        check_writable(settings.database_url)
    except DatabaseFilesNotWritable as exc:
        failures.failure("database_not_writable", str(exc))
        raise CommandError(str(exc)) from None


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from comments.seed import load_example_if_empty

    settings = _settings()
    host = args.host or settings.host
    port = args.port if args.port is not None else settings.port
    if args.workers < 1:
        raise CommandError("--workers 至少为 1。")
    if not 1 <= port <= 65535:
        raise CommandError(f"端口应在 1 到 65535 之间（现为 {port}）。")
    if args.workers > 1 and args.reload:
        raise CommandError("--reload 只能用于单个进程，不能与 --workers 同用。")
    _refuse_unwritable_database(settings)
    failures.enable_faulthandler()
    engine = _engine(settings)
    if settings.load_example:
        slug = load_example_if_empty(engine, settings)
        if slug:
            print(f"数据库为空，已导入示例草案：/drafts/{slug}", flush=True)
    engine.dispose()
    print(
        f"公开征求意见服务：http://{host}:{port}/  （数据库 {settings.database_url}）", flush=True
    )
    uvicorn.run(
        "comments.web.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        reload=args.reload,
        workers=args.workers,
        log_level="warning",
        access_log=False,
        timeout_keep_alive=5,
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    settings_help = "\n".join(f"  {info.env:34} {info.help}" for info in SETTINGS.values())
    parser = Parser(
        prog="comments",
        description="征求意见稿公开征求意见服务",
        epilog="环境变量：\n" + settings_help,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("serve", help="启动网站（空数据库时导入示例草案）")
    p.add_argument("--host", help="监听地址（默认 COMMENTS_HOST 或 127.0.0.1）")
    p.add_argument("--port", type=int, help="端口（默认 COMMENTS_PORT 或 8000）")
    p.add_argument("--reload", action="store_true", help="代码改动后自动重启（开发用）")
    p.add_argument(
        "--workers", type=int, default=1, help="进程数（多进程请用 PostgreSQL，见 docs/deploy.md）"
    )
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser(
        "purge-contacts", help="抹去超过保留期（COMMENTS_CONTACT_RETENTION_DAYS）的意见联系方式"
    )
    p.add_argument("--dry-run", action="store_true", help="只统计将被抹去的条数，不修改")
    p.set_defaults(func=cmd_purge_contacts)

    p = sub.add_parser("import", help="导入草案文件（.txt/.md/.docx），打印其短名")
    p.add_argument("file")
    p.add_argument("--slug", help="网址中的短名（小写字母、数字、连字符）")
    p.add_argument("--deadline", type=_date, help="截止日期 YYYY-MM-DD，覆盖从通知中识别的日期")
    p.add_argument("--title", help="草案标题，覆盖从文件中识别的标题")
    p.add_argument("--organisation", help="起草单位（决定哪些起草人员可以管理它）")
    p.add_argument(
        "--unpublished", action="store_true", help="先不发布（同网页上传），在工作区开放征求意见"
    )
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("parse", help="解析草案文件并以 JSON 打印条款树（不写数据库）")
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="以 JSON 输出（默认即是）")
    p.add_argument("--indent", action="store_true", help="缩进输出")
    p.set_defaults(func=cmd_parse)

    p = sub.add_parser("migrate", help="创建或升级数据库结构")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("digest", help="意见汇总分析（JSON 或 Markdown，打印到标准输出）")
    p.add_argument("slug")
    p.add_argument("--format", choices=["json", "markdown"], default="json", help="输出格式")
    p.set_defaults(func=cmd_digest)

    p = sub.add_parser(
        "intake", help="导入电子邮件（.eml/.mbox）、表格（.csv/.xlsx）和信件（.docx/.txt）中的意见"
    )
    p.add_argument("slug")
    p.add_argument("files", nargs="+", help="一个或多个文件")
    p.add_argument("--json", action="store_true", help="按文件列出新建的意见、回执和未导入的内容")
    p.set_defaults(func=cmd_intake)

    p = sub.add_parser("export", help="导出意见采纳情况、汇总分析或意见（打印到标准输出）")
    p.add_argument("slug")
    p.add_argument(
        "--feedback",
        action="store_true",
        help="意见采纳情况说明（Markdown，按当前决定生成；公众看到的是最近一次发布的版本）",
    )
    p.add_argument(
        "--format",
        choices=["csv", "json", "digest"],
        help="csv（默认）/ json：意见列表（默认遮盖个人信息）；digest：汇总分析 Markdown",
    )
    p.add_argument("--personal", action="store_true", help="意见列表含姓名、联系方式（仅限内部）")
    p.add_argument(
        "--labels",
        action="store_true",
        help="人工确认的标注（JSONL，供 python -m analysis.train_stance --labels 重新训练）",
    )
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("add-drafter", help="新建起草人员账号，打印一次密码和 API 令牌")
    p.add_argument("name")
    p.add_argument("--organisation", help="所属单位")
    p.add_argument("--admin", action="store_true", help="管理员（可管理起草人员）")
    p.set_defaults(func=cmd_add_drafter)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except CommandError as exc:
        print(f"comments: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        while _ENGINES:
            _ENGINES.pop().dispose()
