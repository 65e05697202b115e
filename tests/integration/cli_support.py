"""Running the command line in-process for the CLI tests (shared by the integration tests)."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass

import pytest

from euroshield.cli import main


@dataclass
class Outcome:
    argv: list[str]
    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return self.err.splitlines()

    @property
    def message(self) -> str:
        """The error text with any hard wrapping undone (rich breaks lines at spaces)."""
        return " ".join(line.strip() for line in self.lines)


def invoke(argv: list[str]) -> Outcome:
    """Run the CLI in-process, capturing stdout and stderr; an exception escaping ``main`` is
    itself a contract violation (it would be a traceback for the user)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except Exception as exc:  # any escape breaks the contract
            pytest.fail(f"main({argv}) raised {type(exc).__name__}: {exc} (a traceback)")
    return Outcome(argv, code, out.getvalue(), err.getvalue())
