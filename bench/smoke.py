"""Smoke run over real code: lint installed packages with chosen rules, and count, per rule, the
findings a reviewer judged right and wrong.

    python bench/smoke.py --select BL101,BL707 DIR [DIR ...] [--verdicts bench/smoke_verdicts.json]
    python bench/smoke.py --from-reports REPORT_DIR [--verdicts FILE]   # reuse saved JSON reports

Each DIR is linted once (`--format json --engines native,semgrep,ruff --no-cache`); the report is
saved as `<name>.json` in `--out` (default: a temporary directory). A verdict file maps a finding's
key, `RULE path-suffix | stripped code line`, to "right" or "wrong" (what a senior reviewer would
do with it: act on it, or reject it); keys are stable across line moves. Findings without a
verdict are counted as "unjudged" and listed with `--list`, so that a reviewer can judge them.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path


def lint(target: Path, select: str, out: Path) -> Path:
    report = out / f"{target.name}.json"
    command = [sys.executable, "-P", "-m", "backend_lint", "--format", "json", "--engines", "native,semgrep,ruff",
               "--no-cache", "--exit-zero", "--select", select, str(target)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False,
                          env={"SEMGREP_ENABLE_VERSION_CHECK": "0", **__import__("os").environ})  # fmt: skip
    report.write_text(done.stdout, encoding="utf-8")
    return report


def key(finding: dict, root: Path) -> str:
    path = Path(finding["path"])
    if not path.is_absolute():
        path = root / path
    try:
        line = path.read_text("utf-8", errors="replace").splitlines()[finding["line"] - 1].strip()
    except (OSError, IndexError):
        line = "?"
    parts = path.parts
    suffix = "/".join(parts[parts.index("corpus") + 1 :]) if "corpus" in parts else path.as_posix()
    return f"{finding['rule']} {suffix} | {line[:160]}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dirs", nargs="*", type=Path)
    parser.add_argument("--select", default="ALL")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--from-reports", type=Path, help="read <name>.json reports saved by an earlier run")
    parser.add_argument("--root", type=Path, default=Path("/tmp"), help="what relative report paths start from")
    parser.add_argument("--verdicts", type=Path)
    parser.add_argument("--list", action="store_true", help="print every finding with its verdict")
    args = parser.parse_args(argv)
    verdicts = json.loads(args.verdicts.read_text("utf-8")) if args.verdicts else {}
    if args.from_reports:
        reports = sorted(args.from_reports.glob("*.json"))
    else:
        out = args.out or Path(tempfile.mkdtemp(prefix="smoke-"))
        out.mkdir(parents=True, exist_ok=True)
        reports = [lint(d.resolve(), args.select, out) for d in args.dirs]
    table: dict[str, Counter] = defaultdict(Counter)
    packages: dict[str, Counter] = defaultdict(Counter)
    for report in reports:
        try:
            findings = json.loads(report.read_text("utf-8"))["findings"]
        except (ValueError, KeyError):
            print(f"{report.name}: no report", file=sys.stderr)
            continue
        for finding in findings:
            k = key(finding, args.root)
            verdict = verdicts.get(k, "unjudged")
            table[finding["rule"]][verdict] += 1
            packages[finding["rule"]][report.stem] += 1
            if args.list:
                print(f"{verdict:8} {finding['severity']:6} {k}")
    print("| rule | findings | judged right | judged wrong | unjudged | packages |")
    print("|---|--:|--:|--:|--:|---|")
    for rule in sorted(table):
        c = table[rule]
        where = ", ".join(f"{p} {n}" for p, n in sorted(packages[rule].items()))
        print(f"| {rule} | {sum(c.values())} | {c['right']} | {c['wrong']} | {c['unjudged']} | {where} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
