"""What the parser's tests compare: trees as plain data (`shape`), the host's tree as the
converter must match it (`host_shape`), the first difference of two (`first_difference`); and
the golden trees of the construct snippets, with the code that makes them. `bench/cst_oracle.py`
compares with the same functions.

The snippets are `tests/fixtures/parsing/constructs/*.py`, one family of syntax each. Their
goldens, `tests/fixtures/parsing/goldens/<name>.json`, hold the tree that the newest CPython
accepting the snippet built, in the plain form of `shape` (every field and position of every
node), with the versions that accept it. `tests/test_parsing.py` compares the tree the
converter builds on the host with the golden, lowered to what the host's `ast` can hold.

Regenerate them after adding or changing a snippet (this runs the snippets under every
`~/.pyenv/versions/3.*/bin/python` found, and any interpreter given with `--python`):

    python tests/ast_oracle.py [--python PATH ...]

This file runs under Python 3.8 and newer with the standard library alone: it is the script
each interpreter runs (`--dump`) to print its trees.
"""

from __future__ import annotations

import ast
import glob
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

HERE = Path(__file__).resolve().parent / "fixtures" / "parsing"
CONSTRUCTS = HERE / "constructs"
GOLDENS = HERE / "goldens"
POSITION = ("lineno", "col_offset", "end_lineno", "end_col_offset")
OLD_FSTRINGS = sys.version_info < (3, 12)


def shape(node: Any, old_fstrings: bool = False) -> Any:
    """`node` as plain data: `{"_type": class name, field: value, ..., "@": [positions]}`.

    Constants other than str, int, bool and None are `{"_repr": repr(value)}`. With
    `old_fstrings`, as `without_fstring_positions` of it.
    """
    result = _shape(node)
    return without_fstring_positions(result) if old_fstrings else result


def _shape(node: Any) -> Any:
    if isinstance(node, list):
        return [_shape(item) for item in node]
    if not isinstance(node, ast.AST):
        if node is None or isinstance(node, (str, bool, int)):
            return node
        return {"_repr": repr(node)}
    result: Dict[str, Any] = {"_type": type(node).__name__}
    for name in node._fields:
        result[name] = _shape(getattr(node, name, None))
    if hasattr(node, "lineno"):
        result["@"] = [getattr(node, name, None) for name in POSITION]
    return result


def without_fstring_positions(node: Any, inside: bool = False) -> Any:
    """A shape without what a CPython before 3.12 places differently, at the whole f-string:
    the positions of an f-string's constants, fields and format specs, and of a tuple that is
    a field's expression (placed at the braces). Those of other expressions in fields stay."""
    if isinstance(node, list):
        return [without_fstring_positions(item, inside) for item in node]
    if not isinstance(node, dict) or "_type" not in node:
        return node
    kind = node["_type"]
    result = {}
    for key, value in node.items():
        if key == "@" and inside:
            continue
        inner = inside
        if kind == "JoinedStr" or (kind == "FormattedValue" and key == "format_spec"):
            inner = True
        elif kind == "FormattedValue" and key == "value":
            inner = isinstance(value, dict) and value.get("_type") == "Tuple"
            if inner:
                value = {**value, "elts": without_fstring_positions(value["elts"])}
        result[key] = without_fstring_positions(value, inner)
    return result


def host_shape(tree: ast.AST) -> Any:
    """The shape of a tree of this host's `ast.parse`, as the converter's tree must be on this
    host: without the f-string piece positions of a CPython before 3.12, and without the empty
    `Constant` that CPython 3.12 (3.12.1 at least, not 3.13) puts after a format spec's last
    field (`f"{v:>{w}}"`)."""
    if sys.version_info[:2] == (3, 12):
        for node in ast.walk(tree):
            if isinstance(node, ast.FormattedValue) and isinstance(node.format_spec, ast.JoinedStr):
                values = node.format_spec.values
                values[:] = [v for v in values if not (isinstance(v, ast.Constant) and v.value == "")]
    return shape(tree, old_fstrings=OLD_FSTRINGS)


def host_fields() -> Dict[str, List[str]]:
    """The fields of each node class of this host's `ast`, by class name."""
    return {name: list(cls._fields) for name, cls in vars(ast).items() if isinstance(cls, type) and issubclass(cls, ast.AST)}


