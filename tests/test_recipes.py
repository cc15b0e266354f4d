"""The CI and pre-commit recipes a portfolio repository copies, run as their tools run them.

`certfolio init` writes the templates under generator/scaffold/files/common/ (stored without
their leading dot). They must be valid YAML, pass actionlint (with shellcheck) and GitLab's own
CI schema, and every `certfolio ...` line in them must parse with the real command line. The
hook in .pre-commit-hooks.yaml runs through `pre-commit try-repo` from a copy of this package
committed to a temporary repository, against a temporary portfolio: pre-commit pip-installs the
copy as a user's pre-commit would, from the registry pip is configured with. The linters come
with the test extra; under CI (CI=true) a missing one fails instead of skipping.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.specifiers import SpecifierSet

from generator import __version__
from generator.cli import build_parser, main
from generator.diagnostics import Level, Report, Span, rebase_paths

from .conftest import DATA, ROOT

COMMON = ROOT / "generator" / "scaffold" / "files" / "common"
GITHUB = COMMON / "github" / "workflows" / "certfolio.yml"
GITLAB = COMMON / "gitlab-ci.yml"
PRE_COMMIT_CONFIG = COMMON / "pre-commit-config.yaml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
DOCS = ROOT / "docs" / "ci.md"
TEMPLATES = (GITHUB, GITLAB, PRE_COMMIT_CONFIG)
#: What `pip install` of this repository needs: the project file, its readme and the packages.
PACKAGE_FILES = ("pyproject.toml", "README.md", "generator", "site_templates")


def tool(name: str) -> str:
    """A command-line tool from the test extra: beside this Python, else on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.is_file() else shutil.which(name)
    if found is None:
        message = f"{name} is not installed: pip install -e '.[test]'"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


def load(path: Path) -> dict[Any, Any]:
    document = yaml.safe_load(path.read_text("utf-8"))
    assert isinstance(document, dict), path
    return document


def doc_blocks(language: str) -> list[str]:
    """The fenced code blocks of docs/ci.md in one language."""
    text = DOCS.read_text("utf-8")
    return re.findall(rf"^```{language}\n(.*?)^```$", text, re.MULTILINE | re.DOTALL)


def doc_workflows() -> list[str]:
    """The complete GitHub workflows docs/ci.md shows."""
    return [block for block in doc_blocks("yaml") if re.search(r"^jobs:", block, re.MULTILINE)]


