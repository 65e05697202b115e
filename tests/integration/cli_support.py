"""Running the command line in-process for the CLI tests (shared by the integration tests)."""

from __future__ import annotations

import contextlib
import io
import json
from dataclasses import dataclass

import pytest

from euroshield.cli import main

PREFIX = "euroshield: error:"  # the first words of every one-line error


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


def invoke_json(argv: list[str]) -> dict:
    """Run the CLI in-process (``argv`` asks for ``--json``); it must succeed: its document."""
    o = invoke(argv)
    assert o.code == 0, o.err
    return json.loads(o.out)


def assert_one_line_error(o: Outcome, *needles: str) -> str:
    """The bad-input contract: exit 2, nothing on stdout, exactly one stderr line starting with
    the error prefix, no traceback, and every needle in the message; returns the message."""
    assert o.code == 2, f"exit code {o.code} for {o.argv}; stderr={o.err!r}"
    assert o.out == "", f"stdout not empty for {o.argv}: {o.out!r}"
    assert "Traceback" not in o.err
    assert o.err.startswith(PREFIX), repr(o.err)
    assert o.err.endswith("\n") and len(o.err.splitlines()) == 1, repr(o.err)
    for needle in needles:
        assert needle in o.err, f"{needle!r} not in {o.err!r}"
    return o.err
