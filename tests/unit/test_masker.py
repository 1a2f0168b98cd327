"""The worker's log masking, on its own (no database, no worker)."""

from __future__ import annotations

from odooops.runner.logs import Masker


def test_every_value_is_masked_longest_first():
    mask = Masker(["abc", "abcdef"])
    assert mask("x abcdef y abc z") == "x *** y *** z"
    assert Masker([])("nothing to hide") == "nothing to hide"


def test_values_added_later_are_masked_too():
    mask = Masker([])
    mask.add(["t0ken-value", ""])
    assert mask("token=t0ken-value") == "token=***"


def test_each_line_of_a_multi_line_value_is_masked_on_its_own():
    key = "-----BEGIN KEY-----\nMIIEvQIBADANBg\n  kqhkiG9w0BAQEF  \n}\n-----END KEY-----\n"
    mask = Masker([key])
    # Logs are stored line by line: the whole value never appears in one line.
    assert mask("MIIEvQIBADANBg") == "***"
    assert mask("  kqhkiG9w0BAQEF") == "  ***"
    assert mask("-----END KEY-----") == "***"
    # Lines shorter than four characters would mask ordinary output: they are left alone.
    assert mask("{ }") == "{ }"
