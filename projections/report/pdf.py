"""The review document as PDF: the HTML rendering printed by headless Chromium.

A browser prints the HTML exactly as a reviewer sees it on screen (CSS page boxes, A4
portrait text and landscape diagram pages, tables whose header row repeats on every page),
which no Python PDF library matched for tables and SVG. Chromium runs with a throw-away
profile, no network services and no sandbox (it runs as root in CI containers), and reads the
file from a private temporary directory.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
TIMEOUT_SECONDS = 180


class BrowserMissing(RuntimeError):
    """No Chromium to print with."""


class PrintFailed(RuntimeError):
    """Chromium ran but wrote no PDF."""


def browser() -> str:
    """The Chromium program, or `BrowserMissing`."""
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise BrowserMissing(
        "PDF is printed by Chromium, which is not installed (install the system package "
        "'chromium', e.g. apt-get install chromium)"
    )


def print_command(program: str, profile: Path, page: Path, out: Path) -> list[str]:
    """The command that prints `page` to `out`: headless, nothing fetched or synced, no
    header or footer of the browser's own (the document has its own)."""
    return [
        program,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        f"--user-data-dir={profile}",
        "--no-pdf-header-footer",
        f"--print-to-pdf={out}",
        page.as_uri(),
    ]


def html_to_pdf(html: str) -> bytes:
    """Print the HTML document to PDF with headless Chromium."""
    program = browser()
    with tempfile.TemporaryDirectory(prefix="ledger-report-") as work:
        root = Path(work)
        page, out, profile = root / "report.html", root / "report.pdf", root / "profile"
        page.write_text(html, encoding="utf-8")
        try:
            done = subprocess.run(
                print_command(program, profile, page, out),
                capture_output=True,
                timeout=TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise PrintFailed(f"Chromium did not finish within {TIMEOUT_SECONDS} s") from None
        if not out.exists() or out.stat().st_size == 0:
            said = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise PrintFailed(
                f"Chromium wrote no PDF (exit status {done.returncode}"
                + (f": {said[-1]}" if said else "")
                + ")"
            )
        return out.read_bytes()
