"""`certfolio migrate` (issue 14): a standard's new release from a clause mapping file, as a
diff of exactly the YAML lines that name the clauses and the release; a dry run writes
nothing, `--write` applies it, and the clauses left without a requirement are listed."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from generator.cli import main
from generator.diagnostics import Report
from generator.portfolio.validate import validate_portfolio

from .conftest import SAMPLE, copy_portfolio

ISO = "ISO-18295-1"


def _snapshot(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _texts(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): p.read_text("utf-8") for p in sorted(root.rglob("*.yaml"))
    }


def _expected(before: dict[str, str]) -> dict[str, str]:
    """What the mapping {4.3: 4.4, 9: 10} and release 2026 must do, line by line: the sample
    maps only ISO 18295-1, so every `clause: "4.3"` line is one of its mappings."""
    after = {}
    for rel, text in before.items():
        new = text.replace('    clause: "4.3"\n', '    clause: "4.4"\n')
        new = new.replace('    clause: "9"\n', '    clause: "10"\n')
        if rel == "portfolio.yaml":
            new = new.replace('    release: "2017"\n', '    release: "2026"\n')
            new = new.replace('      - {id: "4.3", title:', '      - {id: "4.4", title:')
            new = new.replace('      - {id: "9", title:', '      - {id: "10", title:')
        if new != text:
            after[rel] = new
    return after


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return copy_portfolio(SAMPLE, tmp_path / "evidence")


def _map(tmp_path: Path, text: str, name: str = "map.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def test_a_dry_run_prints_the_diff_and_writes_nothing(
    sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mapping = _map(tmp_path, '# ISO renumbered\n4.3: 4.4\n"9": "10"\n"11": "12"\n')
    before = _snapshot(sample)
    code = main(["migrate", "--to", "2026", "--map", str(mapping), "--standard", ISO, str(sample)])
    out = capsys.readouterr().out
    assert code == 0
    assert _snapshot(sample) == before  # nothing written
    expected = _expected(_texts(sample))
    changed = sorted(
        line[len("+++ b/evidence/") :] for line in out.splitlines() if line.startswith("+++ ")
    )
    assert changed == sorted(expected)
    removed = [x for x in out.splitlines() if x.startswith("-") and not x.startswith("---")]
    added = [x for x in out.splitlines() if x.startswith("+") and not x.startswith("+++")]
    assert (
        len(removed)
        == len(added)
        == sum(
            sum(
                a != b
                for a, b in zip(_texts(sample)[rel].splitlines(), text.splitlines(), strict=True)
            )
            for rel, text in expected.items()
        )
    )
    assert '-    clause: "4.3"' in removed and '+    clause: "4.4"' in added
    assert '-    release: "2017"' in removed and '+    release: "2026"' in added
    assert f"would change {len(expected)} files" in out and "--write" in out
    assert f"Clauses of {ISO} 2026 left without a requirement (1): 12" in out
    assert "Not used in the portfolio (a typo?): 11" in out


def test_write_changes_exactly_the_expected_files_and_lines(
    sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mapping = _map(tmp_path, '"4.3": "4.4"\n9: 10\n')
    texts = _texts(sample)
    expected = _expected(texts)
    before = _snapshot(sample)
    args = ["migrate", "--to", "2026", "--map", str(mapping), "--standard", ISO, str(sample)]
    assert main([*args, "--write"]) == 0
    out = capsys.readouterr().out
    assert "changed" in out and "---" not in out
    after = _snapshot(sample)
    assert {k for k in after if after[k] != before[k]} == set(expected)
    assert set(after) == set(before)  # no file added or removed (no temporary file left)
    for rel, text in expected.items():
        assert (sample / rel).read_text("utf-8") == text, rel
    portfolio, report = validate_portfolio(sample, Report())
    assert portfolio is not None and report.errors == 0 and report.warnings == 0
    iso = next(s for s in portfolio.config.standards if s.id == ISO)
    assert iso.release == "2026" and [c.id for c in iso.clauses] == [
        "4",
        "4.4",
        "5",
        "6",
        "7",
        "8",
        "10",
    ]
    # done: a second run has nothing to change
    assert main(args) == 0
    assert "nothing to change" in capsys.readouterr().out


def test_two_clauses_becoming_one_keep_one_list_entry(sample: Path, tmp_path: Path) -> None:
    mapping = _map(tmp_path, "old,new\n4.3,4\n", "map.csv")
    args = ["migrate", "--to", "2026", "--map", str(mapping), "--standard", ISO, str(sample)]
    text = (sample / "portfolio.yaml").read_text("utf-8")
    assert main([*args, "--write"]) == 0
    after = (sample / "portfolio.yaml").read_text("utf-8")
    gone = '      - {id: "4.3", title: How customers\' experience is measured and followed up}\n'
    assert after == text.replace(gone, "").replace('release: "2017"', 'release: "2026"')
    portfolio, report = validate_portfolio(sample, Report())
    assert portfolio is not None and report.warnings == 0


def test_comments_quotes_and_line_endings_are_kept(sample: Path, tmp_path: Path) -> None:
    path = sample / "requirements" / "RS" / "RS-01.yaml"
    text = path.read_text("utf-8").replace('clause: "4.3"', "clause: '4.3'  # kept")
    path.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    mapping = _map(tmp_path, "4.3: A.1\n")
    args = ["migrate", "--to", "2026", "--map", str(mapping), "--standard", ISO, str(sample)]
    assert main([*args, "--write"]) == 0
    after = path.read_bytes().decode("utf-8")
    assert after == text.replace("'4.3'", "'A.1'").replace("\n", "\r\n")


def test_a_release_line_is_added_when_the_standard_has_none(
    minimal: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = minimal / "portfolio.yaml"
    text = config.read_text("utf-8")
    config.write_text(text.replace('    release: "1.0"\n', ""), "utf-8")
    mapping = _map(tmp_path, "4.1: 4.2\nAA-02: AA-2\n")
    requirement = minimal / "requirements" / "AA" / "AA-01.yaml"
    before = requirement.read_text("utf-8")
    assert main(["migrate", "--to", "2.0", "--map", str(mapping), str(minimal)]) == 0
    out = capsys.readouterr().out
    assert '+    release: "2.0"' in out
    # AA-02 has no mapping to the primary standard, so it stands for its own ID: named only
    assert "AA-02 stands for its own clause, which 2.0 calls 'AA-2'" in out
    assert "left without a requirement (1): AA-2" in out
    assert main(["migrate", "--to", "2.0", "--map", str(mapping), str(minimal), "--write"]) == 0
    assert config.read_text("utf-8") == text.replace('release: "1.0"', 'release: "2.0"')
    assert requirement.read_text("utf-8") == before.replace('clause: "4.1"', 'clause: "4.2"')


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("map.csv", "from,to\n4.3,4.4\n", "needs the header 'old,new'"),
        ("map.yaml", "- 4.3\n- 4.4\n", "must map old clauses to new ones"),
        ("map.yaml", "4.3: [4.4, 4.5]\n", "write each entry as OLD: NEW"),
        ("map.yaml", "4.3: 4.4\n4.3: 4.5\n", "clause '4.3' is mapped twice"),
    ],
)
def test_a_bad_mapping_file_is_a_usage_error(
    sample: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    content: str,
    message: str,
) -> None:
    mapping = _map(tmp_path, content, name)
    before = _snapshot(sample)
    assert main(["migrate", "--to", "2026", "--map", str(mapping), str(sample), "--write"]) == 2
    assert message in capsys.readouterr().err
    assert _snapshot(sample) == before


def test_an_invalid_portfolio_is_not_migrated(
    sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = sample / "requirements" / "LP" / "LP-01.yaml"
    path.write_text(path.read_text("utf-8").replace("category: LP", "category: XX"), "utf-8")
    before = _snapshot(sample)
    mapping = _map(tmp_path, "4.3: 4.4\n")
    assert main(["migrate", "--to", "2026", "--map", str(mapping), str(sample), "--write"]) == 1
    assert "E201" in capsys.readouterr().out
    assert _snapshot(sample) == before
