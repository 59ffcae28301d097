"""``osc-scope scope check``: canonical output, completion, one-line errors."""

import pytest

from osc_scope.cmd.main import main


def test_prints_the_canonical_scope(capsys):
    assert main(["scope", "check", '{"glance": "A | (B|C)", "nova": "X&(Y|Z)"}']) == 0
    assert capsys.readouterr().out == '{"compute":"X&(Y|Z)","image":"A|B|C"}\n'


def test_completes_with_the_local_cloud(capsys):
    args = ["scope", "check", '{"image": "A"}', "--local-cloud", "CloudOne"]
    assert main([*args, "--services", "compute,volumev3"]) == 0
    assert capsys.readouterr().out == (
        '{"block-storage":"CloudOne","compute":"CloudOne","identity":"CloudOne","image":"A"}\n'
    )


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (['{"image": "A||B"}'], "position 2"),
        (["{bad"], "not valid JSON"),
        (['{"image": "A"}', "--local-cloud", "Region One"], "not a cloud name"),
        (['{"image": "A"}', "--local-cloud", "C1", "--services", "imagez"], "imagez"),
    ],
)
def test_errors_are_one_line(capsys, args, needle):
    assert main(["scope", "check", *args]) == 1
    err = capsys.readouterr().err
    assert err.startswith("osc-scope: error: ")
    assert err.count("\n") == 1
    assert needle in err
