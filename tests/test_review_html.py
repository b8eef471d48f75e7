"""`coach review --html FILE`: one self-contained page with the review's figures as
charts. In process, the page as written: it parses, its charts, the figures of the JSON
review, the reader's language, nothing outside the page, never a file replaced without
--force. Marked e2e, the page rendered by headless Chromium: a screenshot, and no request
on the network."""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from clientcoach.errors import ExitCode
from tests.helpers import run_coach
from tests.review_records import ans, debrief, loop, mistake, november_set, october_prep, write

NOW = {"CLIENTCOACH_NOW": "2026-11-24T10:00:00+01:00"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
VOID |= {"track", "wbr"}
# SVG shapes written as <tag/>: the HTML parser reports them as start-end tags.


def coach(*args: str, **env: str) -> Any:
    return run_coach(*args, env={**NOW, **env})


@pytest.fixture
def november(home: Path) -> list[Path]:
    return [write(home, r) for r in [october_prep(), *november_set()]]


class Page(HTMLParser):
    """A strict reading of a page: every tag closed in order, the text and attributes of
    each element kept, and the problems found listed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.problems: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.styles: list[str] = []
        self.declared = False

    def handle_decl(self, decl: str) -> None:
        self.declared = decl.lower() == "doctype html"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            self.problems.append(f"</{tag}> closes a void element")
        elif not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.open[-1] if self.open else None}>")
        else:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        if self.open and self.open[-1] == "style":
            self.styles.append(data)
        elif data.strip():
            self.text.append(data.strip())


def read_page(text: str) -> Page:
    page = Page()
    page.feed(text)
    page.close()
    assert page.declared, "no <!DOCTYPE html>"
    assert not page.problems, page.problems
    assert not page.open, f"left open: {page.open}"
    return page


# Everything a page may point at and still be self-contained: a place in itself, or
# data written in the page.
_INSIDE = re.compile(r"^\s*(#|data:)", re.I)
_CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]*)|@import\s+(?:url\()?\s*['\"]?([^'\")\s;]+)", re.I)
_LINKING = {"src", "href", "xlink:href", "action", "formaction", "poster", "data", "srcset"}
_LINKING |= {"background", "cite", "longdesc", "manifest", "ping"}


def external_references(text: str) -> list[str]:
    """Every src, href, url() or @import of a page that points outside it."""
    page = read_page(text)
    found: list[str] = []
    styles = list(page.styles)
    for tag, attrs in page.tags:
        for name, value in attrs.items():
            if name == "style" and value:
                styles.append(value)
            elif name in _LINKING and value is not None and not _INSIDE.match(value):
                found.append(f"<{tag} {name}={value!r}>")
        if tag == "script":
            found.append("<script>")
    for css in styles:
        for match in _CSS_URL.finditer(css):
            target = match.group(1) or match.group(2) or ""
            if not _INSIDE.match(target):
                found.append(f"url({target})")
    return found


def svgs(text: str) -> list[ET.Element]:
    """Each chart, read as XML: an unescaped text or an unclosed shape fails here."""
    return [ET.fromstring(s) for s in re.findall(r"<svg\b.*?</svg>", text, re.S)]


def words(page: Page) -> str:
    return " ".join(page.text)


def _written(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_the_page_parses_and_charts_the_figures_of_the_json_review(
    november: list[Path], tmp_path: Path
) -> None:
    target = tmp_path / "review.html"
    result = coach("review", "--no-reflect", "--html", str(target))
    assert result.code == 0, result.stderr
    assert f"Page written to {target}" in result.stderr
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    text = _written(target)
    page = read_page(text)
    assert ("html", {"lang": "en"}) in page.tags
    assert any(t == "meta" and a.get("name") == "viewport" for t, a in page.tags)
    style = "".join(page.styles)
    assert "@media print" in style
    assert "break-inside: avoid" in style  # a chart is never cut across two pages
    assert set(re.findall(r"background:\s*([^;}]+)", style)) == {"#fff"}  # no dark page
    charts = svgs(text)
    assert len(charts) >= 5
    for chart in charts:
        assert chart.get("role") == "img"
        assert chart.get("aria-label")
        assert chart.get("viewBox")
        assert chart.get("width") == "100%"
        title = chart.find("title")
        assert title is not None
        assert title.text == chart.get("aria-label")
    names = {c.get("aria-label") for c in charts}
    for wanted in (
        "Ended on agreed next steps, month by month",
        "The five rules of healthy help: checked and failed",
        "Top topics",
        "Deals lost and won, by area",
        "Why deals were lost",
        "Knowledge and perception, by client (1 to 5)",
    ):
        assert wanted in names, wanted

    data = json.loads(coach("review", "--json").stdout)
    shown = words(page)
    assert page.text[0] == "Review of November 2026, so far (up to 2026-11-24)"  # <title>
    assert data["headline"]["next_steps_rate"]["value"] == 0.75
    assert re.search(r'<span class="value">75%</span>', text)
    for figure in ("prepared", "debriefed", "troll_episodes", "mistakes", "lost_deals"):
        value = data["headline"][figure]["value"]
        assert f'<span class="value">{value}</span>' in text, figure
    for topic in data["trolls"]["top_topics"]:
        assert topic["value"] in shown
    for client in data["clients_detail"]:
        assert client["client"] in shown
    for point in data["focus"]:
        assert point["text"] in shown
        assert point["evidence"]["text"] in shown
    assert "Send the quote" in shown  # an overdue follow-up, as in the Markdown report
    assert external_references(text) == []


def test_a_french_run_gives_a_french_page(november: list[Path], tmp_path: Path) -> None:
    target = tmp_path / "revue.html"
    result = coach("--lang", "fr", "review", "--no-reflect", "--html", str(target))
    assert result.code == 0, result.stderr
    assert f"Page écrite dans {target}" in result.stderr
    text = _written(target)
    page = read_page(text)
    assert ("html", {"lang": "fr"}) in page.tags
    names = {c.get("aria-label") for c in svgs(text)}
    assert "Les cinq règles de l'aide saine\u00a0: vérifiées et enfreintes" in names
    assert "Affaires perdues et gagnées, par domaine" in names
    shown = words(page)
    assert page.text[0] == "Revue\u00a0: novembre 2026, jusqu'ici (au 2026-11-24)"
    assert "Chiffres clés" in shown
    for english in ("month by month", "Deals lost and won", "no data yet", "previous:"):
        assert english not in text
    assert "nov." in text  # the months of the trend charts' axis
    # Tooltips follow French typography too: a no-break space before each colon.
    import re

    tips = re.findall(r"<title>([^<]*)</title>", text)
    assert tips
    assert [tip for tip in tips if re.search(r"[^\u00a0]:", tip)] == []


def test_an_empty_review_keeps_every_chart_saying_no_data_yet(home: Path, tmp_path: Path) -> None:
    target = tmp_path / "empty.html"
    result = coach("review", "--no-reflect", "--html", str(target))
    assert result.code == 0, result.stderr
    text = _written(target)
    page = read_page(text)
    charts = svgs(text)
    assert len(charts) >= 5
    assert sum("no data yet" in "".join(c.itertext()) for c in charts) >= 5
    assert "No reflections in November 2026, so far (up to 2026-11-24)." in words(page)
    assert ("title", {}) in page.tags
    assert external_references(text) == []


def test_an_existing_file_is_replaced_only_with_force(november: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    target = out / "review.html"
    target.write_text("keep me\n", encoding="utf-8")
    refused = coach("review", "--no-reflect", "--html", str(target))
    assert refused.code == ExitCode.USAGE
    assert f"{target} already exists" in refused.stderr
    assert "--force" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert _written(target) == "keep me\n"
    forced = coach("review", "--no-reflect", "--html", str(target), "--force")
    assert forced.code == 0, forced.stderr
    assert _written(target).startswith("<!DOCTYPE html>")
    assert [p.name for p in out.iterdir()] == ["review.html"]  # no temporary file left


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--html", "/", "--force"], "--html / is a folder"),
        (["--html", "/nowhere/at/all/r.html"], "--html: there is no folder /nowhere/at/all"),
        (["--html", "x.html", "--focus"], "it cannot be used with --html"),
        (["--html", "same.html", "--markdown", "same.html"], "name the same file"),
    ],
)
def test_a_page_that_cannot_be_written_is_refused_before_any_work(
    home: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    result = run_coach("review", "--no-reflect", *args, env=NOW, cwd=out)
    assert result.code == ExitCode.USAGE
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2  # the error, and its hint
    assert list(out.iterdir()) == []


@pytest.mark.parametrize(("option", "start"), [("--html", "<!DOCTYPE html>"), ("--markdown", "# ")])
def test_a_dash_sends_the_page_or_report_alone_to_standard_output(
    november: list[Path], tmp_path: Path, option: str, start: str
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    # No --no-reflect: a report on standard output never starts the reflection.
    result = run_coach("review", option, "-", env=NOW, cwd=out)
    assert result.code == 0, result.stderr
    assert result.stdout.startswith(start)
    written = coach("review", "--no-reflect", option, str(out / "review.txt"))
    assert written.code == 0, written.stderr
    # The report alone: neither the terminal view nor a reflection's questions with it.
    assert result.stdout == _written(out / "review.txt")
    assert "written to" not in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["review.txt"]  # no file named -


@pytest.mark.parametrize(
    "args",
    [
        ["--html", "-", "--markdown", "-"],
        ["--json", "--html", "-"],
        ["--markdown", "-", "--json"],
    ],
)
def test_only_one_output_can_take_standard_output(home: Path, args: list[str]) -> None:
    result = coach("review", *args)
    assert result.code == ExitCode.USAGE
    assert "both write to standard output" in result.stderr
    assert result.stdout == ""


def test_the_page_follows_the_period_options(november: list[Path], tmp_path: Path) -> None:
    target = tmp_path / "october.html"
    result = coach("review", "--no-reflect", "--month", "2026-10", "--html", str(target))
    assert result.code == 0, result.stderr
    shown = words(read_page(_written(target)))
    assert "Review of October 2026" in shown
    ranged = tmp_path / "range.html"
    result = coach(
        "review", "--no-reflect", "--since", "2026-11-10", "--until", "2026-11-20",
        "--html", str(ranged),
    )  # fmt: skip
    assert result.code == 0, result.stderr
    assert "Review of 2026-11-10 to 2026-11-20" in words(read_page(_written(ranged)))


def test_user_text_is_inert_in_the_page_and_its_charts(home: Path, tmp_path: Path) -> None:
    hostile = '<img src="http://x.invalid/a.png">Bad & "Co"\x1b[31m'
    write(home, october_prep())
    for day in ("2026-11-05", "2026-11-12"):
        write(
            home,
            debrief(
                hostile,
                day,
                ans("knowledge", 4, kind="rating"),
                ans("perception", 2, kind="rating"),
                loop("mistakes", "mistakes", [mistake("</svg><script>alert(1)</script>")]),
            ),
        )
    target = tmp_path / "review.html"
    result = coach("review", "--no-reflect", "--html", str(target))
    assert result.code == 0, result.stderr
    text = _written(target)
    assert "<script" not in text
    assert "<img" not in text
    assert "\x1b" not in text
    assert external_references(text) == []
    charts = svgs(text)  # each still reads as XML: nothing closed it early
    labels = " ".join(" ".join(c.itertext()) for c in charts)
    assert 'Bad & "Co"' in labels
    shown = words(read_page(text))
    assert "</svg><script>alert(1)</script>" in shown


@pytest.mark.parametrize(
    "bad",
    [
        '<img src="http://example.com/a.png">',
        '<link rel="stylesheet" href="https://cdn.example.com/x.css">',
        '<p style="background: url(//example.com/p.gif)">x</p>',
        "<style>@import 'https://example.com/x.css';</style>",
        "<script>fetch('x')</script>",
        '<svg><image href="pic.png"/></svg>',
    ],
)
def test_the_check_for_references_outside_the_page_finds_each_kind(bad: str) -> None:
    page = f"<!DOCTYPE html><html><head></head><body>{bad}</body></html>"
    assert external_references(page) != []
    fine = '<!DOCTYPE html><html><body><a href="#top">x</a><link href="data:,"></body></html>'
    assert external_references(fine) == []


# --- headless Chromium ----------------------------------------------------------------


def chromium() -> str:
    """The browser's path; on CI a missing browser fails the test instead of skipping it
    (CI installs it: see .ci/run)."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("CI"):
        pytest.fail("Chromium is missing on CI: .ci/run installs it (apt-get install chromium)")
    pytest.skip("Chromium is not installed")


def render(browser: str, page: Path, work: Path) -> tuple[Path, Path]:
    """Screenshot ``page`` with headless Chromium, its network log beside it."""
    shot, log = work / "shot.png", work / "net.json"
    command = [
        browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-extensions", "--disable-default-apps",
        f"--user-data-dir={work / 'profile'}", f"--screenshot={shot}",
        "--window-size=1000,2000", f"--log-net-log={log}", page.resolve().as_uri(),
    ]  # fmt: skip
    subprocess.run(command, capture_output=True, timeout=120, check=False, cwd=work)
    return shot, log


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def page_requests(log: Path) -> list[str]:
    """The URLs the page itself asked the network for.

    The browser asks for things of its own (time, accounts) even with background
    networking off; those have no origin ("not an origin"). A page opened from a file
    has the opaque origin "null" and a network key of ``file://``.
    """
    data = json.loads(log.read_text(encoding="utf-8"))
    kinds = {code: name for name, code in data["constants"]["logEventTypes"].items()}
    found: list[str] = []
    for event in data["events"]:
        params = event.get("params") or {}
        if kinds.get(event["type"]) != "URL_REQUEST_START_JOB" or "url" not in params:
            continue
        from_browser = params.get("initiator") == "not an origin" and "file:" not in str(
            params.get("network_isolation_key", "")
        )
        if not from_browser and re.match(r"^(https?|wss?|ftp):", params["url"]):
            found.append(params["url"])
    return found


@pytest.mark.e2e
def test_chromium_renders_the_page_and_it_asks_the_network_for_nothing(
    november: list[Path], tmp_path: Path
) -> None:
    browser = chromium()
    target = tmp_path / "review.html"
    assert coach("review", "--no-reflect", "--html", str(target)).code == 0
    shot, log = render(browser, target, tmp_path)
    assert shot.is_file()
    assert shot.stat().st_size > 10_000
    assert png_size(shot) == (1000, 2000)
    assert log.is_file()
    assert page_requests(log) == []

    # The same check sees a page that does fetch something (so it can fail).
    leaky = tmp_path / "leaky" / "leaky.html"
    leaky.parent.mkdir()
    leaky.write_text(
        '<!DOCTYPE html><html><body><img src="http://example.invalid/a.png">'
        '<link rel="stylesheet" href="https://example.invalid/x.css"></body></html>',
        encoding="utf-8",
    )
    _shot, leaky_log = render(browser, leaky, leaky.parent)
    assert any("example.invalid" in url for url in page_requests(leaky_log))


def test_an_empty_months_report_says_so_once_with_its_command_as_code(home: Path) -> None:
    result = coach("review", "--month", "2026-10", "--markdown", "-")
    assert result.code == 0, result.stderr
    assert result.stdout.startswith("# Review of October 2026\n")
    assert result.stdout.count("No reflections") == 1
    assert "0 reflections" not in result.stdout
    assert "`coach debrief CLIENT`" in result.stdout
    assert "\\`" not in result.stdout
