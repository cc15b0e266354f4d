"""The command line as a user runs it: exit codes, output formats, the schema command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from generator.cli import main, resolve_format

from .conftest import ROOT


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_clean_portfolio_exits_0(minimal: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["validate", str(minimal), "--strict"], capsys) == (
        0,
        "0 errors, 0 warnings in 10 files\n",
        "",
    )


def test_warnings_fail_only_with_strict(minimal: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (minimal / "metrics" / "M1.csv").write_text("period,value\n2024-01,81.0\n2024-03,82.1\n")
    assert run(["validate", str(minimal)], capsys)[0] == 0
    assert run(["validate", str(minimal), "--strict"], capsys)[0] == 1


def test_missing_portfolio_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["validate", str(tmp_path)], capsys)
    assert (code, out) == (2, "")
    assert "has no portfolio.yaml" in err
    code, out, err = run(["validate", str(tmp_path / "nope")], capsys)
    assert code == 2 and "no such folder" in err


def test_unknown_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["validate", "--format", "xml"])
    assert exit_info.value.code == 2


def test_json_format(minimal: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (minimal / "evidence" / "EV-01.yaml").write_text(
        (minimal / "evidence" / "EV-01.yaml").read_text().replace("owner: boss", "owner: bos")
    )
    code, out, _ = run(["validate", str(minimal), "--format", "json"], capsys)
    assert code == 1
    assert json.loads(out) == {
        "files": 10,
        "errors": 1,
        "warnings": 0,
        "diagnostics": [
            {
                "path": "evidence/evidence/EV-01.yaml",
                "line": 4,
                "col": 8,
                "level": "error",
                "code": "E201",
                "message": "unknown person 'bos' in 'owner'",
                "hint": "did you mean 'boss'? People are defined in evidence/portfolio.yaml",
            }
        ],
    }


def test_github_format(minimal: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (minimal / "metrics" / "M1.csv").write_text("period,value\n2024-01,8,1\n")
    code, out, _ = run(["validate", str(minimal), "--format", "github"], capsys)
    assert code == 1
    assert out.splitlines()[0] == (
        "::error file=evidence/metrics/M1.csv,line=2,col=1,title=E500::row has 3 fields, header "
        "has 2%0Aa decimal comma or a stray ',' adds a field; use '.' for decimals"
    )
    assert out.splitlines()[1].startswith("evidence/metrics/M1.csv:2:1: error: row has 3 fields")


def test_format_follows_github_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert resolve_format(None) == "github"
    assert resolve_format("text") == "text"
    monkeypatch.delenv("GITHUB_ACTIONS")
    assert resolve_format(None) == "text"


@pytest.mark.parametrize("kind", ["portfolio", "requirement", "evidence", "metric", "finding"])
def test_schema_command_prints_a_valid_draft7_schema(
    kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["schema", kind], capsys)
    assert code == 0
    schema = json.loads(out)
    jsonschema.Draft7Validator.check_schema(schema)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"


def test_python_dash_m_and_console_script_agree() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "generator", "validate", str(ROOT / "evidence"), "--strict"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("0 errors, 0 warnings in ")


def test_assess_text_json_and_exit_codes(minimal: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["assess", str(minimal)], capsys)
    assert code == 0
    assert out.startswith("Minimal portfolio for tests — as of 2024-06-15\n")
    assert "Requirements: 1 met, 1 partly met (50 % met)" in out
    code, out, _ = run(
        ["assess", str(minimal), "--format", "json", "--as-of", "2024-04-01"], capsys
    )
    document = json.loads(out)
    assert (code, document["as_of"]) == (0, "2024-04-01")
    assert [f["state"] for f in document["findings"]] == ["open"]  # implemented on 04-15
    assert run(["assess", str(minimal), "--strict"], capsys)[0] == 1  # readiness warnings
    with pytest.raises(SystemExit) as exit_info:
        main(["assess", str(minimal), "--as-of", "2024-02-30"])
    assert exit_info.value.code == 2
    (minimal / "metrics" / "M1.csv").write_text("period,value\n2024-01,x\n")
    code, out, _ = run(["assess", str(minimal)], capsys)
    assert code == 1 and "[E505]" in out


def test_build_writes_the_generated_folder(
    minimal: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "generated"
    code, out, _ = run(
        ["build", str(minimal), "--out", str(out_dir), "--cache", str(tmp_path / "cache")], capsys
    )
    assert code == 0, out
    assert (out_dir / "index.md").is_file() and (out_dir / "metrics" / "M1.svg").is_file()
    assert (out_dir / "files" / "attachments" / "procedure.md").is_file()
    assert not list(tmp_path.glob(".generated-*"))
