"""backend-lint's own hygiene: suppression comments that no longer silence anything."""

from __future__ import annotations

from ..rule import Example, Rule


class UnusedSuppression(Rule):
    """A `# backend-lint: ignore[...]` or `# noqa: BL...` comment that silences nothing.

    ## What it does
    Reported only with `--report-unused-suppressions` (or `report-unused-suppressions = true`):
    flags a suppression comment whose rule no longer fires on its statement, or that names a rule
    backend-lint does not know. `noqa` codes of other tools are left alone.

    ## Why is this bad?
    A stale suppression hides the next real problem on that line and misleads the reader about
    the code. Remove it once the finding it was written for is fixed.
    """

    code = "BL901"
    name = "unused-suppression"
    category = "suppression"
    severity = "info"
    agent = "architecture/patterns"
    checklist = ("principle.clear-code",)
    INVALID = (
        Example(
            """
            import logging
            logger = logging.getLogger(__name__)
            def f():
                logger.info("ok")  # backend-lint: ignore[BL301]  # expect: BL901
            """,
            select=("BL301",),
        ),
        Example("x = compute()  # backend-lint: ignore[BL999]  # expect: BL901\n"),
    )
    VALID = (
        Example(
            """
            def f():
                print("debug")  # backend-lint: ignore[BL301] -- temporary, see OPS-12
            """,
            select=("BL301",),
        ),
        "x = 1  # noqa: E501\n",
        # BL301 did not run, so whether this comment is still needed cannot be judged.
        'print("debug")  # backend-lint: ignore[print-used-for-logging]\n',
    )
