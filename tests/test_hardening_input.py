"""Input hardening that needs special files: FIFOs, devices, sockets, unreadable folders.

The bad-input cases that are plain files live in tests/cases/; these need the file system's
odd corners, so they build them here. Tests run as root in CI containers, where `chmod 000`
does not stop a read: an unreadable folder is simulated by making `os.scandir` refuse it.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.cli import main
from generator.diagnostics import Report
from generator.portfolio import source
from generator.portfolio.source import FileTooLarge, NotRegularFile, read_limited, read_text
from generator.portfolio.validate import validate_portfolio
from generator.site.build import _read_attachment

from .conftest import ROOT


def _codes(report: Report) -> list[tuple[str, str, str]]:
    return [(d.code, d.span.path, d.message) for d in report.diagnostics]


def _validate_in_child(portfolio: Path) -> subprocess.CompletedProcess[str]:
    """Run `certfolio validate` in a child with a timeout, so a hang fails instead of blocking."""
    return subprocess.run(
        [sys.executable, "-m", "generator", "validate", str(portfolio)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={**os.environ, "GITHUB_ACTIONS": "false"},
        check=False,
    )


def test_a_fifo_named_like_a_record_is_an_error_not_a_hang(minimal: Path) -> None:
    os.mkfifo(minimal / "evidence" / "EV-099.yaml")
    done = _validate_in_child(minimal)
    assert done.returncode == 1, done.stdout + done.stderr
    assert (
        "evidence/evidence/EV-099.yaml: error: 'evidence/evidence/EV-099.yaml' is not a regular "
        "file (a FIFO) [E005]"
    ) in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_read_text_refuses_a_fifo_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "M1.csv"
    os.mkfifo(fifo)
    report = Report()
    assert read_text(fifo, "evidence/metrics/M1.csv", 1000, report) is None
    assert _codes(report) == [
        (
            "E005",
            "evidence/metrics/M1.csv",
            "'evidence/metrics/M1.csv' is not a regular file (a FIFO)",
        )
    ]


def test_read_text_refuses_a_character_device() -> None:
    report = Report()
    assert read_text(Path("/dev/zero"), "evidence/evidence/EV-1.yaml", 1 << 20, report) is None
    assert _codes(report) == [
        (
            "E005",
            "evidence/evidence/EV-1.yaml",
            "'evidence/evidence/EV-1.yaml' is not a regular file (a character device)",
        )
    ]


def test_the_limit_holds_while_reading_a_file_that_reports_size_0() -> None:
    """/proc files are regular files whose size says 0: the limit must hold during the read."""
    status = Path("/proc/self/status")
    if not status.is_file() or os.stat(status).st_size != 0:
        pytest.skip("needs a /proc file that reports size 0")
    report = Report()
    assert read_text(status, "evidence/evidence/EV-1.yaml", 10, report) is None
    assert _codes(report) == [
        ("E002", "evidence/evidence/EV-1.yaml", "file too large (more than 10 bytes)")
    ]
    with pytest.raises(FileTooLarge) as caught:
        read_limited(status, 10)
    assert caught.value.filename == str(status)


def test_read_limited_names_the_path_of_a_special_file(tmp_path: Path) -> None:
    fifo = tmp_path / "a.pdf"
    os.mkfifo(fifo)
    with pytest.raises(NotRegularFile) as caught:
        read_limited(fifo, 100)
    assert caught.value.filename == str(fifo)
    assert caught.value.strerror == "not a regular file (a FIFO)"
    link = tmp_path / "link.pdf"
    link.symlink_to(tmp_path / "a.pdf")
    with pytest.raises(OSError):
        read_limited(link, 100)


@pytest.fixture
def unix_socket(tmp_path: Path) -> Iterator[Path]:
    """A listening Unix socket's path; short, as socket paths have a length limit."""
    path = Path(f"/tmp/cf-{os.getpid()}-{tmp_path.name[-12:]}.sock")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    yield path
    server.close()
    path.unlink()


def test_a_socket_or_device_in_the_portfolio_is_an_error(minimal: Path, unix_socket: Path) -> None:
    os.link(unix_socket, minimal / "findings" / "F-2.yaml")
    try:
        os.mknod(minimal / "metrics" / "M3.csv", 0o600 | stat.S_IFCHR, os.makedev(1, 5))
        device = True
    except (PermissionError, OSError):
        device = False
    portfolio, report = validate_portfolio(minimal)
    assert portfolio is None
    expected = [
        (
            "E005",
            "evidence/findings/F-2.yaml",
            "'evidence/findings/F-2.yaml' is not a regular file (a socket)",
        ),
    ]
    if device:
        expected.append(
            (
                "E005",
                "evidence/metrics/M3.csv",
                "'evidence/metrics/M3.csv' is not a regular file (a character device)",
            )
        )
    assert [c for c in _codes(report) if c[0] == "E005"] == expected


def test_an_attachment_that_is_a_fifo_is_refused(minimal: Path) -> None:
    (minimal / "attachments" / "procedure.md").unlink()
    os.mkfifo(minimal / "attachments" / "procedure.md")
    portfolio, report = validate_portfolio(minimal)
    assert portfolio is None
    assert _codes(report) == [
        (
            "E005",
            "evidence/attachments/procedure.md",
            "'evidence/attachments/procedure.md' is not a regular file (a FIFO)",
        ),
        (
            "E304",
            "evidence/evidence/EV-01.yaml",
            "attachment 'attachments/procedure.md' is not a regular file",
        ),
    ]


