"""The architecture, as rules a change cannot break silently.

The package is layered (see ARCHITECTURE.md): ``model`` and ``core`` and ``insights`` are
pure, ``storage`` alone touches files, ``app`` holds the use cases without Typer or Rich,
``ui`` prints, ``cli`` parses. These tests read every source file with ``ast`` and fail
on an import cycle (imports made inside functions included), on an import that goes up
a layer, on an import of a library's private modules, and on a class defined twice.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "clientcoach"

# What each layer may import, besides itself. Top-level modules form the base layer
# (errors, messages' catalogue); the console-script entry counts as the command line.
ALLOWED: dict[str, set[str]] = {
    "base": set(),
    "model": {"base"},
    "core": {"base", "model"},
    "insights": {"base", "model", "core"},
    "storage": {"base", "model", "core"},
    "app": {"base", "model", "core", "insights", "storage"},
    "ui": {"base", "model", "core", "insights", "storage", "app"},
    "cli": {"base", "model", "core", "insights", "storage", "app", "ui"},
}
# Third-party libraries a layer must not import: only the command line knows Typer and
# Click, only ui and cli draw with Rich.
FORBIDDEN_LIBRARIES: dict[str, set[str]] = {
    "base": {"typer", "click", "rich"},
    "model": {"typer", "click", "rich"},
    "core": {"typer", "click", "rich"},
    "insights": {"typer", "click", "rich", "pydantic"},
    "storage": {"typer", "click", "rich"},
    "app": {"typer", "click", "rich"},
    "ui": {"typer", "click"},
    "cli": set(),
}
# The one module allowed to reach into a library's private API (it pins the versions and
# its own test fails when that API changes).
COMPAT = f"{PACKAGE}.cli.compat"
# Libraries whose private modules and attributes no other module may reach into.
LIBRARIES = ("typer", "click", "rich", "pydantic", "orjson", "platformdirs", "tomli_w")


def module_name(path: Path, src: Path = SRC) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_modules(src: Path = SRC) -> dict[str, Path]:
    return {module_name(path, src): path for path in sorted((src / PACKAGE).rglob("*.py"))}


def layer_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1 or parts[1] in ("errors", "i18n"):
        return "base"
    if parts[1] in ("__main__",):
        return "cli"
    return parts[1]


def _type_checking_block(node: ast.stmt) -> bool:
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(
    tree: ast.AST, under_type_checking: bool = False
) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, under_type_checking
        elif isinstance(node, ast.stmt) and _type_checking_block(node):
            assert isinstance(node, ast.If)
            for child in node.body:
                yield from _imports(ast.Module(body=[child], type_ignores=[]), True)
            for child in node.orelse:
                yield from _imports(ast.Module(body=[child], type_ignores=[]), under_type_checking)
        else:
            yield from _imports(node, under_type_checking)


class Edge:
    def __init__(self, target: str, line: int, typing_only: bool) -> None:
        self.target = target
        self.line = line
        self.typing_only = typing_only


def edges(modules: dict[str, Path]) -> dict[str, list[Edge]]:
    """Every import of a project module from each module, with its line."""
    graph: dict[str, list[Edge]] = {}
    for name, path in modules.items():
        found: list[Edge] = []
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node, typing_only in _imports(tree):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    package = name.split(".")
                    if path.name != "__init__.py":
                        package = package[:-1]
                    package = package[: len(package) - (node.level - 1)]
                    base = ".".join([*package, *([base] if base else [])])
                targets = []
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    targets.append(sub if sub in modules else base)
            for target in targets:
                while target and target not in modules and "." in target:
                    target = target.rsplit(".", 1)[0]
                if target in modules and target != name:
                    found.append(Edge(target, node.lineno, typing_only))
        graph[name] = found
    return graph


def third_party(modules: dict[str, Path]) -> Iterator[tuple[str, str, int]]:
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node, _typing in _imports(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif node.level == 0 and node.module:
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            else:
                continue
            for imported in names:
                yield name, imported, node.lineno


def cycles(graph: dict[str, list[Edge]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), runtime imports."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for edge in graph.get(node, []):
            if edge.typing_only:
                continue
            if edge.target not in index:
                visit(edge.target)
                low[node] = min(low[node], low[edge.target])
            elif edge.target in on_stack:
                low[node] = min(low[node], index[edge.target])
        if low[node] == index[node]:
            component: list[str] = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def layer_violations(graph: dict[str, list[Edge]]) -> list[str]:
    problems = []
    for module, found in sorted(graph.items()):
        mine = layer_of(module)
        for edge in found:
            theirs = layer_of(edge.target)
            if theirs != mine and theirs not in ALLOWED[mine]:
                problems.append(f"{module}:{edge.line} ({mine}) imports {edge.target} ({theirs})")
    return problems


def library_violations(modules: dict[str, Path]) -> list[str]:
    problems = []
    for module, imported, line in third_party(modules):
        top = imported.split(".")[0]
        if top in FORBIDDEN_LIBRARIES[layer_of(module)]:
            problems.append(f"{module}:{line} ({layer_of(module)}) imports {imported}")
    return problems


def private_violations(modules: dict[str, Path]) -> list[str]:
    problems = []
    reported: set[tuple[str, int]] = set()
    for module, imported, line in third_party(modules):
        parts = imported.split(".")
        private = parts[0] in LIBRARIES and any(p.startswith("_") for p in parts[1:])
        if private and module != COMPAT and (module, line) not in reported:
            reported.add((module, line))
            problems.append(f"{module}:{line} imports {imported}")
    for module, path in modules.items():
        if module == COMPAT:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # Names bound to typer or click modules: `import typer.core as typer_core` too.
        bound = set(LIBRARIES)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                bound |= {
                    alias.asname
                    for alias in node.names
                    if alias.asname and alias.name.split(".")[0] in LIBRARIES
                }
            elif (
                isinstance(node, ast.ImportFrom)
                and node.level == 0
                and (node.module or "").split(".")[0] in LIBRARIES
            ):
                bound |= {alias.asname or alias.name for alias in node.names}
        for node in ast.walk(tree):
            # `typer.core._ = ...`, `click.core._x`: private attributes reached by name.
            if (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                chain = []
                value: ast.expr = node.value
                while isinstance(value, ast.Attribute):
                    chain.append(value.attr)
                    value = value.value
                if isinstance(value, ast.Name) and value.id in bound:
                    problems.append(f"{module}:{node.lineno} uses {value.id}...{node.attr}")
    return problems


# --- the rules, on main ---------------------------------------------------------------


def test_there_is_no_import_cycle() -> None:
    found = cycles(edges(source_modules()))
    assert found == [], "import cycles: " + "; ".join(" <-> ".join(c) for c in found)


def test_every_import_respects_the_layers() -> None:
    assert layer_violations(edges(source_modules())) == []


def test_each_layer_imports_only_the_libraries_it_may() -> None:
    assert library_violations(source_modules()) == []


def test_no_private_module_of_a_library_is_imported_outside_compat() -> None:
    assert private_violations(source_modules()) == []


def test_each_class_name_is_defined_in_one_module_only() -> None:
    where: dict[str, list[str]] = {}
    for module, path in source_modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                where.setdefault(node.name, []).append(module)
    twice = {name: mods for name, mods in where.items() if len(mods) > 1}
    assert twice == {}


def _fields(node: ast.ClassDef) -> tuple[str, ...]:
    return tuple(
        sorted(
            stmt.target.id
            for stmt in node.body
            if isinstance(stmt, ast.AnnAssign)
            and isinstance(stmt.target, ast.Name)
            and not (
                isinstance(stmt.annotation, ast.Subscript)
                and "ClassVar" in ast.unparse(stmt.annotation)
            )
        )
    )


def test_no_class_mirrors_another_class_fields() -> None:
    seen: dict[tuple[str, ...], str] = {}
    mirrors = []
    for module, path in source_modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                fields = _fields(node)
                if len(fields) < 2:
                    continue
                here = f"{module}.{node.name}"
                if fields in seen:
                    mirrors.append(f"{here} mirrors {seen[fields]}: {', '.join(fields)}")
                seen.setdefault(fields, here)
    assert mirrors == []


# --- the checks can fail -------------------------------------------------------------


def _tree(tmp_path: Path, files: dict[str, str]) -> dict[str, Path]:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return source_modules(tmp_path)


def test_a_cycle_made_inside_a_function_is_found(tmp_path: Path) -> None:
    modules = _tree(
        tmp_path,
        {
            "clientcoach/__init__.py": "",
            "clientcoach/core/__init__.py": "",
            "clientcoach/core/a.py": "from clientcoach.core import b\n",
            "clientcoach/core/b.py": "def f():\n    from clientcoach.core.a import x\n",
        },
    )
    assert cycles(edges(modules)) == [["clientcoach.core.a", "clientcoach.core.b"]]


def test_an_import_under_type_checking_is_no_cycle_but_still_a_layer_breach(
    tmp_path: Path,
) -> None:
    modules = _tree(
        tmp_path,
        {
            "clientcoach/__init__.py": "",
            "clientcoach/core/__init__.py": "",
            "clientcoach/app/__init__.py": "",
            "clientcoach/core/a.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from clientcoach.app.b import B\n"
            ),
            "clientcoach/app/b.py": "from clientcoach.core import a\n",
        },
    )
    graph = edges(modules)
    assert cycles(graph) == []
    assert layer_violations(graph) == [
        "clientcoach.core.a:3 (core) imports clientcoach.app.b (app)"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("import typer._click\n", "clientcoach.cli.main:1 imports typer._click"),
        ("from click._compat import x\n", "clientcoach.cli.main:1 imports click._compat"),
        ("import typer.core\ntyper.core._ = str\n", "clientcoach.cli.main:2 uses typer..._"),
        ("import typer.core as tc\ntc._ = str\n", "clientcoach.cli.main:2 uses tc..._"),
        ("from rich import _wrap\n", "clientcoach.cli.main:1 imports rich._wrap"),
    ],
)
def test_a_private_import_is_found(tmp_path: Path, text: str, expected: str) -> None:
    modules = _tree(
        tmp_path,
        {
            "clientcoach/__init__.py": "",
            "clientcoach/cli/__init__.py": "",
            "clientcoach/cli/main.py": text,
        },
    )
    assert private_violations(modules) == [expected]


def test_typer_in_the_app_layer_is_found(tmp_path: Path) -> None:
    modules = _tree(
        tmp_path,
        {
            "clientcoach/__init__.py": "",
            "clientcoach/app/__init__.py": "",
            "clientcoach/app/run.py": "def f():\n    import typer\n",
        },
    )
    assert library_violations(modules) == ["clientcoach.app.run:2 (app) imports typer"]