def lower(node: Any, fields: Dict[str, List[str]]) -> Any:
    """A golden tree as the converter must build it on a host whose node classes have `fields`:
    `type X = Y` is `X = Y` before 3.12, `try/except*` is `try` before 3.11, type parameters
    are dropped before 3.12 and their defaults before 3.13. Every other difference from the
    host's `ast` stays one."""
    if isinstance(node, list):
        return [lower(item, fields) for item in node]
    if not isinstance(node, dict) or "_type" not in node:
        return node
    kind = node["_type"]
    if kind == "TypeAlias" and kind not in fields:
        return {"_type": "Assign", "targets": [lower(node["name"], fields)], "value": lower(node["value"], fields),
                "type_comment": None, "@": node["@"]}  # fmt: skip
    if kind == "TryStar" and kind not in fields:
        kind = "Try"
    keep = fields.get(kind, [])
    return {"_type": kind, **{key: lower(value, fields) for key, value in node.items()
            if key != "_type" and (key in keep or key == "@" or key not in ("type_params", "default_value"))}}  # fmt: skip


def first_difference(expected: Any, actual: Any, path: str = "") -> Optional[str]:
    """Where two shapes first differ, for an assertion's message; None when they are equal."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in sorted(set(expected) | set(actual)):
            found = first_difference(expected.get(key, "<missing>"), actual.get(key, "<missing>"), f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        for index, (left, right) in enumerate(zip(expected, actual)):
            found = first_difference(left, right, f"{path}[{index}]")
            if found:
                return found
        return None
    return None if expected == actual else f"{path}: expected {str(expected)[:200]}, converter {str(actual)[:200]}"


def _dump(paths: List[str]) -> Dict[str, Optional[Any]]:
    """The shaped tree of each snippet under this interpreter, None where it rejects it."""
    trees: Dict[str, Optional[Any]] = {}
    for path in paths:
        try:
            tree = ast.parse(Path(path).read_text(encoding="utf-8"), filename=path)
        except SyntaxError:
            trees[Path(path).stem] = None
            continue
        trees[Path(path).stem] = shape(tree, old_fstrings=sys.version_info < (3, 12))
    return trees


def _interpreters(extra: List[str]) -> List[str]:
    found = sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.*/bin/python")))
    return [*found, *extra, sys.executable]


def _version(python: str) -> List[int]:
    out = subprocess.run([python, "-c", "import sys; print(*sys.version_info[:3])"], capture_output=True, text=True)
    return [int(part) for part in out.stdout.split()]


def regenerate(extra: List[str]) -> None:
    paths = sorted(str(path) for path in CONSTRUCTS.glob("*.py"))
    results: Dict[str, Dict[str, Any]] = {Path(path).stem: {"accepted_by": [], "made_by": None, "tree": None} for path in paths}
    seen = set()
    for python in _interpreters(extra):
        version = _version(python)
        if not version or version < [3, 8] or tuple(version) in seen:
            continue
        seen.add(tuple(version))
        out = subprocess.run([python, __file__, "--dump", *paths], capture_output=True, text=True, check=True)
        release = ".".join(map(str, version))
        for name, tree in json.loads(out.stdout).items():
            if tree is None:
                continue
            entry = results[name]
            entry["accepted_by"].append(".".join(map(str, version[:2])))
            # the newest CPython that accepts it, and one of 3.12 or later for f-string positions
            if entry["made_by"] is None or version > [int(p) for p in entry["made_by"].split(".")]:
                entry["made_by"], entry["tree"] = release, tree
    GOLDENS.mkdir(exist_ok=True)
    for stale in GOLDENS.glob("*.json"):
        stale.unlink()
    for name, entry in results.items():
        made_by = entry["made_by"]
        if made_by is None or [int(p) for p in made_by.split(".")] < [3, 12]:
            print(f"{name}: no golden (made by {made_by or 'no interpreter found'}; needs 3.12 or newer)")
            continue
        entry["source_sha256"] = hashlib.sha256((CONSTRUCTS / f"{name}.py").read_bytes()).hexdigest()
        entry["accepted_by"] = sorted(set(entry["accepted_by"]), key=lambda v: [int(p) for p in v.split(".")])
        with open(GOLDENS / f"{name}.json", "w", encoding="utf-8") as handle:
            json.dump(entry, handle, indent=1, sort_keys=True)
            handle.write("\n")
        print(f"{name}: made by {made_by}, accepted by {', '.join(entry['accepted_by'])}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--dump"]:
        print(json.dumps(_dump(sys.argv[2:])))
    else:
        arguments = sys.argv[1:]
        extra = [arguments[i + 1] for i, arg in enumerate(arguments) if arg == "--python"]
        regenerate(extra)
