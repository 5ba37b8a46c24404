"""One Settings object, read from the environment (prefix ``COMMENTS_``).

``Settings.from_env`` is the only reader of ``os.environ`` in the service. ``SETTINGS`` is the table
that drives the CLI help, the README table and the test that every setting is documented.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any


@dataclass(frozen=True)
class SettingInfo:
    env: str
    default: str
    help: str


# name -> (environment variable, default as written in the README, description)
SETTINGS: dict[str, SettingInfo] = {
    "database_url": SettingInfo(
        "COMMENTS_DATABASE_URL",
        "sqlite:///comments.db",
        "数据库地址（SQLAlchemy URL）。默认在当前目录建 SQLite 文件；"
        "生产环境用 postgresql+psycopg://…",
    ),
    "host": SettingInfo("COMMENTS_HOST", "127.0.0.1", "`comments serve` 监听的地址"),
    "port": SettingInfo("COMMENTS_PORT", "8000", "`comments serve` 监听的端口"),
    "secret_key": SettingInfo(
        "COMMENTS_SECRET_KEY",
        "",
        "签名 Cookie 与 CSRF 令牌的密钥。留空时首次启动随机生成并保存在数据库中（多进程共用）",
    ),
    "rate_limit_per_minute": SettingInfo(
        "COMMENTS_RATE_LIMIT_PER_MINUTE",
        "20",
        "每个客户端（IP，以及所填的联系方式）每分钟最多提交的意见数；`0` 关闭限制（压测、批量导入时用）",
    ),
    "allowed_origins": SettingInfo(
        "COMMENTS_ALLOWED_ORIGINS",
        "",
        "允许从哪些其他网站的页面调用提交意见的 API（以逗号分隔，如 `https://www.example.gov.cn`）；"
        "留空时只接受本站页面和不带来源的客户端（脚本、其他系统）",
    ),
    "max_comment_chars": SettingInfo("COMMENTS_MAX_COMMENT_CHARS", "5000", "一条意见的最大字数"),
    "max_body_bytes": SettingInfo(
        "COMMENTS_MAX_BODY_BYTES", "65536", "提交意见请求体的最大字节数，超过返回 413"
    ),
    "max_upload_bytes": SettingInfo(
        "COMMENTS_MAX_UPLOAD_BYTES", "10485760", "上传草案文件的最大字节数（默认 10 MB）"
    ),
    "public_url": SettingInfo(
        "COMMENTS_PUBLIC_URL",
        "",
        "公众访问本服务的网址（如 `https://yijian.example.gov.cn`），写入给来信者的回复文本中的"
        "回执查询地址；留空时用起草人员访问本服务所用的地址",
    ),
    "load_example": SettingInfo(
        "COMMENTS_LOAD_EXAMPLE",
        "1",
        "数据库为空时，`comments serve` 导入示例草案（征求意见期为今天起 30 天）；`0` 不导入",
    ),
    "timezone": SettingInfo(
        "COMMENTS_TIMEZONE",
        "Asia/Shanghai",
        "截止日期按此时区的当天 24 时计算",
    ),
    "db_pool_size": SettingInfo(
        "COMMENTS_DB_POOL_SIZE",
        "10",
        "PostgreSQL 连接池：每个进程常驻的连接数（另可临时多开同样多个）；SQLite 不用",
    ),
    "commit_batch_size": SettingInfo(
        "COMMENTS_COMMIT_BATCH_SIZE",
        "256",
        "写入线程一次事务最多提交的意见数（分组提交；每条意见都在提交后才返回回执）",
    ),
    "rate_limit_backend": SettingInfo(
        "COMMENTS_RATE_LIMIT_BACKEND",
        "auto",
        "限流计数存放处：`auto`（设置了 COMMENTS_REDIS_URL 用 Redis，否则用数据库）、"
        "`database`、`redis`、`memory`（仅单进程）",
    ),
    "redis_url": SettingInfo(
        "COMMENTS_REDIS_URL",
        "",
        "Redis 地址（如 `redis://127.0.0.1:6379/0`），多进程共用限流计数；Redis 不可用时改用数据库计数",
    ),
    "analysis_workers": SettingInfo(
        "COMMENTS_ANALYSIS_WORKERS",
        "0",
        "分析 2 万条以上意见时并行使用的进程数；`0` 为每个处理器核一个（最多 4 个），`1` 不另开进程",
    ),
    "contact_retention_days": SettingInfo(
        "COMMENTS_CONTACT_RETENTION_DAYS",
        "365",
        "意见中的联系方式保留天数，`comments purge-contacts` 抹去更早意见的联系方式并记审计；`0` 永久保留",
    ),
    "smtp_host": SettingInfo(
        "COMMENTS_SMTP_HOST",
        "",
        "发送来信回复所用的邮件服务器；留空（默认）时不发送，起草人员下载回复文本自行发出",
    ),
    "smtp_port": SettingInfo("COMMENTS_SMTP_PORT", "25", "邮件服务器端口"),
    "smtp_sender": SettingInfo(
        "COMMENTS_SMTP_SENDER", "", "回复邮件的发件地址（如征求意见通知中公布的邮箱）"
    ),
    "smtp_user": SettingInfo("COMMENTS_SMTP_USER", "", "邮件服务器的登录名；留空时不登录"),
    "smtp_password": SettingInfo("COMMENTS_SMTP_PASSWORD", "", "邮件服务器的登录密码"),
    "smtp_starttls": SettingInfo(
        "COMMENTS_SMTP_STARTTLS", "0", "`1`：连接后用 STARTTLS 加密（服务器支持时应打开）"
    ),
}


def _parse(name: str, raw: str, current: Any) -> Any:
    if isinstance(current, bool):
        value = raw.strip().lower()
        if value in {"1", "true", "yes", "on"}:
            return True
        if value in {"0", "false", "no", "off", ""}:
            return False
        raise ValueError(f"{SETTINGS[name].env} 应为 1 或 0，收到 {raw!r}")
    if isinstance(current, int):
        try:
            number = int(raw)
        except ValueError:
            raise ValueError(f"{SETTINGS[name].env} 应为整数，收到 {raw!r}") from None
        if number < 0:
            raise ValueError(f"{SETTINGS[name].env} 不能为负数，收到 {raw!r}")
        return number
    return raw


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///comments.db"
    host: str = "127.0.0.1"
    port: int = 8000
    secret_key: str = ""
    rate_limit_per_minute: int = 20
    allowed_origins: str = ""
    max_comment_chars: int = 5000
    max_body_bytes: int = 65536
    max_upload_bytes: int = 10 * 1024 * 1024
    public_url: str = ""
    load_example: bool = True
    timezone: str = "Asia/Shanghai"
    db_pool_size: int = 10
    commit_batch_size: int = 256
    analysis_workers: int = 0
    rate_limit_backend: str = "auto"
    redis_url: str = ""
    contact_retention_days: int = 365
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_sender: str = ""
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``COMMENTS_*`` variables; unknown values raise ValueError."""
        environ = os.environ if environ is None else environ
        base = cls()
        changes: dict[str, Any] = {}
        for f in fields(cls):
            info = SETTINGS[f.name]
            if info.env in environ:
                changes[f.name] = _parse(f.name, environ[info.env], getattr(base, f.name))
        return replace(base, **changes)

    @functools.cached_property
    def origins(self) -> frozenset[str]:
        """The other sites whose pages may post comments through the API."""
        return frozenset(
            o.strip().rstrip("/") for o in self.allowed_origins.split(",") if o.strip()
        )

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **changes)
