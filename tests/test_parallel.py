"""Worker processes, the single walk, and a cheap start-up: same results, whatever the speed-ups."""

from __future__ import annotations

import ast
import json
import os

from backend_lint import run as runner
from backend_lint.run import pool
from backend_lint.config import Config
from backend_lint.engines.native import walk
from backend_lint.rule import FileContext
from backend_lint.rule import Rule
from backend_lint.semantic import SemanticModel
from conftest import REPO, run_cli, write

BODIES = [
    "def f():\n    try:\n        g()\n    except Exception:\n        pass\n",
    "def h(x):\n    print(x)\n",
    "def h(x):\n    print(x)  # backend-lint: ignore[BL301] -- CLI output\n",
    "import os\n\nVALUE = os.environ.get('X')\n",
    "def broken(:\n",
    "# noqa: BL201\nx = 1\n",
]


def make_tree(root, n=40):
    for i in range(n):
        body = BODIES[i % len(BODIES)] * (1 + i % 3) if i % len(BODIES) != 4 else BODIES[4]
        write(root, f"pkg/sub{i % 4}/mod{i:02}.py", body)


def test_jobs_1_and_jobs_2_print_the_same_report(tmp_path):
    make_tree(tmp_path)
    common = ["--format", "json", "--no-cache", "--report-unused-suppressions", "--show-suppressed", "pkg"]
    one = run_cli("--jobs", "1", *common, cwd=tmp_path)
    two = run_cli("--jobs", "2", *common, cwd=tmp_path)
    assert one.returncode == two.returncode == 1, one.stderr + two.stderr
    assert one.stdout == two.stdout
    data = json.loads(one.stdout)
    paths = {f["path"] for f in data["findings"]}
    assert len(paths) > 16  # findings really come from many files, spread over both workers
    assert data["errors"]


def test_parallel_results_keep_the_order_of_the_files(tmp_path):
    make_tree(tmp_path, n=60)
    files = sorted(str(p) for p in tmp_path.rglob("*.py"))
    items = [(p, os.path.relpath(p, tmp_path), False, None) for p in files]
    settings = pool.WorkerSettings(("native",), {"native": ("BL201", "BL301")})
    serial = [done.result for done in pool.analyse_all(items, settings, jobs=1)]
    seen = []
    progress = lambda done, total: seen.append((done, total))  # noqa: E731
    parallel = [done.result for done in pool.analyse_all(items, settings, jobs=2, progress=progress)]
    assert [r.path for r in parallel] == [i[1] for i in items]
    assert parallel == serial
    assert seen[-1] == (60, 60)
    seen.clear()
    assert pool.analyse_all([], settings, jobs=2, progress=progress, done_before=60) == []
    assert seen == []  # everything came from the cache: no progress bar to start


def test_parallel_with_a_partly_filled_cache(tmp_path):
    make_tree(tmp_path, n=40)
    config = Config(root=tmp_path)
    options = runner.RunOptions(jobs=2, cache_dir=str(tmp_path / "cache"))
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        runner.run(["pkg/sub0", "pkg/sub1"], config, options)
        report, stats = runner.run_counted(["pkg"], config, options)
        plain = runner.run(["pkg"], config, runner.RunOptions(jobs=1))
    finally:
        os.chdir(old)
    assert (stats.analysed, stats.cached) == (20, 20)
    assert report == plain


class _Recorder(Rule):
    code, name, NODES = "BL000", "recorder", ()

    def __init__(self, nodes):
        super().__init__()
        self.NODES = nodes
        self.seen = []

    def visit(self, node, ctx):
        self.seen.append((node, tuple(ctx.ancestors)))


def _reference(tree, skip_leaves):
    """Pre-order with the ancestors of each node, as a plain recursive walk gives them."""
    leaves = (ast.expr_context, ast.operator, ast.boolop, ast.unaryop, ast.cmpop)
    out = []

    def visit(node, ancestors):
        if not (skip_leaves and isinstance(node, leaves)):
            out.append((node, tuple(ancestors)))
            for child in ast.iter_child_nodes(node):
                visit(child, [*ancestors, node])

    visit(tree, [])
    return out


def _walk_with(source, nodes):
    tree = ast.parse(source)
    rule = _Recorder(nodes)
    ctx = FileContext("x.py", source, source.splitlines(), tree, SemanticModel(tree))
    walk(ctx, {t: [rule] for t in nodes})
    return tree, rule.seen


def test_walk_visits_every_node_once_in_order_with_its_ancestors():
    source = (REPO / "src/backend_lint/semantic.py").read_text()
    every = tuple(t for t in vars(ast).values() if isinstance(t, type) and issubclass(t, ast.AST))
    non_leaves = tuple(t for t in every if not issubclass(t, (ast.expr_context, ast.operator, ast.boolop, ast.unaryop, ast.cmpop)))
    tree, seen = _walk_with(source, non_leaves)
    assert [(id(n), [id(a) for a in anc]) for n, anc in seen] == [
        (id(n), [id(a) for a in anc]) for n, anc in _reference(tree, skip_leaves=True)
    ]
    # a rule that asks for operators or contexts gets them too
    tree, seen = _walk_with("x = a + b\n", (ast.Add, ast.Load, ast.Name))
    assert [type(n).__name__ for n, _ in seen] == ["Name", "Name", "Load", "Add", "Name", "Load"]
    # ... even without asking for the nodes that hold them (a Name's context)
    tree, seen = _walk_with("x = a + b\n", (ast.Load,))
    assert [(type(n).__name__, type(anc[-1]).__name__) for n, anc in seen] == [("Load", "Name"), ("Load", "Name")]


def test_one_file_imports_nothing_heavy(tmp_path):
    """The pre-commit case: no libcst, rich, worker pool or cache machinery beyond what one file needs."""
    target = write(tmp_path, "one.py", BODIES[0])
    result = run_cli("--format", "json", "--no-cache", str(target), cwd=tmp_path, env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert result.returncode == 1, result.stderr
    imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}
    assert "backend_lint.run.runner" in imported  # the measurement works
    heavy = {"libcst", "rich", "rich.console", "concurrent.futures.process", "multiprocessing", "tempfile", "importlib.resources"}
    assert not heavy & imported, heavy & imported


def test_a_syntax_error_is_the_only_reason_to_import_libcst(tmp_path):
    """libcst parses what the host's parser rejects: newer syntax, or a broken file."""
    target = write(tmp_path, "bad.py", "def broken(:\n")
    result = run_cli("--format", "json", "--no-cache", str(target), cwd=tmp_path, env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert result.returncode == 1
    assert "libcst" in {line.split("|")[-1].strip() for line in result.stderr.splitlines()}
