"""The command line rejects a scenario file naming an unknown threat missile (issue 10): one
line naming the field and the known missiles, exit code 2, no traceback."""

import pytest
import yaml
from cli_support import invoke

from euroshield import scenario


def _data(**threats) -> dict:
    data = scenario.load("shield-today").model_dump(mode="json", exclude_none=True)
    data["threats"].update(threats)
    return data


@pytest.mark.parametrize(("threats", "needle"), [
    ({"missile": "scud-z"}, "threats.missile: unknown missile 'scud-z'; known: by-base"),
    ({"missiles": {"kozelsk": "scud-z"}}, "threats.missiles.kozelsk: unknown missile 'scud-z'"),
])
def test_cli_rejects_unknown_threat_missile_in_one_line(tmp_path, threats, needle):
    """A scenario file naming an unknown missile: exit 2, one line, no traceback, nothing
    computed (the check runs when the file is loaded)."""
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(_data(**threats)), encoding="utf-8")
    for argv in (["scenario", "show", str(path)], ["deterrence", "--scenario", str(path)]):
        o = invoke(argv)
        assert o.code == 2, (argv, o.err)
        assert o.out == "" and "Traceback" not in o.err
        assert len(o.lines) >= 1 and needle in o.message and "yars-like" in o.message
