"""The README's example outputs match fresh runs of the same commands.

``tools/make_readme_examples.py`` lists every README block that shows what a command prints
(between ``<!-- example: NAME -->`` markers) and regenerates them. Here the same commands run
in-process, the block is rebuilt the same way, and every number of the README block must match
the fresh one within half a unit of its last printed digit (``7,878.255`` within 0.0005,
``110`` within 0.5); the command lines must be identical, and so must the count of numbers (a
changed table or sentence is a stale block). Numbers that are timings are left out (each
example's ``timing_patterns``; none of the regenerated examples prints one today). If this
fails after an intended change of the physics or of an output, rerun
``python tools/make_readme_examples.py``.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("make_readme_examples",
                                               ROOT / "tools" / "make_readme_examples.py")
tool = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = tool  # its dataclasses look their module up there
_spec.loader.exec_module(tool)

# a number not glued to a name (sm3-iia, tpy2, T+60 keep their digits out), with thousands
# separators, a sign and a decimal part
NUMBER = re.compile(r"(?<![\w.+])[-+]?\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?")


def numbers(text: str, timing_patterns=()) -> list[tuple[float, float, str]]:
    """(value, half a unit of the last printed digit, token) of every number in ``text``."""
    for pat in timing_patterns:
        text = re.sub(pat, " TIMING ", text)
    out = []
    for m in NUMBER.finditer(text):
        tok = m.group(0)
        mant = re.split(r"[eE]", tok)[0]
        digits = len(mant.split(".")[1]) if "." in mant else 0
        exp = int(re.split(r"[eE]", tok)[1]) if re.search(r"[eE]", tok) else 0
        out.append((float(tok.replace(",", "")), 0.5 * 10.0 ** (exp - digits), tok))
    return out


def run_in_process(args: tuple[str, ...]) -> tuple[str, str]:
    """The command line in this process (kernels and tables already loaded), output captured
    as a piped run would print it (160 columns)."""
    from rich.console import Console

    from euroshield import cli

    out, err = io.StringIO(), io.StringIO()
    saved = cli.out
    cli.out = Console(file=cli._Stdout(), width=160)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main(list(args))
    finally:
        cli.out = saved
    assert code in (0, 2), (args, code, err.getvalue())
    return out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_example_is_marked_once(readme):
    """Each example of the tool has exactly one marked block, and no marked block is unknown."""
    names = re.findall(r"<!-- example: ([\w-]+) -->", readme)
    assert sorted(names) == sorted(e.name for e in tool.EXAMPLES)
    for e in tool.EXAMPLES:
        tool.readme_block(readme, e.name)


@pytest.mark.parametrize("example", tool.EXAMPLES, ids=[e.name for e in tool.EXAMPLES])
def test_readme_numbers_match_a_fresh_run(example, readme):
    if example.slow:
        pytest.skip("runs longer than 20 s: checked by rerunning the tool")
    shown = tool.readme_block(readme, example.name)
    fresh = tool.render(example, run_in_process)
    commands = [ln for ln in fresh.splitlines() if ln.startswith(("$ ", "euroshield "))]
    assert [ln for ln in shown.splitlines() if ln.startswith(("$ ", "euroshield "))] == commands
    want = numbers(shown, example.timing_patterns)
    got = numbers(fresh, example.timing_patterns)
    assert len(want) == len(got), (
        f"{example.name}: {len(want)} numbers in the README block, {len(got)} in a fresh run "
        f"(the output changed: rerun tools/make_readme_examples.py)\n--- README\n{shown}\n"
        f"--- fresh\n{fresh}")
    bad = [(w_tok, g_tok) for (w, tol, w_tok), (g, _, g_tok) in zip(want, got, strict=True)
           if abs(w - g) > tol * (1 + 1e-9)]
    assert not bad, f"{example.name}: README vs fresh run: {bad}"


def test_number_parser_reads_printed_precision():
    """The parser: thousands separators, signs, names with digits left out, tolerance half a
    unit of the last digit."""
    got = numbers("range 7,878.255 km at -77.04 by sm3-iia (T+60 s), 110 routes, 1.5e-3")
    assert [t for _, _, t in got] == ["7,878.255", "-77.04", "110", "1.5e-3"]
    assert [v for v, _, _ in got] == [7878.255, -77.04, 110.0, 1.5e-3]
    assert got[0][1] == pytest.approx(0.0005) and got[2][1] == 0.5
    assert got[3][1] == pytest.approx(0.5e-4)
