"""Generators of the stress inputs, shared by the stress suite (small sizes) and bench/stress.py (the
sizes the issue measured). Each writes under `directory` (once: an existing input is reused) and
returns the path to lint. Pure standard library.
"""

from __future__ import annotations

import os
from pathlib import Path

# One block of ordinary backend code, no finding in it (about 700 bytes).
BLOCK = '''\
def handler_{i}(request, session):
    """Return the orders of one customer, newest first."""
    customer = session.get(Customer, request.args["id"])
    if customer is None:
        raise NotFound(f"customer {{request.args['id']}}")
    orders = [order.to_dict() for order in customer.orders if not order.deleted]
    totals = {{"count": len(orders), "sum": sum(o["amount"] for o in orders)}}
    for order in orders:
        order["items"] = [dict(item, price=item["price"] * 100) for item in order["items"]]
        order["state"] = STATES.get(order["state"], "unknown")
    return {{"customer": customer.id, "orders": orders, "totals": totals}}


'''
FINDING = "print('debug', {i})\n"  # BL301 (print) and ruff's T201: one finding per line


def _fresh(path: Path) -> bool:
    """Whether `path` must still be written (an input is generated once and reused)."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    return True


def large_file(directory: Path, size: int = 19 * 1024 * 1024) -> Path:
    """One file of `size` bytes of ordinary code, with one print at its end."""
    path = directory / "large.py"
    if _fresh(path):
        with open(path, "w", encoding="utf-8") as fh:
            written, i = 0, 0
            while written < size - 100:
                block = BLOCK.format(i=i)
                fh.write(block)
                written, i = written + len(block), i + 1
            fh.write(FINDING.format(i=0))
    return path


def many_files(directory: Path, count: int = 20_000, per_directory: int = 200) -> Path:
    """`count` tiny files, `per_directory` to a directory; every 100th has one finding."""
    root = directory / "many"
    if _fresh(root / "done"):
        for i in range(count):
            sub = root / f"pkg{i // per_directory:04d}"
            if i % per_directory == 0:
                sub.mkdir(parents=True, exist_ok=True)
            text = f"def f{i}(x):\n    return x + {i}\n" + (FINDING.format(i=i) if i % 100 == 0 else "")
            (sub / f"m{i:05d}.py").write_text(text, encoding="utf-8")
        (root / "done").write_text("")
    return root


def findings_file(directory: Path, count: int = 20_000) -> Path:
    """One file with `count` findings, one per line."""
    path = directory / f"findings_{count}.py"
    if _fresh(path):
        path.write_text("".join(FINDING.format(i=i) for i in range(count)), encoding="utf-8")
    return path


def nested_directories(directory: Path, depth: int = 200) -> Path:
    """`depth` directories one inside the other, a file with one finding at the bottom."""
    root = directory / "nested"
    if _fresh(root / "done"):
        parts = os.path.join(*(f"d{i}" for i in range(depth)))
        bottom = root / parts
        bottom.mkdir(parents=True, exist_ok=True)
        (bottom / "deep.py").write_text(FINDING.format(i=depth), encoding="utf-8")
        (root / "done").write_text("")
    return root


def long_expression(directory: Path, terms: int = 1_000) -> Path:
    """An expression of `terms` concatenated names (a left-deep tree of that depth), then a print."""
    path = directory / f"concat_{terms}.py"
    if _fresh(path):
        expression = " + ".join(f"'part{i}'" if i % 2 else f"name{i}" for i in range(terms))
        path.write_text(f"query = {expression}\n{FINDING.format(i=1)}", encoding="utf-8")
    return path


BENCH_INPUTS = {
    "large": large_file,
    "many": many_files,
    "findings": findings_file,
    "findings-60k": lambda directory: findings_file(directory, 60_000),
    "nested": nested_directories,
    "concat": long_expression,
}