def test_an_unreadable_folder_is_an_error_with_its_path(
    minimal: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_scandir = os.scandir
    refused = minimal / "evidence"

    def scandir(path: str | os.PathLike[str]) -> object:
        if Path(path) == refused:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    portfolio, report = validate_portfolio(minimal)
    assert portfolio is None
    message = "cannot read folder 'evidence/evidence': Permission denied"
    assert ("E006", "evidence/evidence", message) in _codes(report)


def test_a_chmod_000_folder_is_an_error(minimal: Path) -> None:
    """For real, not monkeypatched: root reads any folder, so the check runs as `nobody`."""
    shared = Path(tempfile.mkdtemp(prefix="certfolio-perm-"))
    try:
        shared.chmod(0o755)
        shutil.copytree(minimal, shared / "evidence")
        for path in [shared, *shared.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        warm = shared / "warm"
        shutil.copytree(shared / "evidence", warm)
        (shared / "evidence" / "evidence").chmod(0)
        # root reads any folder: the child warms up (imports everything) as root, then
        # drops to `nobody` before the real run, since the interpreter lives under /root
        script = (
            "import json, os, sys\n"
            "from pathlib import Path\n"
            "from generator.portfolio.validate import validate_portfolio\n"
            "validate_portfolio(Path(sys.argv[2]))\n"
            "if os.geteuid() == 0:\n"
            "    os.setgid(65534); os.setuid(65534)\n"
            "portfolio, report = validate_portfolio(Path(sys.argv[1]))\n"
            "print(json.dumps([[d.code, d.span.path] for d in report.diagnostics]))\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", script, str(shared / "evidence"), str(warm)],
            capture_output=True,
            text=True,
            cwd=Path(__file__).parent.parent,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        codes = json.loads(done.stdout)
        assert ["E006", "evidence/evidence"] in codes
    finally:
        (shared / "evidence" / "evidence").chmod(0o755)
        shutil.rmtree(shared)


def test_source_has_no_unbounded_read() -> None:
    """Every read in source.py goes through the bounded reader."""
    text = Path(source.__file__).read_text("utf-8")
    assert "read_bytes(" not in text
    assert ".read()" not in text


def _set(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new), "utf-8")


@pytest.mark.parametrize(
    ("rel", "old", "new", "code"),
    [
        ("metrics/M1.csv", "2024-05,83.0", "2024-05,1" + "0" * 399, "E514"),
        ("metrics/M2.csv", "2024-05,96.5,125", "2024-05,96.5,1" + "0" * 399, "E515"),
        ("metrics/M1.yaml", "    value: 80\n", "    value: 1e308\n", "E105"),
        ("portfolio.yaml", "as_of: 2024-06-15", "as_of: 9999-12-31", "E107"),
        ("portfolio.yaml", "as_of: 2024-06-15", "as_of: 2200-01-01", "E107"),
        ("portfolio.yaml", "  - id: AA\n", '  - id: "AA\\n"\n', "E104"),
    ],
)
@pytest.mark.parametrize("command", ["validate", "assess", "build"])
def test_bad_numbers_dates_and_ids_are_positioned_errors_in_every_command(
    minimal: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    rel: str,
    old: str,
    new: str,
    code: str,
    command: str,
) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    _set(minimal / rel, old, new)
    args = [command, str(minimal)]
    if command == "build":
        args += ["--out", str(tmp_path / "out")]
    exit_code = main(args)
    out = capsys.readouterr()
    assert exit_code == 1, out
    assert f"evidence/{rel}:" in out.out + out.err
    assert f"[{code}]" in out.out + out.err
    assert "internal error" not in out.out + out.err
    assert not (tmp_path / "out").exists()


def test_every_format_character_is_forbidden_but_the_joiners() -> None:
    """`FORBIDDEN` lists Unicode's Cf category by hand; a new Unicode version must not slip by."""
    missing = [
        f"U+{code:04X}"
        for code in range(0x110000)
        if unicodedata.category(chr(code)) == "Cf"
        and code not in (0x200C, 0x200D)
        and not source.FORBIDDEN.match(chr(code))
    ]
    assert missing == []
    assert not source.FORBIDDEN.search("\u200c\u200d")


def test_the_site_build_reads_attachments_safely(tmp_path: Path) -> None:
    fifo = tmp_path / "a.pdf"
    os.mkfifo(fifo)
    with pytest.raises(NotRegularFile) as caught:
        _read_attachment(fifo, 1 << 20)
    assert caught.value.filename == str(fifo)
    big = tmp_path / "b.pdf"
    big.write_bytes(b"%PDF-" + b"0" * 100)
    with pytest.raises(FileTooLarge):
        _read_attachment(big, 100)
    assert _read_attachment(big, 105) == big.read_bytes()


def test_an_unreadable_record_file_is_an_error_with_its_path(
    minimal: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_open = os.open
    refused = minimal / "findings" / "F-1.yaml"

    def fake_open(path: str | os.PathLike[str], flags: int, *args: int) -> int:
        if Path(path) == refused:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", fake_open)
    portfolio, report = validate_portfolio(minimal)
    assert portfolio is None
    assert ("E001", "evidence/findings/F-1.yaml", "cannot read file: Permission denied") in _codes(
        report
    )


def test_a_symlinked_portfolio_yaml_is_not_read(minimal: Path, tmp_path: Path) -> None:
    (minimal / "portfolio.yaml").rename(tmp_path / "real.yaml")
    (minimal / "portfolio.yaml").symlink_to(tmp_path / "real.yaml")
    portfolio, report = validate_portfolio(minimal)
    assert portfolio is None
    assert ("E302", "evidence/portfolio.yaml", "'evidence/portfolio.yaml' is a symlink") in _codes(
        report
    )
