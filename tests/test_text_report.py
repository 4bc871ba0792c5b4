"""The text report as a person reads it: the flagged line for context, never a secret in clear."""

from __future__ import annotations

from conftest import run_cli, write

SECRET = "Xq9vLr7TzK2mWp4BnC8dYs6H"


def test_text_report_masks_the_secret_on_the_code_line(tmp_path):
    write(tmp_path, "app/settings.py", f'import os\nSECRET_KEY = "{SECRET}"\nDEBUG_LEVEL = os.getenv("LEVEL")\n')
    done = run_cli("app", cwd=tmp_path)
    assert done.returncode == 1
    assert "BL101" in done.stdout
    assert SECRET not in done.stdout  # neither in the message nor on the code line
    assert 'SECRET_KEY = "Xq9vL…"' in done.stdout


def test_text_report_shows_the_flagged_line_and_the_owner(tmp_path):
    write(tmp_path, "app/jobs.py", "def run(job):\n    try:\n        job()\n    except Exception:\n        pass\n")
    done = run_cli("app", cwd=tmp_path)
    lines = done.stdout.splitlines()
    row = next(i for i, line in enumerate(lines) if "BL201" in line)
    assert lines[row].split()[:4] == ["4:5", "medium", "BL201", "silent-exception"]
    assert "→ architecture/patterns" in lines[row]
    assert lines[row + 1].strip() == "│ except Exception:"


def test_text_report_names_the_other_engines_that_found_the_same_problem(tmp_path):
    write(tmp_path, "app/jobs.py", "def run(job):\n    try:\n        job()\n    except Exception:\n        pass\n")
    done = run_cli("app", cwd=tmp_path, engines="native,ruff")
    row = next(line for line in done.stdout.splitlines() if "BL201" in line)
    assert "(also: BLE001)" in row
