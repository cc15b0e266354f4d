"""Output folders and what a build prints: nothing of a user's is ever destroyed or run.

Each test here failed before the hardening it describes: output targets that replaced the
portfolio or the project, a kill between the swap's renames that lost the site, staging folders
left behind, internal errors where a message naming the file was due, workflow commands
smuggled into CI logs, hand-written pages published unsanitised, a 0700 site folder, pool
workers that outlived a killed build, and a manifest without git blob ids.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.cli import main
from generator.diagnostics import Report, Span, format_report, visible
from generator.engines.mkdocs import build_site
from generator.site import output
from generator.site.build import git_blob_id

from .conftest import DATA, ROOT
from .test_site import digest_tree, make_project


def run(args: list[str], cwd: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    old = Path.cwd()
    os.chdir(cwd)
    try:
        code = main(args)
    finally:
        os.chdir(old)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A small project: mkdocs.yml, site_templates/ and the minimal portfolio as evidence/."""
    make_project(tmp_path / "project", DATA / "minimal")
    (tmp_path / "project" / "README.md").write_text("# our notes\n", "utf-8")
    return tmp_path / "project"


# --- 1. output folders never replace what is not theirs -----------------------------------

REFUSED = [
    (["site", "-d", "evidence"], "the portfolio"),
    (["site", "-d", "."], "the MkDocs configuration"),
    (["site", "-d", "site_templates"], "the docs folder"),
    (["site", "-d", "site_templates/docs/stylesheets"], "inside the docs folder"),
    (["site", "-d", "README.md"], "exists and is not a folder"),
    (["site", "-d", "evidence/site"], "inside the portfolio"),
    (["build", "evidence", "--out", "evidence"], "the portfolio"),
    (["build", "evidence", "--out", "."], "the portfolio"),
    (["build", "evidence", "--out", "README.md"], "exists and is not a folder"),
]


@pytest.mark.parametrize(("args", "why"), REFUSED, ids=[" ".join(a) for a, _ in REFUSED])
def test_an_output_folder_that_holds_user_files_is_refused(
    project: Path, capsys: pytest.CaptureFixture[str], args: list[str], why: str
) -> None:
    before = digest_tree(project)
    code, out = run(args, project, capsys)
    assert code == 2, out
    assert "refusing" in out and why in out
    assert digest_tree(project) == before
    assert not list(project.glob(".*-new-*")) and not list(project.glob(".*-old-*"))


