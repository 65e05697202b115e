"""Reason codes become sentences and labels only in the report layer; counting uses codes."""

import pytest

from euroshield.defense.engagement import Reason
from euroshield.defense.interceptors import get_interceptor
from euroshield.report.deterrence import (
    SHORT_REASONS,
    commonest_reason,
    reason_key,
    reason_text,
)


def test_every_reason_has_a_key_a_label_and_a_sentence():
    ic = get_interceptor("sm3-iia")
    for code in Reason:
        key = reason_key(code)
        assert key == code.name.lower()
        text = reason_text(code, ic, -12.0, 300.0)
        if code == Reason.ENGAGEABLE:
            assert text == ""
        else:
            assert key in SHORT_REASONS and text


def test_late_sentence_carries_the_numbers():
    ic = get_interceptor("sm3-ib")
    assert reason_text(Reason.TOO_LATE, ic, -140.4, 612.0) == (
        "interceptor arrives 140 s late at the best point (launch allowed only from T+612 s)")
    assert f"{ic.max_flyout_time_s:g} s" in reason_text(Reason.FLYOUT_TOO_LONG, ic)


def _row(code, late):
    return {"site": "s", "interceptor": "i", "engageable": False, "reason_code": code,
            "reason": f"interceptor arrives {late} s late at the best point (launch ...)"}


def test_commonest_reason_counts_codes_not_sentences():
    """Three routes late by different amounts are one reason; two without a track are
    fewer."""
    rows = [_row("too_late", 10), _row("too_late", 20), _row("too_late", 30),
            _row("no_track", 0), _row("no_track", 0)]
    assert commonest_reason({"routes": rows}, "s", "i") == SHORT_REASONS["too_late"]


@pytest.mark.parametrize("code", [99, -1])
def test_unknown_code_is_an_error(code):
    with pytest.raises(ValueError):
        reason_key(code)
