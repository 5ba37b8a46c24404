"""The package layout the project holds to: module sizes, directions of imports, surfaces."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import analysis

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("comments", "analysis")


def _modules() -> list[Path]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                found.append(path)
    return found


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of every import in a file, top-level or inside functions."""
    out: list[tuple[str, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.extend((alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.module, [alias.name for alias in node.names]))
    return out


def test_no_module_is_over_400_lines() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in _modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert long == {}


def test_the_parser_is_pure_and_loads_no_web_or_database_library() -> None:
    for path in (ROOT / "comments" / "drafts").rglob("*.py"):
        for module, _ in _imports(path):
            assert not module.startswith("comments.") or module.startswith("comments.drafts"), (
                path,
                module,
            )
    code = (
        "import sys, comments.drafts as d; d.parse_text('第一条 为了规范管理，制定本办法。');"
        "bad = [m for m in ('starlette', 'sqlalchemy', 'sqlmodel') if m in sys.modules];"
        "print(bad); raise SystemExit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_intake_does_not_import_the_web_layer() -> None:
    for path in (ROOT / "comments" / "intake").rglob("*.py"):
        for module, _ in _imports(path):
            assert not module.startswith(("comments.web", "starlette")), (path, module)


def test_sql_lives_in_the_storage_layer() -> None:
    sql = ("sqlalchemy", "sqlmodel")
    allowed = {"Session", "Engine"}  # passing a session or an engine along is not SQL
    for path in _modules():
        rel = path.relative_to(ROOT)
        if rel.parts[:2] == ("comments", "storage") or rel.parts[0] == "analysis":
            continue
        for module, names in _imports(path):
            if module.startswith(sql):
                extra = set(names) - allowed
                assert module in ("sqlmodel", "sqlalchemy.engine", "sqlalchemy.exc") and (
                    module == "sqlalchemy.exc" or not extra
                ), (str(rel), module, names)


def test_forms_are_parsed_only_by_read_form_which_applies_the_route_limits() -> None:
    """``read_form`` parses a request's form once, with the route's limits and strict decoding,
    and keeps it: a ``request.form(...)`` or a form parser anywhere else would skip both."""
    texts = {str(path.relative_to(ROOT)): path.read_text(encoding="utf-8") for path in _modules()}
    assert [name for name, text in texts.items() if ".form(" in text] == []
    parsers = ("MultiPartParser", "FormParser", "unquote_to_bytes", "parse_qs")
    users = [name for name, text in texts.items() if any(p in text for p in parsers)]
    assert users == ["comments/web/common.py"]


def test_the_service_uses_analysis_only_through_its_surface() -> None:
    for path in (ROOT / "comments").rglob("*.py"):
        for module, names in _imports(path):
            assert module != "analysis" or set(names) <= set(analysis.__all__), (path, names)
            assert not module.startswith("analysis."), (path, module)


def test_analysis_never_imports_the_service() -> None:
    for path in (ROOT / "analysis").rglob("*.py"):
        for module, _ in _imports(path):
            assert not module.startswith(("comments", "starlette", "sqlalchemy", "sqlmodel"))


def test_there_is_no_import_cycle_between_modules_at_import_time() -> None:
    graph: dict[str, set[str]] = {}
    names = {}
    for path in _modules():
        rel = path.relative_to(ROOT).with_suffix("")
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        names[path] = ".".join(parts)
    known = set(names.values())
    for path, name in names.items():
        deps = set()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:  # module level only: imports inside functions run later
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    deps.add(full if full in known else node.module)
            elif isinstance(node, ast.Import):
                deps.update(alias.name for alias in node.names)
        graph[name] = {d for d in deps if d in known and d != name}
    # A package importing its own submodules (to re-export them) is not a cycle.
    for name, deps in graph.items():
        graph[name] = {d for d in deps if not d.startswith(name + ".")}
    seen: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        seen[node] = 1
        stack.append(node)
        for dep in graph.get(node, ()):
            # importing a.b.c first runs a and a.b: those edges count too
            if seen.get(dep) == 1:
                raise AssertionError(" -> ".join([*stack[stack.index(dep) :], dep]))
            if dep not in seen:
                visit(dep)
        stack.pop()
        seen[node] = 2

    for node in sorted(graph):
        if node not in seen:
            visit(node)


def test_every_runtime_dependency_has_an_upper_bound_and_test_tools_stay_out() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for requirement in project["dependencies"]:
        assert "<" in requirement, requirement
    names = {
        r.split("[")[0].split(">")[0].split("<")[0].split("=")[0] for r in project["dependencies"]
    }
    assert not names & {"httpx", "datasketch", "pytest"}