def test_site_dir_in_the_configuration_is_checked_too(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = project / "mkdocs.yml"
    config.write_text(config.read_text("utf-8") + "site_dir: evidence\n", "utf-8")
    before = digest_tree(project)
    code, out = run(["site"], project, capsys)
    assert code == 2 and "the portfolio" in out
    assert digest_tree(project) == before


def test_the_repository_root_and_git_are_refused(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    code, out = run(["build", "evidence", "--out", ".git"], project, capsys)
    assert code == 2 and "the repository's .git" in out
    code, out = run(["build", "evidence", "--out", ".git/hooks"], project, capsys)
    assert code == 2 and "inside the repository's .git" in out
    assert (project / ".git" / "HEAD").is_file()


def test_only_a_previous_certfolio_output_is_replaced(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    foreign = project / "out"
    foreign.mkdir()
    (foreign / "thesis.docx").write_bytes(b"years of work")
    code, out = run(["build", "evidence", "--out", "out"], project, capsys)
    assert code == 2 and "not written by certfolio" in out
    assert (foreign / "thesis.docx").read_bytes() == b"years of work"

    (foreign / "thesis.docx").unlink()  # an empty folder is fine
    assert run(["build", "evidence", "--out", "out"], project, capsys)[0] == 0
    assert (foreign / output.MARKER).is_file()
    (foreign / "stale.md").write_text("from an older build", "utf-8")
    assert run(["build", "evidence", "--out", "out"], project, capsys)[0] == 0
    assert not (foreign / "stale.md").exists()  # replaced whole: it was ours


def test_a_site_from_before_the_marker_is_recognised_by_its_manifest(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["site"], project, capsys)[0] == 0
    (project / "site" / output.MARKER).unlink()
    assert run(["site"], project, capsys)[0] == 0
    (project / "site" / output.MARKER).unlink()
    (project / "site" / "manifest.json").write_text("{}", "utf-8")
    code, out = run(["site"], project, capsys)
    assert code == 2 and "not written by certfolio" in out


# --- 2. a kill between the two renames loses nothing ---------------------------------------


def test_the_sweep_puts_back_a_site_a_kill_left_aside(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["site"], project, capsys)[0] == 0
    site = project / "site"
    before = digest_tree(site)
    os.replace(site, project / ".site-old-killed")  # the state after a kill mid-swap
    (project / ".site-new-killed").mkdir()
    metric = next((project / "evidence" / "metrics").glob("*.csv"))
    metric.write_text(metric.read_text("utf-8") + "not,a,row\n", "utf-8")  # the build fails
    code, out = run(["site"], project, capsys)
    assert code == 1 and "the previous site is unchanged" in out
    assert digest_tree(site) == before
    assert not list(project.glob(".site-*"))


def test_a_failure_with_no_previous_site_says_so(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    metric = next((project / "evidence" / "metrics").glob("*.csv"))
    metric.write_text(metric.read_text("utf-8") + "not,a,row\n", "utf-8")
    code, out = run(["site"], project, capsys)
    assert code == 1 and "no previous site" in out and "unchanged" not in out


# --- 7. failures are messages with a path, and leave nothing behind --------------------------


def test_disk_full_names_the_file_and_keeps_the_old_site(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(["site"], project, capsys)[0] == 0
    before = digest_tree(project / "site")
    real = Path.write_bytes

    def full(self: Path, data: bytes) -> int:
        if self.suffix == ".svg":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", full)
    code, out = run(["build", "evidence", "--out", "site"], project, capsys)
    assert code == 1 and "No space left on device" in out and ".svg" in out
    assert "internal error" not in out
    assert digest_tree(project / "site") == before
    assert not list(project.glob(".site-new-*"))


def test_an_exception_inside_mkdocs_leaves_no_staging_folder(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import generator.engines.mkdocs as adapter

    def explode(config: object, **options: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", "site/x.html")

    monkeypatch.setattr(adapter, "build", explode)
    with pytest.raises(PermissionError):
        build_site(project / "mkdocs.yml", project / "site")
    assert not list(project.glob(".site-new-*"))


def test_a_broken_configuration_is_a_message_not_a_traceback(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "broken.yml").write_text("site_name: [\n", "utf-8")
    code, out = run(["site", "-f", "broken.yml"], project, capsys)
    assert code == 2 and "broken.yml" in out and "internal error" not in out
    config = project / "mkdocs.yml"
    config.write_text(config.read_text("utf-8") + "site_dir: .\n", "utf-8")
    code, out = run(["site"], project, capsys)
    assert code == 2 and "internal error" not in out


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("# {{ nope }}\n", "owners.md.j2:1: 'nope' is undefined"),
        ("fine\n\n# {% if %}\n", "owners.md.j2:3: Expected an expression"),
    ],
)
def test_a_broken_user_template_names_its_file_and_line(
    project: Path, capsys: pytest.CaptureFixture[str], template: str, expected: str
) -> None:
    (project / "mine").mkdir()
    (project / "mine" / "owners.md.j2").write_text(template, "utf-8")
    code, out = run(["build", "evidence", "--out", "out", "--templates", "mine"], project, capsys)
    assert code == 1 and expected in out and "internal error" not in out
    config = project / "mkdocs.yml"
    text = config.read_text("utf-8").replace(
        "      cache_dir: .cache/certfolio\n",
        "      cache_dir: .cache/certfolio\n      templates: mine\n",
    )
    config.write_text(text, "utf-8")
    code, out = run(["site"], project, capsys)
    assert code == 1 and expected in out and "Traceback" not in out
    assert not list(project.glob(".site-new-*"))


def test_the_build_time_of_a_far_future_portfolio_fits_gzip(project: Path) -> None:
    import datetime as dt

    from generator.site.build import source_info

    info = source_info(project / "evidence", dt.date(2199, 12, 31))
    assert 0 <= info.epoch <= 2**32 - 1


# --- 4. nothing a user typed becomes a workflow command or hides in a log -------------------


def test_no_user_text_starts_a_line_in_any_output_format() -> None:
    report = Report()
    nasty = "key\n::add-mask::secret\r\n::error::forged\u202egnp.exe"
    report.error(
        Span("evidence/::warning::x.yaml", 3, 1), "E100", f"unknown field '{nasty}'", nasty
    )
    for fmt in ("text", "github", "json"):
        text = format_report(report, fmt)
        for line in text.splitlines():
            assert not line.startswith("::") or line.startswith(
                ("::error file=", "::warning file=")
            ), (
                fmt,
                line,
            )
        assert "\u202e" not in text or fmt == "json"
    assert visible("a\nb\u202ec") == "a\\nb\\u202ec"


def test_assess_prints_user_text_on_one_visible_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    portfolio = tmp_path / "evidence"
    shutil.copytree(DATA / "minimal", portfolio)
    record = next((portfolio / "requirements").rglob("*.yaml"))
    text = record.read_text("utf-8")
    record.write_text(text.replace("title: ", 'title: "::add-mask::x\\n::error::y" # ', 1), "utf-8")
    _, out = run(["assess", str(portfolio)], tmp_path, capsys)
    assert "::add-mask::x\\n::error::y" in out
    assert not any(line.startswith("::") for line in out.splitlines()), out


# --- 9. hand-written pages are sanitised like generated ones --------------------------------


def test_a_hand_written_page_cannot_run_script(project: Path) -> None:
    docs = project / "site_templates" / "docs"
    (docs / "notes.md").write_text(
        "# Notes\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n", "utf-8"
    )
    config = project / "mkdocs.yml"
    config.write_text(
        config.read_text("utf-8").replace("omitted_files: warn", "omitted_files: info"), "utf-8"
    )
    result = build_site(config, project / "site")
    assert result.problems == []
    page = (project / "site" / "notes.html").read_text("utf-8")
    body = page[page.index("<article") : page.index("</article>")]
    assert "<script" not in body and "onerror" not in body


# --- 11. permissions, pool workers, manifest -------------------------------------------------


def test_the_site_folder_is_readable_as_the_umask_allows(project: Path) -> None:
    old = os.umask(0o022)
    try:
        assert build_site(project / "mkdocs.yml", project / "site").problems == []
    finally:
        os.umask(old)
    assert stat.S_IMODE((project / "site").stat().st_mode) == 0o755


def test_pool_workers_exit_when_the_build_is_killed(tmp_path: Path) -> None:
    script = (
        "import sys, time\n"
        "from generator.site.chartcache import worker_pool\n"
        "if __name__ == '__main__':\n"
        "    pool = worker_pool(2)\n"
        "    futures = [pool.submit(time.sleep, 60) for _ in range(2)]\n"
        "    time.sleep(1.0)\n"
        "    print(' '.join(str(p) for p in pool._processes), flush=True)\n"
        "    time.sleep(60)\n"
    )
    (tmp_path / "hold.py").write_text(script, "utf-8")
    with subprocess.Popen(
        [sys.executable, str(tmp_path / "hold.py")], stdout=subprocess.PIPE, text=True, cwd=ROOT
    ) as proc:
        assert proc.stdout is not None
        pids = [int(p) for p in proc.stdout.readline().split()]
        assert len(pids) == 2
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    deadline = time.monotonic() + 10
    alive = pids
    while alive and time.monotonic() < deadline:
        time.sleep(0.2)
        alive = [p for p in pids if _alive(p)]
    assert alive == []


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead: it only waits to be reaped
        return "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


def test_the_manifest_lists_git_blob_ids_that_git_agrees_with(project: Path) -> None:
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    subprocess.run(["git", "add", "-A"], cwd=project, check=True, env=env)
    subprocess.run(["git", "commit", "-qm", "x"], cwd=project, check=True, env=env)
    assert build_site(project / "mkdocs.yml", project / "site").problems == []
    manifest = json.loads((project / "site" / "manifest.json").read_text("utf-8"))
    assert manifest["inputs"]
    for entry in manifest["inputs"]:
        blob = subprocess.run(
            ["git", "rev-parse", f"HEAD:{entry['path']}"],
            cwd=project,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        assert entry["git_blob"] == blob, entry["path"]
    assert git_blob_id(b"") == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"
