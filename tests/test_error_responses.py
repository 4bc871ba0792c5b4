"""BL202 beyond its examples: exception text carried by a variable, in every kind of scope."""

from __future__ import annotations

from conftest import lint_tree, write

from backend_lint.rule import example_source


def _lines(tmp_path, code: str) -> list[int]:
    write(tmp_path, "app/errors.py", example_source(code))
    report = lint_tree(tmp_path, select=("BL202",))
    assert report.errors == ()
    return [f.line for f in report.findings]


def test_a_variable_the_handler_fills_with_the_error_carries_it_in_a_module_or_class_scope(tmp_path):
    code = """
    from flask import jsonify
    try:
        import settings_local
    except Exception as exc:
        detail = repr(exc)
        STARTUP_ERROR = jsonify(error=detail)
    class Health:
        try:
            probe()
        except Exception as exc:
            why = f"probe failed: {exc}"
            RESPONSE = jsonify(error=why)
    """
    assert _lines(tmp_path, code) == [6, 12]


def test_only_the_handler_s_own_assignments_carry_the_error(tmp_path):
    code = """
    from flask import jsonify
    def run(job):
        detail = "see the logs"
        try:
            job()
        except Exception as exc:
            def describe():
                detail = str(exc)
                return detail
            log(describe())
            return jsonify(error=detail)
    """
    assert _lines(tmp_path, code) == []


def test_the_last_assignment_with_error_text_is_the_one_reported(tmp_path):
    code = """
    from flask import jsonify
    def run(job):
        try:
            job()
        except Exception as exc:
            text = str(exc)
            text = f"failed: {exc!r}"
            text = "plain"
            return jsonify(error=text)
    """
    write(tmp_path, "app/errors.py", example_source(code))
    [finding] = lint_tree(tmp_path, select=("BL202",)).findings
    assert finding.line == 9 and finding.message.startswith("`exc` sends")  # from the f-string, not `str(exc)`
