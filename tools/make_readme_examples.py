"""Regenerate the example outputs of README.md from fresh runs of the command line.

Every README block that shows what a command prints sits between marker comments::

    <!-- example: fly -->
    ```console
    $ .venv/bin/euroshield fly --launch 54.03,35.77 --target 38.91,-77.04
    ...
    ```
    <!-- /example -->

This tool runs each example's commands (``.venv/bin/euroshield`` in a new process, output piped,
so tables are 160 columns wide as for any piped run), builds the block from their output (the
shown lines, truncated where the README truncates) and rewrites the text between the markers.
Nothing else in the README changes. ``tests/integration/test_readme_examples.py`` runs the same
commands and checks that every number in each block matches a fresh run within its printed
precision.

Not regenerated (no markers): ``make run`` (builds the globe with npm; about a minute), the
footprint example (about 6 minutes on 2 cores) and the benchmark results (timings).

Usage: ``python tools/make_readme_examples.py [--check] [NAME ...]`` (``--check``: exit 1 and
name the blocks that differ instead of writing).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
EXE = ".venv/bin/euroshield"  # as the README shows it; run from the repository root


@dataclass(frozen=True)
class Step:
    """One command of an example: its arguments (after ``euroshield``), how many output lines
    the README keeps (None: all) and the line that marks the cut, whether the output is shown
    at all, and a comment shown after the command."""

    args: tuple[str, ...]
    keep: int | None = None
    cut: str = "  ..."
    run: bool = True
    comment: str = ""
    prompt: bool = True  # the block shows "$ .venv/bin/euroshield ARGS" before the output


@dataclass(frozen=True)
class Example:
    name: str
    steps: tuple[Step, ...]
    fence: str = "console"  # the code block's language tag
    slow: bool = False  # the test may skip it (runs longer than about 20 s)
    timing_patterns: tuple[str, ...] = field(default=())  # numbers that are timings (regexes)


EXAMPLES: tuple[Example, ...] = (
    Example("fly", (Step(("fly", "--launch", "54.03,35.77", "--target", "38.91,-77.04")),)),
    Example("free-flight", (
        Step(("free-flight", "--altitude-km", "1275.6", "--speed-kms", "5.2702", "--gamma-deg",
              "51.318", "--earth-radius-km", "6378.145", "--reentry-altitude-km", "1275.6")),
        Step(("free-flight", "--range-km", "10000", "--minimum-energy", "--numeric", "--json"),
             keep=10, cut="    ..."),
    )),
    Example("reach-and-errors", (
        Step(("reach", "--missile", "shahab3-like", "--launch", "35.69,51.39", "--azimuth-deg",
              "300", "--json"), keep=2),
        Step(("catalog",), run=False, comment="# every missile with its sources"),
        Step(("catalog", "places"), run=False,
             comment="# sites, radars, ship stations, ICBM bases, targets"),
        Step(("catalog", "interceptors"), run=False),
        Step(("fly", "--missile", "shahab3-like", "--launch", "35.69,51.39", "--target",
              "52.52,13.40")),
        Step(("fly", "--launch", "95,30", "--target", "1,1")),
        Step(("fly", "--missile", "scud", "--launch", "35,30", "--target", "1,1")),
    )),
    Example("deterrence", (Step(("deterrence",), prompt=False),), fence=""),
    Example("deterrence-ir-cue", (
        Step(("deterrence", "--fire-control", "ir-cue", "--site", "norwegian-sea", "--site",
              "redzikowo")),), fence=""),
)

Runner = Callable[[tuple[str, ...]], tuple[str, str]]


def run_subprocess(args: tuple[str, ...]) -> tuple[str, str]:
    """Run ``.venv/bin/euroshield ARGS`` from the repository root: (stdout, stderr)."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    p = subprocess.run([str(ROOT / EXE), *args], cwd=ROOT, capture_output=True, text=True,
                       env=env, timeout=600)
    if p.returncode not in (0, 2):  # 2: the bad-input examples
        raise RuntimeError(f"euroshield {shlex.join(args)} exited {p.returncode}:\n{p.stderr}")
    return p.stdout, p.stderr


def command_line(example: Example, step: Step) -> str:
    """The command as the block shows it."""
    text = shlex.join(step.args)
    if example.fence == "console":
        text = f"$ {EXE} {text}"
    else:
        text = f"euroshield {text}"
    if step.comment:
        text = f"{text:<41} {step.comment}" if example.fence == "console" else text
    return text


def render(example: Example, runner: Runner = run_subprocess) -> str:
    """The block's text (without the fences): each step's command line and its output."""
    lines: list[str] = []
    for step in example.steps:
        if step.prompt:
            lines.append(command_line(example, step))
        if not step.run:
            continue
        stdout, stderr = runner(step.args)
        out = [ln.rstrip() for ln in (stdout + stderr).rstrip("\n").splitlines()]
        if step.keep is not None and len(out) > step.keep:
            out = out[:step.keep] + [step.cut]
        lines += out
    return "\n".join(lines)


def block_pattern(name: str) -> re.Pattern:
    """The README text between an example's markers: (start marker + fence line, body, closing
    fence + end marker)."""
    return re.compile(
        r"(<!-- example: " + re.escape(name) + r" -->\n```[a-z]*\n)(.*?)(\n```\n<!-- /example -->)",
        re.S)


def readme_block(text: str, name: str) -> str:
    """The body of one example block in README text (ValueError if absent or repeated)."""
    found = block_pattern(name).findall(text)
    if len(found) != 1:
        raise ValueError(f"README.md: {len(found)} blocks marked '<!-- example: {name} -->'")
    return found[0][1]


def replace_block(text: str, example: Example, body: str) -> str:
    readme_block(text, example.name)  # exactly one
    return block_pattern(example.name).sub(
        lambda m: f"<!-- example: {example.name} -->\n```{example.fence}\n{body}"
                  f"\n```\n<!-- /example -->", text)


def main(argv: list[str]) -> int:
    check = "--check" in argv
    names = [a for a in argv if not a.startswith("--")]
    unknown = set(names) - {e.name for e in EXAMPLES}
    if unknown:
        print(f"unknown example(s): {', '.join(sorted(unknown))}; known: "
              f"{', '.join(e.name for e in EXAMPLES)}", file=sys.stderr)
        return 2
    text = README.read_text(encoding="utf-8")
    new = text
    differ = []
    for ex in EXAMPLES:
        if names and ex.name not in names:
            continue
        body = render(ex)
        if readme_block(new, ex.name) != body:
            differ.append(ex.name)
        new = replace_block(new, ex, body)
        print(f"{ex.name}: {'changed' if ex.name in differ else 'unchanged'}")
    if check:
        return 1 if differ else 0
    if new != text:
        README.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