def git_env() -> dict[str, str]:
    """The environment without the caller's git state (GIT_DIR ... when run from a git hook)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}


def git(repo: Path, *args: str) -> None:
    identity = ["-c", "user.name=certfolio tests", "-c", "user.email=tests@example.com"]
    subprocess.run(
        ["git", *identity, "-c", "commit.gpgsign=false", *args],
        cwd=repo,
        env=git_env(),
        check=True,
        capture_output=True,
    )


# --- the templates as YAML ---------------------------------------------------------------


@pytest.mark.parametrize("path", [*TEMPLATES, HOOKS], ids=lambda p: p.name)
def test_templates_are_yaml(path: Path) -> None:
    assert yaml.safe_load(path.read_text("utf-8"))


def test_the_docs_examples_are_yaml_and_their_pre_commit_config_is_valid(tmp_path: Path) -> None:
    blocks = doc_blocks("yaml")
    assert len(blocks) >= 3
    configs = [b for b in blocks if re.search(r"^repos:", b, re.MULTILINE)]
    assert all(yaml.safe_load(block) for block in blocks) and configs
    for number, config in enumerate(configs):
        path = tmp_path / f"pre-commit-config-{number}.yaml"
        path.write_text(config, "utf-8")
        done = subprocess.run(
            [tool("pre-commit"), "validate-config", str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr


def test_github_workflow_triggers_permissions_and_pins() -> None:
    workflow = load(GITHUB)
    assert set(workflow[True]) == {"push", "pull_request"}  # YAML 1.1 reads `on` as true
    assert workflow["permissions"] == {}
    check, deploy = workflow["jobs"]["check"], workflow["jobs"]["deploy"]
    assert check["permissions"] == {"contents": "read"}
    assert deploy["permissions"] == {"contents": "write"}
    assert deploy["needs"] == "check"
    assert "'v'" in deploy["if"] and "'audit-'" in deploy["if"]
    for job in (check, deploy):
        for step in job["steps"]:
            if "uses" in step:
                assert re.fullmatch(r"actions/[\w-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
    assert deploy["steps"][0]["with"]["fetch-depth"] == 0
    runs = [step.get("run", "") for step in deploy["steps"]]
    assert "git fetch origin gh-pages --depth=1 || true" in runs
    assert any("git config user.name" in run for run in runs)
    assert any('certfolio publish "${TAG}" --push' in run for run in runs)
    assert check["steps"][-1]["with"]["path"] == "site/"


def test_github_workflows_pass_actionlint(tmp_path: Path) -> None:
    """The template as `init` writes it, in .github/workflows/, and the examples in the docs;
    shellcheck checks the run: scripts."""
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    shutil.copy(GITHUB, workflows / GITHUB.name)
    examples = doc_workflows()
    assert examples
    for number, example in enumerate(examples, 1):
        (workflows / f"docs-ci-{number}.yml").write_text(example, "utf-8")
    done = subprocess.run(
        [
            tool("actionlint"),
            "-no-color",
            "-oneline",
            f"-shellcheck={tool('shellcheck')}",
            "-pyflakes=",
            *sorted(str(p.relative_to(tmp_path)) for p in workflows.iterdir()),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_gitlab_ci_jobs_and_stages() -> None:
    pipeline = load(GITLAB)
    assert pipeline["stages"] == ["check", "build", "deploy"]
    jobs = {name: job["stage"] for name, job in pipeline.items() if "script" in job}
    assert jobs == {"validate": "check", "review": "check", "site": "build", "pages": "deploy"}
    assert pipeline["site"]["artifacts"]["paths"] == ["site/"]
    assert pipeline["pages"]["artifacts"]["paths"] == ["public"]
    assert pipeline["pages"]["rules"] == [{"if": "$CI_COMMIT_TAG =~ /^(v|audit-)/"}]


def test_gitlab_ci_matches_gitlabs_schema() -> None:
    done = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.gitlab-ci", str(GITLAB)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_pre_commit_files_are_valid_and_agree() -> None:
    pre_commit = tool("pre-commit")
    for command, path in (("validate-manifest", HOOKS), ("validate-config", PRE_COMMIT_CONFIG)):
        done = subprocess.run(
            [pre_commit, command, str(path)], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr
    (hook,) = yaml.safe_load(HOOKS.read_text("utf-8"))
    assert (hook["id"], hook["entry"], hook["pass_filenames"]) == (
        "certfolio-validate",
        "certfolio validate",
        False,
    )
    (repo,) = load(PRE_COMMIT_CONFIG)["repos"]
    assert [h["id"] for h in repo["hooks"]] == [hook["id"]]
    assert repo["hooks"][0]["args"] == hook["args"] == ["portfolio"]
    assert re.fullmatch(hook["files"], "portfolio/evidence/EV-01.yaml")
    assert re.fullmatch(hook["files"], "programs/acme/portfolio/attachments/a.pdf")
    assert not re.fullmatch(hook["files"], "mkdocs.yml")


def test_pins_name_the_current_version() -> None:
    """The range the templates install holds this version; the hook's rev is its tag."""
    for path in (GITHUB, GITLAB):
        (pin,) = re.findall(r"CERTFOLIO: certfolio(\S+)", path.read_text("utf-8"))
        assert __version__ in SpecifierSet(pin), (path.name, pin)
    assert load(PRE_COMMIT_CONFIG)["repos"][0]["rev"] == f"v{__version__}"


# --- the commands in the templates ---------------------------------------------------------


def scripts() -> Iterator[tuple[str, str]]:
    """Every shell script in the templates, with where it comes from."""
    workflow = load(GITHUB)
    for name, job in workflow["jobs"].items():
        for step in job["steps"]:
            if "run" in step:
                yield f"{GITHUB.name}:{name}", step["run"]
    pipeline = load(GITLAB)
    for name, job in pipeline.items():
        if isinstance(job, dict):
            for key in ("before_script", "script"):
                for script in job.get(key, []):
                    yield f"{GITLAB.name}:{name}", script
    (hook,) = yaml.safe_load(HOOKS.read_text("utf-8"))
    yield HOOKS.name, shlex.join([*shlex.split(hook["entry"]), *hook["args"]])
    for block in doc_blocks("sh"):
        yield DOCS.name, block
    for example in doc_workflows():
        for name, job in yaml.safe_load(example)["jobs"].items():
            for step in job["steps"]:
                if "run" in step:
                    yield f"{DOCS.name}:{name}", step["run"]


def commands(script: str) -> Iterator[list[str]]:
    """The simple commands of a script: split at |, ||, &&, ;, redirections and parentheses."""
    for line in script.replace("\\\n", " ").splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        words: list[str] = []
        for token in lexer:
            if token and set(token) <= set("();<>|&"):
                yield words
                words = []
            else:
                words.append(token)
        yield words


def test_every_certfolio_command_parses() -> None:
    """Each `certfolio ...` line parses with the real parser; subcommands the parser does not
    have yet (init is being written) are left for later, and the main ones must be there."""
    parser = build_parser()
    (subcommands,) = (a.choices for a in parser._actions if a.choices and a.dest == "command")
    seen = set()
    for where, script in scripts():
        for words in commands(script):
            if len(words) < 2 or words[0] != "certfolio" or words[1] not in subcommands:
                continue
            try:
                parser.parse_args(words[1:])
            except SystemExit:
                pytest.fail(f"{where}: {shlex.join(words)} does not parse")
            seen.add((where.split(":")[0], words[1]))
    for name in (GITHUB.name, GITLAB.name, DOCS.name):
        assert {(name, "validate"), (name, "assess"), (name, "site")} <= seen
    assert (HOOKS.name, "validate") in seen


