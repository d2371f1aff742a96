"""The layout rules the code keeps: imports go one way (no cycles, lazy imports included), the
environment is read in one place, and each rule lives in one module."""
from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("rag", "ui", "eval")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Project modules ``path`` imports, at any depth (lazy ones too), except under TYPE_CHECKING."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip |= {id(n) for n in ast.walk(node)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found |= {f"{base}.{a.name}" for a in node.names}
    return {name for name in found if name.split(".")[0] in PACKAGES}


def graph() -> dict[str, set[str]]:
    files = {module_name(p): p for pkg in PACKAGES for p in (REPO / pkg).rglob("*.py")}
    return {mod: {m for m in imports(path) if m in files and m != mod} for mod, path in files.items()}


def test_no_import_cycles():
    edges = graph()
    # a package's __init__ importing its own modules is how a package is built, not a cycle back
    def parent_init(a: str, b: str) -> bool:
        return a.startswith(b + ".")

    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges[node]):
            if parent_init(node, nxt):
                continue
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)
    assert not cycles, "\n".join(" -> ".join(c) for c in cycles)


def test_the_environment_is_read_only_by_the_settings_loader_and_the_edges():
    allowed = {REPO / "rag" / "settings.py", REPO / "rag" / "cli.py", REPO / "ui" / "app.py"}
    found = [f"{p.relative_to(REPO)}:{n}" for pkg in PACKAGES for p in (REPO / pkg).rglob("*.py") if p not in allowed
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if re.search(r"os\.environ|os\.getenv|getenv\(", line)]
    assert not found, found


def test_one_pattern_for_citation_markers_and_quoted_phrases():
    """Citation markers and quoted phrases are found by rag.text alone."""
    marker = re.compile(r"re\.compile\(r?[\"'].*\\\[")
    quoted = re.compile(r"re\.compile\(.*[\"“‘].*[\"”’]")
    owners = {REPO / "rag" / "text" / "markers.py", REPO / "rag" / "text" / "quotes.py"}
    offenders = []
    for pkg in PACKAGES:
        for path in (REPO / pkg).rglob("*.py"):
            if path in owners:
                continue
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if marker.search(line) and "\\d" in line or quoted.search(line) and "QUOTE" in line.upper():
                    offenders.append(f"{path.relative_to(REPO)}:{n}: {line.strip()}")
    assert not offenders, offenders


def test_stop_words_are_defined_in_one_module():
    offenders = []
    for pkg in PACKAGES:
        for path in (REPO / pkg).rglob("*.py"):
            if path == REPO / "rag" / "text" / "stopwords.py":
                continue
            text = path.read_text(encoding="utf-8")
            for m in re.finditer(r"^(\w*(STOPWORDS|FUNCTION_WORDS|_SMALL))\s*(:[^=]*)?=\s*(frozenset|set|\{)", text, re.M):
                offenders.append(f"{path.relative_to(REPO)}: {m.group(1)}")
    assert not offenders, offenders
