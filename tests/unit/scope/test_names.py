"""The cloud-name rule, written as a character set, a regex and a sentence: one rule."""

import re

from osc_scope.scope import (
    CLOUD_NAME_CHARS,
    CLOUD_NAME_PATTERN,
    CLOUD_NAME_RULE,
    MAX_CLOUD_NAME,
    Cloud,
    ScopeError,
    is_cloud_name,
    parse_expression,
)


def test_the_set_and_the_regex_accept_the_same_characters():
    for code in range(0x3000):
        char = chr(code)
        assert (char in CLOUD_NAME_CHARS) == bool(re.fullmatch(CLOUD_NAME_PATTERN, char)), char


def test_the_parser_the_regex_and_is_cloud_name_agree():
    for name in ("CloudOne", "R_1.b-2", "x" * MAX_CLOUD_NAME, "", "x" * 256, "a b", "A|B"):
        try:
            parsed = isinstance(parse_expression(name), Cloud)
        except ScopeError:
            parsed = False
        assert parsed == is_cloud_name(name), name


def test_the_rule_says_the_limit():
    assert CLOUD_NAME_RULE.startswith(f"1-{MAX_CLOUD_NAME} of ")