def test_the_command_splitter() -> None:
    script = 'certfolio assess portfolio | tee a.txt\n{ echo "x"; } >> "$S" && certfolio site # c\n'
    assert list(commands(script)) == [
        ["certfolio", "assess", "portfolio"],
        ["tee", "a.txt"],
        ["{", "echo", "x"],
        ["}"],
        ["$S"],
        ["certfolio", "site"],
    ]


# --- annotations from the repository root ---------------------------------------------------


def test_rebase_paths_moves_only_the_portfolios_paths() -> None:
    report = Report(files=3)
    report.add(Span("portfolio/evidence/EV-01.yaml", 4, 8), Level.ERROR, "E201", "m")
    report.add(Span("/elsewhere/M1.csv"), Level.WARNING, "W001", "w")
    moved = rebase_paths(report, "portfolio", "programs/acme/portfolio")
    assert [d.span.path for d in moved.diagnostics] == [
        "programs/acme/portfolio/evidence/EV-01.yaml",
        "/elsewhere/M1.csv",
    ]
    assert moved.files == 3 and moved.diagnostics[0].span.line == 4
    top = rebase_paths(report, "portfolio", ".")  # the portfolio is the repository
    assert top.diagnostics[0].span.path == "evidence/EV-01.yaml"
    assert report.diagnostics[0].span.path == "portfolio/evidence/EV-01.yaml"  # a copy


def test_github_annotations_name_files_from_the_repository_root(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    portfolio = tmp_path / "programs" / "acme" / "portfolio"
    shutil.copytree(DATA / "minimal", portfolio)
    git(tmp_path, "init", "-q")
    record = portfolio / "evidence" / "EV-01.yaml"
    record.write_text(record.read_text("utf-8").replace("owner: boss", "owner: bos"), "utf-8")
    assert main(["validate", str(portfolio), "--format", "github"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(
        "::error file=programs/acme/portfolio/evidence/EV-01.yaml,line=4,col=8,title=E201::"
    )
    assert lines[1].startswith("programs/acme/portfolio/evidence/EV-01.yaml:4:8: error: ")
    assert main(["validate", str(portfolio), "--format", "text"]) == 1  # text: as before
    assert capsys.readouterr().out.startswith("portfolio/evidence/EV-01.yaml:4:8: error: ")


# --- the pre-commit hook, as pre-commit runs it ----------------------------------------------


def hook_repository(tmp_path: Path) -> Path:
    """This package and its hook manifest, committed to a repository of their own."""
    repo = tmp_path / "certfolio"
    repo.mkdir()
    for name in PACKAGE_FILES:
        source = ROOT / name
        if source.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
            shutil.copytree(source, repo / name, ignore=ignore)
        else:
            shutil.copy(source, repo / name)
    shutil.copy(HOOKS, repo / HOOKS.name)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "certfolio")
    return repo


def portfolio_repository(path: Path) -> Path:
    """A portfolio repository as `init` lays it out: the portfolio in portfolio/, staged."""
    shutil.copytree(DATA / "minimal", path / "portfolio")
    git(path, "init", "-q")
    git(path, "add", "-A")
    return path


def test_pre_commit_hook_passes_then_fails_with_the_position(tmp_path: Path) -> None:
    """try-repo installs the hook's environment afresh on every run (a temporary store), so the
    valid run (--all-files) and the run on a staged bad edit go side by side."""
    pre_commit = tool("pre-commit")
    hooks = hook_repository(tmp_path)
    valid = portfolio_repository(tmp_path / "valid")
    broken = portfolio_repository(tmp_path / "broken")
    record = broken / "portfolio" / "evidence" / "EV-01.yaml"
    record.write_text(record.read_text("utf-8").replace("owner: boss", "owner: bos"), "utf-8")
    git(broken, "add", "portfolio/evidence/EV-01.yaml")
    env = {**git_env(), "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    run = [pre_commit, "try-repo", str(hooks), "certfolio-validate", "--color", "never"]
    started = [
        subprocess.Popen(
            [*run, *extra],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for cwd, extra in ((valid, ["--all-files"]), (broken, []))
    ]
    try:
        (passed, passed_code), (failed, failed_code) = [
            (p.communicate(timeout=900)[0], p.returncode) for p in started
        ]
    finally:
        for process in started:
            process.kill()  # nothing when it has finished
    assert passed_code == 0, passed
    assert re.search(r"^certfolio validate\.+Passed$", passed, re.MULTILINE), passed
    assert failed_code == 1, failed
    assert re.search(r"^certfolio validate\.+Failed$", failed, re.MULTILINE), failed
    assert (
        "portfolio/evidence/EV-01.yaml:4:8: error: unknown person 'bos' in 'owner' [E201]" in failed
    )
    assert "1 error, 0 warnings in 10 files" in failed
