"""The venv's bytecode: found missing by a few stat calls, compiled once."""

import importlib.util
import os

from osc_scope.lab import bytecode


def test_a_package_without_bytecode_is_stale_until_compiled(tmp_path, monkeypatch):
    package = tmp_path / "lab_sentinel_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("VALUE = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("PYTHONPYCACHEPREFIX", raising=False)
    names = ("lab_sentinel_pkg", "no_such_package_here")
    assert bytecode.stale(names) == ["lab_sentinel_pkg"]
    log = tmp_path / "bytecode.log"
    bytecode.compile_venv(str(log), directories=[str(tmp_path)])
    cached = importlib.util.cache_from_source(str(package / "__init__.py"))
    assert os.path.exists(cached)
    assert bytecode.stale(names) == []
    os.utime(package / "__init__.py", (os.stat(cached).st_mtime + 10,) * 2)  # edited since
    assert bytecode.stale(names) == ["lab_sentinel_pkg"]
