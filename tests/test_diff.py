"""`certfolio diff`: two commits of a temporary repository holding a copy of the sample.

The repository (built once per module) has one commit per kind of change a pull request
makes, each tagged: `base` (the sample, every link reviewed in reviews.yaml), `m13` (M13's
September to December 2024 corrected upwards), `removed` (EV-011 deleted), `wording` (LP-01
reworded), `closed` (F-03 closed, effectiveness verified), `rewrite` (M01's June 2024
restated), `upkeep` (EV-005's review date passed, M03's target lowered, an attachment
amended); and off `base`, `later` (as_of moved to 2025-03-01) and `broken` (an unknown
requirement). tests/golden/diff.md is the Markdown report of base..upkeep;
CERTFOLIO_UPDATE_GOLDEN=1 rewrites it (then review the diff).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from generator.cli import main
from generator.review.diff import diff_sides
from generator.review.report import COMMENT_LIMIT, markdown_report
from generator.review.sides import open_sides
from generator.site.escape import md_inline

from .conftest import ROOT, SAMPLE

GOLDEN = Path(__file__).parent / "golden" / "diff.md"
SITE = "https://example.org/hlcs"
GIT_ENV = {
    **os.environ,
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Quality Lead",
    "GIT_AUTHOR_EMAIL": "quality@example.com",
    "GIT_COMMITTER_NAME": "Quality Lead",
    "GIT_COMMITTER_EMAIL": "quality@example.com",
    "GIT_AUTHOR_DATE": "2025-01-20T10:00:00+00:00",
    "GIT_COMMITTER_DATE": "2025-01-20T10:00:00+00:00",
}


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(  # --no-optional-locks: `git status` leaves the index as it is
        ["git", "--no-optional-locks", "-C", str(repo), *args],
        env=GIT_ENV,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), "utf-8")


def commit(repo: Path, message: str, tag: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    git(repo, "tag", tag)


def build_repository(repo: Path) -> Path:
    """The repository described in the module docstring; returns its portfolio folder."""
    ev = repo / "evidence"
    shutil.copytree(SAMPLE, ev)
    shutil.copy(ROOT / "mkdocs.yml", repo / "mkdocs.yml")
    git(repo, "init", "-q", "-b", "main")
    (ev / "reviews.yaml").unlink(missing_ok=True)  # every link reviewed, whatever the sample has
    review = ["review", "--all", "--new", "--by", "quality-manager", "--date", "2025-01-15"]
    assert main([*review, "-p", str(ev)]) == 0
    commit(repo, "The sample portfolio, every link reviewed", "base")
    edit(
        ev / "metrics/M13.csv",
        "2024-09,91.8\n2024-10,91.5\n2024-11,91.2\n2024-12,91.0",
        "2024-09,92.1\n2024-10,92.4\n2024-11,92.6\n2024-12,92.9",
    )
    commit(repo, "M13: corrected WFM export for September to December 2024", "m13")
    (ev / "evidence/EV-011.yaml").unlink()
    commit(repo, "Remove EV-011", "removed")
    edit(ev / "requirements/LP/LP-01.yaml", "reviewed yearly", "reviewed every six months")
    commit(repo, "LP-01: reviewed every six months", "wording")
    edit(
        ev / "findings/F-03.yaml",
        "  due: 2025-02-28\n",
        "  due: 2025-02-28\n  verified: 2025-01-10\n  result: No agent worked live before "
        "sign-off.\nclosed: 2025-01-10\n",
    )
    commit(repo, "F-03 closed, effectiveness verified", "closed")
    edit(ev / "metrics/M01.csv", "2024-06,83.2", "2024-06,84.0")
    commit(repo, "M01: June 2024 restated", "rewrite")
    edit(ev / "evidence/EV-005.yaml", "review_by: 2025-06-30", "review_by: 2025-01-10")
    edit(ev / "metrics/M03.yaml", "    value: 30\n", "    value: 28\n")
    with (ev / "attachments/EV-026-qa-sampling-plan-v2.md").open("a", encoding="utf-8") as f:
        f.write("\nAmended: calibration every month.\n")
    commit(repo, "Upkeep: EV-005 review date, M03 target, QA sampling plan", "upkeep")
    git(repo, "checkout", "-q", "-b", "side", "base")
    edit(ev / "portfolio.yaml", "as_of: 2025-01-15", "as_of: 2025-03-01")
    commit(repo, "Move as_of", "later")
    git(repo, "checkout", "-q", "base")
    edit(ev / "evidence/EV-002.yaml", "supports: [LP-01, PE-09]", "supports: [LP-1, PE-09]")
    commit(repo, "A typo", "broken")
    git(repo, "checkout", "-q", "main")
    return ev


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The portfolio folder (`evidence/`) of the repository; its work tree is at `upkeep`."""
    return build_repository(tmp_path_factory.mktemp("diff") / "hlcs")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["diff", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def short(portfolio: Path, tag: str) -> str:
    return git(portfolio.parent, "rev-parse", "--short=7", tag).strip()


@pytest.fixture(scope="module")
def document(portfolio: Path) -> dict[str, Any]:
    """The JSON report of base..upkeep."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "diff.json"
        argv = ["diff", "base", "upkeep", "-p", str(portfolio), "--format", "json", "-o", str(out)]
        assert main(argv) == 0
        loaded: dict[str, Any] = json.loads(out.read_text("utf-8"))
        return loaded


def test_json_document_shape(document: dict[str, Any], portfolio: Path) -> None:
    assert list(document) == [
        "schema_version",
        "valid",
        "base",
        "head",
        "as_of",
        "summary",
        "readiness",
        "requirements",
        "records",
        "evidence",
        "metrics",
        "findings",
        "coverage",
        "suspects",
        "diagnostics",
    ]
    assert (document["schema_version"], document["valid"], document["diagnostics"]) == (1, True, [])
    commit_id = git(portfolio.parent, "rev-parse", "base").strip()
    assert document["base"] == {
        "name": "base",
        "label": f"base ({commit_id[:7]})",
        "kind": "revision",
        "revision": commit_id,
        "as_of": "2025-01-15",
    }
    assert document["as_of"] == "2025-01-15"
    assert document["readiness"]["before"]["requirements"] == {
        "met": 34,
        "partly met": 4,
        "not met": 0,
        "no evidence": 0,
    }
    assert document["readiness"]["after"]["requirements"] == {
        "met": 33,
        "partly met": 4,
        "not met": 0,
        "no evidence": 1,
    }


def test_json_requirements_regressions_first(document: dict[str, Any]) -> None:
    assert [(r["id"], r["before"], r["after"], r["worse"]) for r in document["requirements"]] == [
        ("LP-04", "met", "partly met", True),
        ("LP-08", "met", "no evidence", True),
        ("PR-13", "met", "partly met", True),
        ("PE-04", "partly met", "met", False),
        ("RS-04", "partly met", "met", False),
    ]
    rs04 = document["requirements"][4]
    assert (rs04["category"], rs04["category_title"]) == ("RS", "Results")
    assert [r["text"] for r in rs04["reasons_before"]] == [
        "metric M13 not met: target missed in 4 of 12 months and the trend is falling "
        "(Mann-Kendall p = 0.006); action open in finding F-04"
    ]
    assert [(r["code"], r["text"]) for r in rs04["reasons_after"]] == [
        ("reason.metric", "metric M13 met: target met in 12 of 12 months")
    ]
    lp04 = document["requirements"][0]
    assert [(r["effect"], r["ref"], r["text"]) for r in lp04["reasons_after"]] == [
        ("gap", "EV-005", "evidence EV-005 overdue: review was due on 2025-01-10")
    ]
    assert document["summary"] == {
        "empty": False,
        "regression": True,
        "suspect": True,
        "requirements_worse": 3,
        "requirements_better": 2,
        "metrics_worse": 0,
        "metrics_better": 1,
        "coverage_lost": 1,
        "rewritten_months": 5,
        "suspect_links": 15,
    }


def test_json_records_and_evidence(document: dict[str, Any], portfolio: Path) -> None:
    assert [(r["kind"], r["id"], r["change"], r["fields"]) for r in document["records"]] == [
        ("requirement", "LP-01", "changed", ["wording"]),
        ("evidence", "EV-005", "changed", ["review_by"]),
        ("evidence", "EV-011", "removed", []),
        ("metric", "M03", "changed", ["targets"]),
        ("finding", "F-03", "changed", ["effectiveness", "closed"]),
    ]
    evidence = document["evidence"]
    assert [(f["id"], f["before"], f["after"], f["worse"]) for f in evidence["freshness"]] == [
        ("EV-005", "current", "overdue", True)
    ]
    assert evidence["freshness"][0]["because"]["text"] == "review was due on 2025-01-10"

    def sha(tag: str, path: str) -> str:
        blob = subprocess.run(
            ["git", "-C", str(portfolio), "show", f"{tag}:evidence/{path}"],
            check=True,
            capture_output=True,
        ).stdout
        return hashlib.sha256(blob).hexdigest()

    audit, plan = (
        "attachments/EV-011-IA-2024-summary.txt",
        "attachments/EV-026-qa-sampling-plan-v2.md",
    )
    assert evidence["attachments"] == [
        {"path": audit, "evidence": ["EV-011"], "before": sha("base", audit), "after": None},
        {
            "path": plan,
            "evidence": ["EV-026"],
            "before": sha("base", plan),
            "after": hashlib.sha256((portfolio / plan).read_bytes()).hexdigest(),
        },
    ]
    assert document["coverage"] == [
        {"id": "LP-08", "title": "System review", "before": ["EV-011"], "after": [], "lost": True}
    ]


def test_json_metrics(document: dict[str, Any]) -> None:
    metrics = document["metrics"]
    assert [(v["id"], v["before"], v["after"], v["worse"]) for v in metrics["verdicts"]] == [
        ("M03", "met", "met", False),
        ("M13", "not met", "met", False),
    ]
    assert [v["text"] for v in metrics["verdicts"][0]["verdicts_after"]] == [
        "target met in 10 of 12 months"
    ]
    assert [
        (s["metric"], s["rule"], s["direction"], s["start"], s["end"], s["change"])
        for s in metrics["signals"]
    ] == [
        ("M13", "beyond-limits", "above", "2024-05", "2024-05", "cleared"),
        ("M13", "trend", "falling", "2024-05", "2024-12", "cleared"),
        ("M13", "beyond-limits", "below", "2024-11", "2024-11", "cleared"),
        ("M13", "beyond-limits", "below", "2024-12", "2024-12", "cleared"),
    ]
    assert [
        (t["metric"], t["before"][0]["value"], t["after"][0]["value"]) for t in metrics["targets"]
    ] == [("M03", 30, 28)]
    rewritten = {
        d["metric"]: [(r["period"], r["value_before"], r["value_after"]) for r in d["rewritten"]]
        for d in metrics["data"]
    }
    assert rewritten == {
        "M01": [("2024-06", 83.2, 84.0)],
        "M13": [
            ("2024-09", 91.8, 92.1),
            ("2024-10", 91.5, 92.4),
            ("2024-11", 91.2, 92.6),
            ("2024-12", 91.0, 92.9),
        ],
    }
    assert all(d["added"] == d["removed"] == [] for d in metrics["data"])


def test_json_findings_and_suspects(document: dict[str, Any]) -> None:
    assert [
        (f["id"], f["before"], f["after"], f["events"], f["worse"]) for f in document["findings"]
    ] == [("F-03", "implemented", "verified-closed", ["closed", "verified"], False)]
    assert document["findings"][0]["because"]["text"] == (
        "closed on 2025-01-10, effectiveness verified on 2025-01-10"
    )
    suspects = [(s["owner"]["id"], s["target"]["id"], s["changed"]) for s in document["suspects"]]
    metric_links = ["LP-03", "LP-04", "LP-05", "LP-06", "LP-07", "PR-07", "PR-12", "PR-13"]
    assert suspects == [
        ("EV-001", "LP-01", "target"),  # LP-01 reworded
        ("EV-002", "LP-01", "target"),
        ("EV-026", "PR-10", "owner"),  # its attachment's bytes changed
        ("F-05", "EV-026", "target"),
        *[("M03", r, "owner") for r in [*metric_links, "RS-01", "RS-06", "RS-07"]],  # target
    ]
    assert {(s["reviewed_by"], s["reviewed_on"]) for s in document["suspects"]} == {
        ("quality-manager", "2025-01-15")
    }


def test_markdown_report_matches_golden(
    portfolio: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys, "base", "upkeep", "-p", str(portfolio), "--format", "markdown", "--site-url", SITE
    )
    assert (code, err) == (0, "")
    for tag in ("base", "upkeep"):  # commit IDs depend on git's object format: keep them out
        out = out.replace(short(portfolio, tag), f"<{tag}>")
    if os.environ.get("CERTFOLIO_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(out, "utf-8")
    assert out == GOLDEN.read_text("utf-8")


@pytest.mark.parametrize(
    ("base", "head", "fail_on", "code"),
    [
        ("base", "m13", "regression", 0),  # RS-04 gets better only
        ("base", "m13", "suspect", 0),  # data is not part of a metric's fingerprint
        ("base", "m13", "any", 1),
        ("m13", "removed", "regression", 1),  # LP-08 loses its only evidence
        ("m13", "removed", "suspect", 0),
        ("removed", "wording", "regression", 0),
        ("removed", "wording", "suspect", 1),  # LP-01's two evidence links
        ("closed", "rewrite", "regression", 0),  # M01 still met: history rewritten only
        ("closed", "rewrite", "any", 1),
        ("upkeep", "upkeep", "any", 0),  # nothing changed
        ("base", "upkeep", None, 0),  # no gate
    ],
)
def test_fail_on_sets_the_exit_code(
    portfolio: Path,
    capsys: pytest.CaptureFixture[str],
    base: str,
    head: str,
    fail_on: str | None,
    code: int,
) -> None:
    gate = ["--fail-on", fail_on] if fail_on else []
    assert run(capsys, base, head, "-p", str(portfolio), *gate)[0] == code


def test_both_sides_are_assessed_at_one_date(
    portfolio: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `later` moves as_of to 2025-03-01: EV-001 (review due 2025-01-31) is overdue on both
    # sides then, so the calendar shows nowhere; only the as_of field changed
    code, out, _ = run(capsys, "base", "later", "-p", str(portfolio), "--format", "json")
    document = json.loads(out)
    assert (code, document["as_of"]) == (0, "2025-03-01")
    assert (document["base"]["as_of"], document["head"]["as_of"]) == ("2025-01-15", "2025-03-01")
    assert document["records"] == [
        {
            "kind": "portfolio",
            "id": "HLCS",
            "title": "Harbour Lane Customer Services evidence portfolio",
            "change": "changed",
            "fields": ["as_of"],
        }
    ]
    assert document["requirements"] == document["evidence"]["freshness"] == []
    assert document["findings"] == document["metrics"]["verdicts"] == []
    code, out, _ = run(capsys, "base", "later", "-p", str(portfolio), "--as-of", "2024-06-30")
    assert code == 0
    assert (
        "both sides assessed as of 2024-06-30 (the date given; base's own as_of is 2025-01-15)"
        in out
    )


def test_an_invalid_side_gives_positioned_diagnostics_naming_it(
    portfolio: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = short(portfolio, "broken")
    code, out, err = run(capsys, "base", "broken", "-p", str(portfolio))
    assert (code, err) == (1, "")
    assert out.splitlines()[:3] == [
        f"certfolio diff: cannot compare, head ({broken}) has 1 error",
        f"head ({broken}): evidence/evidence/EV-002.yaml:17:12: error: unknown requirement "
        "'LP-1' in 'supports' [E201]",
        "  hint: did you mean 'LP-01'? Requirements are defined under requirements/",
    ]
    code, out, _ = run(capsys, "broken", "base", "-p", str(portfolio), "--format", "json")
    document = json.loads(out)
    assert (code, document["valid"], document["summary"]) == (1, False, None)
    assert [
        (d["side"], d["path"], d["line"], d["col"], d["code"]) for d in document["diagnostics"]
    ] == [("base", "evidence/evidence/EV-002.yaml", 17, 12, "E201")]
    code, out, _ = run(capsys, "broken", "base", "-p", str(portfolio), "--format", "markdown")
    assert code == 1 and f"- base \\({broken}\\): evidence/evidence/EV\\-002\\.yaml:17:12:" in out


def test_an_unknown_revision_is_a_usage_error(
    portfolio: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "no-such-tag", "-p", str(portfolio))
    assert (code, out) == (2, "")
    assert "certfolio: error: unknown revision for base: 'no-such-tag'" in err
    code, _, err = run(capsys, "-p", str(portfolio), "--", "--output=x")
    assert code == 2 and "unknown revision" in err  # never taken for a git option
    code, _, err = run(capsys, "base", "-p", str(portfolio), "--site-url", "javascript:alert(1)")
    assert code == 2 and "--site-url must start with https://" in err


def test_work_tree_and_index_are_untouched(
    portfolio: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "hlcs"
    shutil.copytree(portfolio.parent, repo, symlinks=True)
    ev = repo / "evidence"
    edit(ev / "metrics/M01.csv", "2024-07,82.6", "2024-07,82.9")  # unstaged
    edit(ev / "requirements/LP/LP-02.yaml", "title: ", "title: Scope - ")  # staged
    git(repo, "add", "evidence/requirements/LP/LP-02.yaml")

    def state() -> tuple[str, ...]:
        index = hashlib.sha256((repo / ".git" / "index").read_bytes()).hexdigest()
        files = sorted(str(p.relative_to(repo)) for p in repo.rglob("*"))
        return (
            git(repo, "status", "--porcelain=v2", "--branch"),
            git(repo, "diff-files", "-p"),  # plumbing: `git diff` would refresh the index
            git(repo, "diff-index", "-p", "--cached", "HEAD"),
            git(repo, "worktree", "list", "--porcelain"),
            git(repo, "stash", "list"),
            index,
            "\n".join(files),
        )

    before = state()
    code, out, _ = run(capsys, "upkeep", "-p", str(ev), "--format", "json")  # head: work tree
    assert state() == before
    document = json.loads(out)
    assert (code, document["head"]["kind"], document["head"]["revision"]) == (
        0,
        "working tree",
        None,
    )
    assert [(d["metric"], d["rewritten"][0]["period"]) for d in document["metrics"]["data"]] == [
        ("M01", "2024-07")
    ]
    assert [(r["id"], r["fields"]) for r in document["records"]] == [("LP-02", ["title"])]
    temporary = tmp_path / "tmp"  # the command's own temporary folder, removed when done
    temporary.mkdir()
    command = [sys.executable, "-m", "generator", "diff", "base", "upkeep", "-p", str(ev)]
    subprocess.run(
        command, env={**os.environ, "TMPDIR": str(temporary)}, check=True, capture_output=True
    )
    assert state() == before
    assert list(temporary.iterdir()) == []


def test_two_portfolio_folders(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = tmp_path / "old" / "evidence", tmp_path / "new" / "evidence"
    shutil.copytree(SAMPLE, old)
    shutil.copytree(SAMPLE, new)
    edit(new / "requirements/LP/LP-02.yaml", "title: ", "title: <b>[x](javascript:alert(1))</b> ")
    code, out, _ = run(capsys, str(old), str(new), "--format", "markdown", "--site-url", SITE)
    assert code == 0
    assert f"base \\({md_inline(str(old))}\\)" in out
    assert "&lt;b&gt;\\[x\\]\\(javascript:alert\\(1\\)\\)&lt;/b&gt;" in out
    assert "<b>" not in out and "](javascript" not in out


def test_markdown_fits_a_github_comment(portfolio: Path) -> None:
    with open_sides("base", "upkeep", portfolio) as (base, head):
        diff = diff_sides(base, head)
    many = dataclasses.replace(diff, records=diff.records * 3000, suspects=diff.suspects * 400)
    report = markdown_report(many, md_inline, SITE)
    assert len(report) <= COMMENT_LIMIT
    assert "more (`--format json` lists every one)" in report
    assert report.count("<details>") == report.count("</details>")
    fewer = dataclasses.replace(diff, suspects=())
    assert markdown_report(fewer, md_inline, SITE).count("<details>") == 1
