"""A new user's first hour, from the built wheel in a fresh virtual environment.

The wheel is built from this tree and installed (with its dependencies, at the versions CI
tested) into an empty venv; then, in an empty folder, `certfolio init`, `validate`, `assess`
and `site` run as a team would run them, with nothing from this repository on the path.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import ROOT


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str]]]:
    base = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["NO_MKDOCS_2_WARNING"] = "1"
    built = _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(base), str(ROOT)],
        base,
        env,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = base.glob("certfolio-*.whl")
    venv = base / "venv"
    made = _run([sys.executable, "-m", "venv", str(venv)], base, env)
    assert made.returncode == 0, made.stderr
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
    pip += ["--disable-pip-version-check", "-c", str(ROOT / "constraints-ci.txt"), str(wheel)]
    done = _run(pip, base, env)
    assert done.returncode == 0, done.stderr[-3000:]
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    yield venv, env


def test_init_validate_assess_site_from_the_wheel(
    installed: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    venv, env = installed
    certfolio = str(venv / "bin" / "certfolio")
    done = _run([certfolio, "init", "demo", "--as-of", "2025-03-10"], tmp_path, env)
    assert done.returncode == 0, done.stderr
    demo = tmp_path / "demo"
    for rel in ("mkdocs.yml", ".gitignore", ".github/workflows/certfolio.yml", "README.md"):
        assert (demo / rel).is_file(), rel
    assert "site_templates" not in (demo / "mkdocs.yml").read_text("utf-8")

    validate = _run([certfolio, "validate", "portfolio"], demo, env)
    assert validate.returncode == 0, validate.stdout
    assert "0 errors" in validate.stdout and "has no evidence [W600]" in validate.stdout
    assess = _run([certfolio, "assess", "portfolio"], demo, env)
    assert assess.returncode == 0 and "no evidence" in assess.stdout, assess.stderr

    site = _run([certfolio, "site"], demo, env)
    assert site.returncode == 0, site.stderr
    page = (demo / "site" / "requirements" / "LP-01.html").read_text("utf-8")
    assert "no evidence" in page
    assert (demo / "site" / "stylesheets" / "certfolio.css").is_file()
    assert (demo / "site" / "warnings.html").is_file()
    module = _run(
        [str(venv / "bin" / "python"), "-c", "import generator; print(generator.__file__)"],
        demo,
        env,
    )
    assert str(venv) in module.stdout  # the installed package, not this tree

    strict = _run([certfolio, "site", "--strict"], demo, env)
    assert strict.returncode == 1
    assert "requirement 'LP-01' has no evidence [W600]" in strict.stderr


def test_init_refuses_to_overwrite(installed: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    venv, env = installed
    certfolio = str(venv / "bin" / "certfolio")
    (tmp_path / "README.md").write_text("ours\n", "utf-8")
    done = _run([certfolio, "init", "."], tmp_path, env)
    assert done.returncode == 2 and "writes nothing over existing files" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["README.md"]
    assert (tmp_path / "README.md").read_text("utf-8") == "ours\n"
