"""Scopes the lab refuses: by the CLI before sending anything, or by HAProxy with 400."""

import pytest

pytestmark = pytest.mark.lab


def _requests_logged(lab, cloud="CloudOne"):
    """Image-list request lines of the cloud's HAProxy (the services' own background
    requests, such as version discovery, do not count)."""
    with open(lab.log(f"{cloud}-haproxy")) as stream:
        return [line for line in stream if "/image/v2/images" in line]


@pytest.mark.parametrize(
    "scope",
    ['{"image": "CloudTwo"', '{"image": "Cloud Two"}', '{"imgae": "CloudTwo"}', '["image"]'],
)
def test_bad_scope_is_refused_by_the_cli_and_nothing_is_sent(lab, scope):
    before = _requests_logged(lab)
    result = lab.osc("image", "list", scope=scope, check=False)
    assert result.returncode != 0
    assert "scope" in result.stderr.lower()
    assert "Traceback" not in result.stderr
    assert _requests_logged(lab) == before


def test_unknown_cloud_is_one_line_from_haproxy_and_exit_1(lab):
    result = lab.osc("image", "list", scope={"image": "CloudNine"}, check=False)
    assert result.returncode == 1, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr  # no keystoneauth discovery noise
    assert "400 Bad Request: unknown cloud 'CloudNine' in the scope of image" in lines[0]
