"""Which module a file is, and what a relative import in it names.

A file's module name is its path from the first directory above it that is not a package (has no
`__init__.py`), dotted: `src/shop/orders/views.py` with `shop/__init__.py` and
`shop/orders/__init__.py` is `shop.orders.views`; `shop/orders/__init__.py` itself is `shop.orders`.
A file in a directory without `__init__.py` is in a namespace package (PEP 420) named by the folders
between the project root and it (a leading `src` left out): `app/views.py` is `app.views`, and
`manage.py` at the root is `manage`.
"""

from __future__ import annotations

import os
from functools import lru_cache


@lru_cache(maxsize=4096)
def _is_package(directory: str) -> bool:
    return os.path.isfile(os.path.join(directory, "__init__.py"))


def module_name(path: str, root: str | None = None) -> tuple[str, bool]:
    """(dotted module name, whether the file is a package's `__init__.py`); `root` is the project's
    root directory (for namespace packages)."""
    absolute = os.path.abspath(path)
    directory, filename = os.path.split(absolute)
    stem = filename[:-3] if filename.endswith(".py") else filename
    is_package = stem == "__init__"
    parts = [] if is_package else [stem]
    if root is not None and not _is_package(directory):
        relative = os.path.relpath(directory, os.path.abspath(root))
        if relative != "." and not relative.startswith(".."):
            folders = relative.split(os.sep)
            folders = folders[1:] if folders[0] == "src" else folders
            return ".".join([*folders, *parts]) or stem, is_package
    while _is_package(directory):
        directory, name = os.path.split(directory)
        parts.append(name)
        if not name:
            break
    parts.reverse()
    return ".".join(p for p in parts if p) or stem, is_package


def resolve_relative(module: str, is_package: bool, level: int, name: str | None) -> str:
    """The absolute module `from <level dots><name> import ...` names inside `module`; "" when the
    dots climb above the top-level package (a broken import)."""
    if level == 0:
        return name or ""
    parts = module.split(".")
    base = parts if is_package else parts[:-1]
    if level - 1 >= len(base):
        return ""
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, name] if name else base)
