"""The hostile corpus, second round: the inputs and faults of issue 14, and more.

Where ``test_bad_inputs.py`` holds broken tables and rows, this corpus holds what a
demanding user, a hostile file or a failing machine brings: bombs that look small,
devices and pipes given as files, mirrors that never stop or never answer, text that
a spreadsheet would run, configuration that is wrong in every way YAML allows, bad
command lines for every sub-command, a full or unwritable disk and a closed pipe.

Each case is a small builder. There are two kinds.

* API cases (``@api``): the builder returns a callable, which must raise its own
  exception class from :mod:`lnanalysis.core.errors` with a message naming the file
  and the key, cell or row.
* CLI cases (``@cli``): the builder prepares a scratch copy of the project (the
  package and ``data/``, copied per case) and returns the command line. Run as
  ``python -m lnanalysis``, it must end with its expected status (2 for an error),
  print no traceback and exactly one line on stderr, naming where. A usage error
  found by argparse prints argparse's usage block above its one ``error:`` line.
  A module fixture builds every selected CLI case, then runs them a few at a time
  (each is its own process); each case's test asserts on its own run.

Bombs (huge or sparse sheets, zip and HTML bombs, endless streams, devices) run in a
child process under a 1 GiB address-space limit, a safety net only: each asserts its
own ceiling, a peak resident size (``os.wait4``) under ``CEILING_MB`` and a time bound.
Fetch cases use a local HTTP server on 127.0.0.1 started here, a closed port, a name
under ``.invalid`` (which never resolves) or a local mirror folder: no network.

Cases that fail on the current code are marked ``xfail(strict=True)`` with the
reason: they are open bugs, and the mark goes when the bug is fixed. A few
behaviours that are not errors (escaped exports, a tampered cache never used) are
plain tests at the end. Every file here is SYNTHETIC, made by the builders.
"""

from __future__ import annotations

import contextlib
import http.server
import io
import os
import re
import shutil
import signal
import socket
import stat
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml
from synthetic import RAW_HEADER, RAW_ROW, RAW_SOURCE, YEARBOOK_BLOCK

from lnanalysis.core import errors as E
from lnanalysis.core.paths import CONFIG_DIR, ROOT
from lnanalysis.core.textfile import EncodingError

pytestmark = pytest.mark.skipif(
    sys.platform != "linux", reason="devices, FIFOs, fork and resource limits as on Linux"
)
CEILING_MB = 400  # peak resident size allowed to a process fed a bomb
SAFETY_NET = 1 << 30  # address-space limit of a bomb's process: a guard that fails dies fast
BOMB_SECONDS = 20  # time bound of a bomb case (a refused one takes about a second)
TODAY = "2026-11-28"
PROVINCES = [("北京", "Beijing"), ("天津", "Tianjin"), ("河北", "Hebei"), ("山西", "Shanxi")]
PROVINCES += [("辽宁", "Liaoning"), ("吉林", "Jilin")]

# --- the scratch project, the child process and the local server -------------------------


@dataclass(frozen=True)
class Cli:
    """A command line to run in the scratch project, and what it must do."""

    args: tuple[str, ...]
    code: int = 2  # expected exit status
    env: dict[str, str] = field(default_factory=dict)
    fsize: int | None = None  # RLIMIT_FSIZE in bytes: writes past it fail as on a full disk
    ceiling_mb: int | None = None  # a bomb: peak RSS must stay under this
    seconds: float = 60  # time bound (the child is killed a little after it)
    usage: bool = False  # argparse's usage block precedes the error line
    stdout: int | None = None  # a file descriptor for stdout (default: captured)
    check: Callable[[Ran], None] | None = None  # further assertions (files left, output)


@dataclass
class Ran:
    """What a child process did."""

    code: int
    stdout: str
    stderr: str
    peak_mb: float
    seconds: float


@dataclass
class Ctx:
    """What a builder may use: a scratch folder, the project copy and the local server."""

    tmp: Path
    project: Path | None
    url: str


# A small launcher forks the command with its limits and reports the command's own peak
# RSS: measured from pytest's process, ru_maxrss would count pytest's pages before exec
_LAUNCHER = """
import os, resource, sys
address_space, fsize, report = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
pid = os.fork()
if pid == 0:
    if address_space:
        resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    if fsize >= 0:
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    os.execv(sys.executable, [sys.executable, "-m", "lnanalysis", *sys.argv[4:]])
_, status, usage = os.wait4(pid, 0)
with open(report, "w") as fh:
    fh.write(str(usage.ru_maxrss))
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)
"""


def run_cli(project: Path, spec: Cli) -> Ran:
    """Run the command in ``project``; measure its peak RSS and time."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LNANALYSIS_")}
    env |= {
        "PYTHONPATH": str(project),
        "LNANALYSIS_SHARED": str(project / "none"),
        "LNANALYSIS_YEARBOOK_CACHE": str(project / "yearbook-cache"),
        **spec.env,
    }
    address_space = SAFETY_NET if spec.ceiling_mb else 0
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "maxrss"
        limits = [str(address_space), str(-1 if spec.fsize is None else spec.fsize), str(report)]
        with open(Path(folder) / "out", "w+b") as out, open(Path(folder) / "err", "w+b") as err:
            start = time.monotonic()
            proc = subprocess.Popen(
                [sys.executable, "-c", _LAUNCHER, *limits, *spec.args],
                cwd=project,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out if spec.stdout is None else spec.stdout,
                stderr=err,
                start_new_session=True,  # one process group: a hung case is killed whole
            )
            timer = threading.Timer(spec.seconds * 1.5 + 2, _kill_group, (proc.pid,))
            timer.start()
            try:
                code = proc.wait()
            finally:
                timer.cancel()
            elapsed = time.monotonic() - start
            out.seek(0)
            err.seek(0)
            stdout, stderr = (f.read().decode("utf-8", "replace") for f in (out, err))
        peak = int(report.read_text()) / 1024 if report.exists() else float("inf")  # kB
    return Ran(code, stdout, stderr, peak, elapsed)


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    """One copy of the package, data/ and notebooks/ (and the backtest cache, for speed)."""
    copy = tmp_path_factory.mktemp("pristine")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "explore")
    for part in ("lnanalysis", "data", "notebooks"):
        shutil.copytree(ROOT / part, copy / part, ignore=ignore)
    if (ROOT / ".cache").is_dir():
        shutil.copytree(ROOT / ".cache", copy / ".cache")
    (copy / ".cache").mkdir(exist_ok=True)
    return copy


class _Handler(http.server.BaseHTTPRequestHandler):
    """A SYNTHETIC mirror: endless, hung, not-HTTP, redirecting or missing answers."""

    protocol_version = "HTTP/1.1"
    stop = threading.Event()

    def do_GET(self):
        if self.path.startswith("/endless/"):
            self.send_response(200)
            self.end_headers()
            block = b"\0" * (1 << 16)
            try:
                while not self.stop.is_set():
                    self.wfile.write(block)
            except OSError:
                return
        elif self.path.startswith("/hang/"):
            self.stop.wait(60)
        elif self.path.startswith("/garbage/"):
            self.wfile.write(b"THIS IS NOT HTTP\r\n\r\n")
        elif self.path.startswith("/loop/"):
            self.send_response(302)
            self.send_header("Location", self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path.startswith("/broken/"):
            self.send_response(500)
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
        self.close_connection = True

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server_url():
    """Serve the SYNTHETIC mirror on 127.0.0.1 for the fetch cases."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.block_on_close = False
    _Handler.stop.clear()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    _Handler.stop.set()
    server.shutdown()
    server.server_close()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- SYNTHETIC files -----------------------------------------------------------------------

ROWS = [
    ["1-1 各地区测试指标(2019年)"],
    ["单位：万元"],
    ["地区", "Region", "经费"],
    ["北京", "Beijing", 1],
    ["辽宁", "Liaoning", 2],
]
BLOCK = YEARBOOK_BLOCK
SHEET = "xl/worksheets/sheet1.xml"
MAIN_NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def _layout(**block):
    from lnanalysis.extract.yearbook.layouts import layout_from_spec

    spec = {"file": "t.xlsx", "table_zh": "测试", "blocks": [{**BLOCK, **block}]}
    return layout_from_spec("synthetic", spec)


def _xlsx(tmp: Path, name: str = "t.xlsx", parts: dict | None = None) -> Path:
    """Write a SYNTHETIC .xlsx of ROWS; ``parts`` maps part names to XML rewriters."""
    wb = openpyxl.Workbook()
    wb.active.title = "1"
    for row in ROWS:
        wb.active.append(row)
    plain = io.BytesIO()
    wb.save(plain)
    path = tmp / name
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            body = src.read(item)
            if parts and item.filename in parts:
                body = parts[item.filename](body)
            out.writestr(item.filename, body)
    return path


def _prefixed(xml: bytes) -> bytes:
    """Bind SpreadsheetML to the prefix ``x:`` (valid OOXML, as some tools write it)."""
    xml = xml.replace(MAIN_NS, MAIN_NS.replace(b"xmlns=", b"xmlns:x="))
    return re.sub(rb"<(/?)(?![?!])([A-Za-z])", rb"<\1x:\2", xml)


def _xls(path: Path, cells: dict[tuple[int, int], float], sheet: str = "1") -> Path:
    """Write a minimal SYNTHETIC .xls: a BIFF8 workbook of numbers in an OLE2 container."""

    def rec(kind: int, body: bytes = b"") -> bytes:
        return struct.pack("<HH", kind, len(body)) + body

    def bof(kind: int) -> bytes:
        return rec(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 0x0206))

    rows, cols = max(r for r, _ in cells) + 1, max(c for _, c in cells) + 1
    body = bof(0x0010) + rec(0x0200, struct.pack("<IIHHH", 0, rows, 0, cols, 0))
    for (r, c), v in sorted(cells.items()):
        body += rec(0x0203, struct.pack("<HHHd", r, c, 0, v))  # NUMBER
    body += rec(0x000A)
    font = struct.pack("<HHHHHBBBBBB", 200, 0, 0x7FFF, 400, 0, 0, 0, 0, 0, 5, 0) + b"Arial"
    font = rec(0x0031, font)
    xf = rec(0x00E0, struct.pack("<HHHBBBBIIH", 0, 0, 0xFFF5, 0x20, 0, 0, 0, 0, 0, 0x20C0))
    head = bof(0x0005) + rec(0x0042, struct.pack("<H", 1200)) + font * 5 + xf * 16
    name = sheet.encode("latin-1")
    offset = len(head) + 4 + 8 + len(name) + 4
    sheets = rec(0x0085, struct.pack("<IBBBB", offset, 0, 0, len(name), 0) + name)
    stream = head + sheets + rec(0x000A) + body
    stream += b"\0" * max(0, 4096 - len(stream))  # a regular stream, not a mini stream
    n = -(-len(stream) // 512)
    end, free = 0xFFFFFFFE, 0xFFFFFFFF
    fat = [0xFFFFFFFD, end, *range(3, n + 2), end]
    fat += [free] * (128 - len(fat))
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
    header += struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
    header += struct.pack("<9I", 0, 1, 1, 0, 4096, end, 0, end, 0)
    header += struct.pack("<I", 0) + struct.pack("<I", free) * 108

    def entry(label: str, kind: int, child: int, start: int, size: int) -> bytes:
        raw = label.encode("utf-16-le") + b"\0\0" if label else b""
        return (
            raw.ljust(64, b"\0")
            + struct.pack("<HBB", len(raw), kind, 1 if label else 0)
            + struct.pack("<III", free, free, child)
            + b"\0" * 36
            + struct.pack("<III", start, size, 0)
        )

    directory = entry("Root Entry", 5, 1, end, 0) + entry("Workbook", 2, free, 2, len(stream))
    directory += entry("", 0, free, 0, 0) * 2
    path.write_bytes(header + struct.pack("<128I", *fat) + directory + stream.ljust(n * 512, b"\0"))
    return path


def _html_table(path: Path, note: str = "", english: dict | None = None) -> Path:
    """Write a SYNTHETIC web table under an Excel name, with an optional footnote."""
    rows = ["<tr><td>1-1 各地区测试指标(2019年)</td></tr>", "<tr><td>单位：万元</td></tr>"]
    rows.append("<tr><td>地区</td><td>Region</td><td>经费</td></tr>")
    for i, (zh, en) in enumerate(PROVINCES, 1):
        en = (english or {}).get(zh, en)
        rows.append(f"<tr><td>{zh}</td><td>{en}</td><td>{i}</td></tr>")
    if note:
        rows.append(f"<tr><td>{note}</td></tr>")
    path.write_text(f"<html><body><table>{''.join(rows)}</table></body></html>", encoding="utf-8")
    return path


SOURCE = RAW_SOURCE


def _raw_dir(tmp: Path, rows=(RAW_ROW,), source=None, sidecar=None) -> Path:
    """Make a SYNTHETIC data/raw: a workbook, its sidecar (``sidecar`` edits it), sources.yaml."""
    from lnanalysis.extract.provenance import sidecar_path, write_sidecar

    raw = tmp / "raw"
    raw.mkdir()
    wb = openpyxl.Workbook()
    wb.active.title = "data"
    for row in (RAW_HEADER, *rows):
        wb.active.append(list(row))
    for row in wb.active.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"  # text, as a real export holds it, never a formula
    wb.save(raw / "syn.xlsx")
    meta = write_sidecar(
        raw / "syn.xlsx", title="SYNTHETIC", publisher="tests", url="https://example.org",
        access_date=TODAY,
    )  # fmt: skip
    if sidecar is not None:
        text = sidecar(meta.read_text(encoding="utf-8"))
        data = text if isinstance(text, bytes) else text.encode("utf-8")
        sidecar_path(raw / "syn.xlsx").write_bytes(data)
    doc = {"sources": [SOURCE if source is None else source]}
    (raw / "sources.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return raw


def _build_observations(raw: Path):
    import datetime as dt

    from lnanalysis.store.observations import build_observations

    return lambda: build_observations(raw, dt.date.fromisoformat(TODAY))


def _targets_text() -> str:
    return (CONFIG_DIR / "targets.yaml").read_text(encoding="utf-8")


def _registry(tmp: Path, text: str | bytes) -> Callable[[], object]:
    from lnanalysis.targets.registry import load_registry

    path = tmp / "targets.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return lambda: load_registry(path)


def _edit_target(index: int = 1, drop: str | None = None, **changes) -> str:
    """Return the plan's registry as YAML, one target changed (index 1: the R&D doubling)."""
    doc = yaml.safe_load(_targets_text())
    doc["targets"][index].update(changes)
    if drop:
        del doc["targets"][index][drop]
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


def _index_of(kind: str) -> int:
    doc = yaml.safe_load(_targets_text())
    return next(i for i, t in enumerate(doc["targets"]) if t["kind"] == kind)


def _compiled(tmp: Path, note: str = "final", extra: bytes = b"") -> Path:
    """Make a SYNTHETIC shared folder holding the three compiled CSVs that import-raw carries."""
    from lnanalysis.extract.compiled import compiled_files

    data = tmp / "shared" / "data"
    data.mkdir(parents=True)
    for name in (f["file"] for f in compiled_files()):
        text = ",".join(RAW_HEADER) + "\n" + ",".join(RAW_ROW[:-1]) + f',"{note}"\n'
        (data / name).write_bytes(text.encode("utf-8") + extra)
    return tmp / "shared"


def _values_csv(tmp: Path, name: str = "figures.csv", body: str | None = None) -> Path:
    path = tmp / name
    header = "region,indicator,year,value,unit,source_url,source_title\n"
    row = "LN,rd_expenditure,2024,701.5,亿元,https://example.org/a,SYNTHETIC bulletin\n"
    path.write_text(header + (row if body is None else body), encoding="utf-8")
    return path


def _edit_file(path: Path, edit: Callable[[str], str | bytes]) -> None:
    new = edit(path.read_text(encoding="utf-8"))
    path.write_bytes(new if isinstance(new, bytes) else new.encode("utf-8"))


IMPORT = ("--version", "2026-12-05", "--title", "SYNTHETIC", "--publisher", "tests")
ADD = ("add-value", "--region", "LN", "--indicator", "rd_expenditure", "--year", "2024")
ADD += ("--unit", "亿元", "--status", "final", "--source-title", "SYNTHETIC bulletin")

# --- the registries of cases ---------------------------------------------------------------

API: list = []
CLI: list = []


def _marks(xfail: str | None, slow: bool) -> list:
    marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
    return [*marks, pytest.mark.slow] if slow else marks


def api(error: type[Exception], pattern: str, *, xfail: str | None = None, slow: bool = False):
    """Register an API case: ``builder(ctx)()`` raises ``error`` matching ``pattern``."""

    def add(builder):
        name = builder.__name__.removeprefix("_api_")
        API.append(pytest.param(builder, error, pattern, id=name, marks=_marks(xfail, slow)))
        return builder

    return add


def cli(pattern: str | None, *, xfail: str | None = None, slow: bool = False):
    """Register a CLI case: ``builder(ctx)`` returns a Cli; stderr matches ``pattern``."""

    def add(builder):
        name = builder.__name__.removeprefix("_cli_")
        CLI.append(pytest.param(builder, pattern, id=name, marks=_marks(xfail, slow)))
        return builder

    return add


# --- 3. size guards ------------------------------------------------------------------------


@cli(r"^error: .*zero: not a regular file \(a device, pipe or socket\)$")
def _cli_read_yearbook_from_dev_zero(ctx):
    return Cli(("read-yearbook", "/dev/zero"), ceiling_mb=CEILING_MB, seconds=BOMB_SECONDS)


@cli(r"^error: .*table\.xlsx: not a regular file \(a device, pipe or socket\)$")
def _cli_read_yearbook_from_a_fifo(ctx):
    fifo = ctx.tmp / "table.xlsx"
    os.mkfifo(fifo)
    return Cli(("read-yearbook", str(fifo)), ceiling_mb=CEILING_MB, seconds=BOMB_SECONDS)


@cli(r"^error: .*tables\.xlsx: not a regular file \(a folder\)$")
def _cli_read_yearbook_of_a_folder(ctx):
    (ctx.tmp / "tables.xlsx").mkdir()
    return Cli(("read-yearbook", str(ctx.tmp / "tables.xlsx")))


@cli(r"^error: .*huge\.xlsx: \d+ MB, over the \d+ MB limit for a table$")
def _cli_read_yearbook_of_a_sparse_file_past_the_size_limit(ctx):
    path = ctx.tmp / "huge.xlsx"
    with open(path, "wb") as fh:
        fh.truncate(70 << 20)  # sparse: 70 MiB on paper, nothing on disk
    return Cli(("read-yearbook", str(path)), ceiling_mb=CEILING_MB, seconds=BOMB_SECONDS)


@cli(r"^error: .*bomb\.xlsx: expands to 2\d\d MB.*zip bomb\)$")
def _cli_read_yearbook_of_a_zip_bomb(ctx):
    def inflate(xml):
        head, tail = xml.split(b"</sheetData>")
        return head + b" " * (201 << 20) + b"</sheetData>" + tail

    path = _xlsx(ctx.tmp, "bomb.xlsx", {SHEET: inflate})
    assert path.stat().st_size < 2_000_000
    return Cli(("read-yearbook", str(path)), ceiling_mb=CEILING_MB, seconds=BOMB_SECONDS)


def _last_row(xml: bytes) -> bytes:
    """Add one cell on Excel's last row (1,048,576) to a sheet's XML."""
    cell = b'<row r="1048576"><c r="C1048576"><v>1</v></c></row></sheetData>'
    return xml.replace(b"</sheetData>", cell)


@cli(r"^error: .*huge\.xlsx, sheet '1': sheet spans 1,048,576 rows.*\(refused unread\)$")
def _cli_read_yearbook_of_a_sheet_reaching_row_1048576(ctx):
    path = _xlsx(ctx.tmp, "huge.xlsx", {SHEET: _last_row})
    return Cli(("read-yearbook", str(path)), ceiling_mb=CEILING_MB, seconds=BOMB_SECONDS)


@cli(r"^error: .*norefs\.xlsx, sheet '1': sheet spans [\d,]+ rows x 16,384 columns.*\(refused")
def _cli_read_yearbook_of_a_sheet_without_cell_references(ctx):
    def no_refs(xml):
        wide = b"<row>" + b"<c/>" * 16_383 + b"<c><v>1</v></c></row>"
        rows = wide + b"<row><c><v>1</v></c></row>" * 1_999
        return (
            b'<?xml version="1.0"?><worksheet '
            + MAIN_NS
            + b"><sheetData>"
            + rows
            + (b"</sheetData></worksheet>")
        )

    path = _xlsx(ctx.tmp, "norefs.xlsx", {SHEET: no_refs})
    assert path.stat().st_size < 20_000
    return Cli(("read-yearbook", str(path)), ceiling_mb=CEILING_MB, seconds=BOMB_SECONDS)


@cli(r"^error: .*prefixed\.xlsx, sheet '1': sheet spans 1,048,576 rows.*\(refused unread\)$")
def _cli_read_yearbook_of_a_namespace_prefixed_huge_sheet(ctx):
    parts = {SHEET: lambda xml: _prefixed(_last_row(xml)), "xl/workbook.xml": _prefixed}
    path = _xlsx(ctx.tmp, "prefixed.xlsx", parts)
    return Cli(("read-yearbook", str(path)), ceiling_mb=CEILING_MB, seconds=BOMB_SECONDS)


@api(E.ValueParseError, r"prefixed\.xlsx, sheet '1', cell C4: formula")
def _api_namespace_prefixed_formula_without_cached_value(ctx):
    from lnanalysis.extract.yearbook import read_yearbook

    def formula(xml):
        return _prefixed(re.sub(rb'<c r="C4"[^>]*>.*?</c>', b'<c r="C4"><f>1+1</f></c>', xml))

    path = _xlsx(ctx.tmp, "prefixed.xlsx", {SHEET: formula, "xl/workbook.xml": _prefixed})
    return lambda: read_yearbook(path, layout=_layout())


@cli(r"^error: .*far\.xls, sheet '1': sheet spans 65,536 rows x 256 columns.*\(refused unread\)$")
def _cli_read_yearbook_of_an_xls_with_one_cell_at_iv65536(ctx):
    path = _xls(ctx.tmp / "far.xls", {(0, 0): 1.0, (65_535, 255): 2.0})
    assert path.stat().st_size < 10_000
    return Cli(("read-yearbook", str(path)), ceiling_mb=CEILING_MB, seconds=BOMB_SECONDS)


@cli(
    r"^error: .*span\.xls: .*(span|cells|limit).*$",
)
def _cli_read_yearbook_of_an_html_table_with_huge_spans(ctx):
    path = ctx.tmp / "span.xls"
    path.write_text('<html><table><tr><td rowspan="100000" colspan="16384">x</td></tr></table>')
    return Cli(("read-yearbook", str(path)), ceiling_mb=CEILING_MB, seconds=BOMB_SECONDS)


@api(E.WorkbookError, r"zero\.xlsx: not a regular file \(a device, pipe or socket\)")
def _api_symlink_to_dev_zero(ctx):
    from lnanalysis.extract.yearbook import read_yearbook

    (ctx.tmp / "zero.xlsx").symlink_to("/dev/zero")
    return lambda: read_yearbook(ctx.tmp / "zero.xlsx", layout=_layout())


@api(E.WorkbookError, r"gone\.xlsx: cannot open: No such file or directory")
def _api_missing_workbook(ctx):
    from lnanalysis.extract.yearbook import read_yearbook

    return lambda: read_yearbook(ctx.tmp / "gone.xlsx", layout=_layout())


@api(
    E.LayoutError,
    r"block 1: .*data",
)
def _api_layout_map_with_a_billion_data_rows(ctx):
    return lambda: _layout(data=[4, 1_000_000_000])


@api(
    E.LayoutError,
    r"block 1: .*columns",
)
def _api_layout_map_with_columns_past_xfd(ctx):
    return lambda: _layout(columns="C:ZZZ")


# --- 4. fetch ------------------------------------------------------------------------------


@cli(r"^error: .*mirror/nbs-sci-tech-yearbook-cnki/\S+\.xls: cannot open: No such file")
def _cli_fetch_from_a_mirror_folder_missing_the_file(ctx):
    (ctx.tmp / "mirror").mkdir()
    return Cli(("fetch-yearbooks", "--mirror", str(ctx.tmp / "mirror")))


@cli(r"^error: file:///\S+\.xls: cannot fetch: .*No such file or directory")
def _cli_fetch_from_a_file_url_mirror(ctx):
    return Cli(("fetch-yearbooks", "--mirror", (ctx.tmp / "nowhere").as_uri()))


@cli(r"^error: http://127\.0\.0\.1:\d+/missing/\S+\.xls: cannot fetch: HTTP 404 Not Found$")
def _cli_fetch_answered_404(ctx):
    return Cli(("fetch-yearbooks", "--mirror", f"{ctx.url}/missing"))


@cli(r"^error: http://127\.0\.0\.1:\d+/broken/\S+\.xls: cannot fetch: HTTP 500")
def _cli_fetch_answered_500(ctx):
    return Cli(("fetch-yearbooks", "--mirror", f"{ctx.url}/broken"))


@cli(r"^error: http://127\.0\.0\.1:\d+/x/\S+\.xls: cannot fetch: .*Connection refused$")
def _cli_fetch_from_a_closed_port(ctx):
    return Cli(("fetch-yearbooks", "--mirror", f"http://127.0.0.1:{_closed_port()}/x"))


@cli(r"^error: http://mirror\.invalid/\S+\.xls: cannot fetch: .*(not known|resolution|name)")
def _cli_fetch_with_no_network(ctx):
    # .invalid never resolves (RFC 2606): what a machine without network or DNS sees
    return Cli(("fetch-yearbooks", "--mirror", "http://mirror.invalid"))


def _cache_holds_no_file(ran: Ran, cache: Path) -> None:
    left = [p for p in cache.rglob("*") if p.is_file()] if cache.exists() else []
    assert not left, f"temporary files left in the cache: {left}"


@cli(r"^error: http://127\.0\.0\.1:\d+/endless/\S+\.xls: answer larger than \d+ MB: refused$")
def _cli_fetch_of_an_endless_answer(ctx):
    cache = ctx.project / "yearbook-cache"
    return Cli(
        ("fetch-yearbooks", "--mirror", f"{ctx.url}/endless"),
        ceiling_mb=CEILING_MB,
        seconds=BOMB_SECONDS,
        check=lambda ran: _cache_holds_no_file(ran, cache),
    )


@cli(
    r"^error: http://127\.0\.0\.1:\d+/garbage/\S+\.xls: cannot fetch: .*$",
)
def _cli_fetch_of_an_answer_that_is_not_http(ctx):
    return Cli(("fetch-yearbooks", "--mirror", f"{ctx.url}/garbage"))


@cli(
    r"^error: .*cannot fetch: .*$",
)
def _cli_fetch_from_a_malformed_url(ctx):
    return Cli(("fetch-yearbooks", "--mirror", "http://[::1"))


@cli(
    r"^error: http://127\.0\.0\.1:\d+/loop/\S+\.xls: cannot fetch: HTTP 302.*$",
)
def _cli_fetch_caught_in_a_redirect_loop(ctx):
    return Cli(("fetch-yearbooks", "--mirror", f"{ctx.url}/loop"))


@api(E.InputError, r"http://127\.0\.0\.1:\d+/hang/\S+\.xls: cannot fetch: timed out")
def _api_fetch_from_a_mirror_that_never_answers(ctx):
    from lnanalysis.extract.yearbook import fetch
    from lnanalysis.extract.yearbook.manifest import manifest

    known = next(iter(manifest().values()))

    def run():
        before, fetch.TIMEOUT_SECONDS = fetch.TIMEOUT_SECONDS, 1
        try:
            fetch.fetch_one(known, ctx.tmp / "cache", f"{ctx.url}/hang")
        finally:
            fetch.TIMEOUT_SECONDS = before

    return run


@api(E.ChecksumError, r"mirror/\S+\.xls: sha256 [0-9a-f]{64} does not match the manifest")
def _api_fetch_of_a_changed_copy_from_a_mirror(ctx):
    from lnanalysis.extract.yearbook.fetch import fetch_one
    from lnanalysis.extract.yearbook.manifest import manifest

    known = next(iter(manifest().values()))
    copy = ctx.tmp / "mirror" / known.file
    copy.parent.mkdir(parents=True)
    copy.write_bytes(b"SYNTHETIC: not the manifest's file")

    def run():
        try:
            fetch_one(known, ctx.tmp / "cache", str(ctx.tmp / "mirror"))
        finally:
            assert not [p for p in (ctx.tmp / "cache").rglob("*") if p.is_file()]

    return run


@api(E.ChecksumError, r"mirror/\S+\.xls: sha256 [0-9a-f]{64} does not match the manifest")
def _api_fetch_replaces_a_tampered_cached_file_instead_of_using_it(ctx):
    from lnanalysis.extract.yearbook.fetch import fetch_one
    from lnanalysis.extract.yearbook.manifest import manifest

    known = next(iter(manifest().values()))
    for folder in ("cache", "mirror"):
        (ctx.tmp / folder / known.file).parent.mkdir(parents=True)
        (ctx.tmp / folder / known.file).write_bytes(b"SYNTHETIC: tampered")
    return lambda: fetch_one(known, ctx.tmp / "cache", str(ctx.tmp / "mirror"))


@api(E.WorkbookError, r"\.xls: not a regular file \(a device, pipe or socket\)")
def _api_fetch_from_a_mirror_whose_file_is_a_fifo(ctx):
    from lnanalysis.extract.yearbook.fetch import fetch_one
    from lnanalysis.extract.yearbook.manifest import manifest

    known = next(iter(manifest().values()))
    fifo = ctx.tmp / "mirror" / known.file
    fifo.parent.mkdir(parents=True)
    os.mkfifo(fifo)
    return lambda: fetch_one(known, ctx.tmp / "cache", str(ctx.tmp / "mirror"))


# --- 6. configuration that must be refused -------------------------------------------------


@api(E.RegistryError, r"target rd_expenditure_doubling: a growth multiple must be positive, not 0")
def _api_registry_doubling_to_zero(ctx):
    return _registry(ctx.tmp, _edit_target(target_value=0))


@api(E.RegistryError, r"target rd_expenditure_doubling: a growth multiple must be positive, not -2")
def _api_registry_doubling_to_minus_two(ctx):
    return _registry(ctx.tmp, _edit_target(target_value=-2))


@api(
    E.RegistryError,
    r"target rd_expenditure_doubling: .*(finite|positive).*inf",
)
def _api_registry_doubling_to_infinity(ctx):
    return _registry(ctx.tmp, _edit_target(target_value=float("inf")))


@api(E.RegistryError, r"target \w+: a share target must lie within 0-100, not \[150\.0\]")
def _api_registry_share_of_150(ctx):
    return _registry(ctx.tmp, _edit_target(_index_of("share"), target_value=150))


@api(E.RegistryError, r"target \w+: a count target must be positive, not \[0\.0\]")
def _api_registry_count_of_zero(ctx):
    return _registry(ctx.tmp, _edit_target(_index_of("stock_count"), target_value=0))


@api(E.InputError, r"targets\.yaml: line \d+: invalid YAML: key 'target_value' repeated")
def _api_registry_key_repeated_inside_one_target(ctx):
    lines = _edit_target().splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("  target_value: 2"))
    lines.insert(at + 1, "  target_value: 200\n")
    return _registry(ctx.tmp, "".join(lines))


@cli(
    r"^.*error: argument --baseline-year: .*2025.*$",
)
def _cli_scorecard_with_baseline_after_the_target_year(ctx):
    # A refusal takes a second or two; the accepted command computes for 10-20 s and is cut
    return Cli(("scorecard", "--baseline-year", "2025", "--format", "csv"), usage=True, seconds=5)


@cli(r"^python -m lnanalysis scorecard: error: argument --as-of: --as-of 2100 is outside 2000-\d+$")
def _cli_scorecard_as_of_2100(ctx):
    return Cli(("scorecard", "--as-of", "2100"), usage=True)


@cli(r"^python -m lnanalysis project: error: argument --to: --to 9999 is outside 2000-\d+$")
def _cli_project_to_9999(ctx):
    return Cli(("project", "rd_expenditure", "--to", "9999"), usage=True)


@cli(r"^error: --to 2041 is \d+ years past the last value \(\d+\); projections stop at 15 years")
def _cli_project_past_the_horizon(ctx):
    return Cli(("project", "rd_expenditure", "--to", "2041"))


@cli(r"^error: unknown model\(s\) \['foo'\]; choose from drift, loglinear, ets, theta$")
def _cli_explore_with_an_unknown_model(ctx):
    return Cli(("explore", "--models", "foo"))


@api(E.UnknownRegionError, r"unknown region code 'XX'")
def _api_explore_in_an_unknown_region(ctx):
    return _render_explore(ctx.tmp, region="XX")


@api(
    E.InputError,
    r"target.value",
)
def _api_explore_with_a_target_value_of_nan(ctx):
    return _render_explore(ctx.tmp, target_value=float("nan"))


def _render_explore(tmp: Path, **changes):
    """Call render_explore; a kernel start fails the case (parameters are checked first)."""
    import papermill

    from lnanalysis.pipeline import explore

    params = dict(region="LN", indicator="rd_expenditure", as_of=None, models="drift")
    params |= dict(target_value=None, target_year=2020)
    params |= changes

    def run():
        def no_kernel(*_a, **_k):
            raise AssertionError("a kernel was started")

        saved = papermill.execute_notebook, explore.NOTEBOOKS_DIR
        papermill.execute_notebook, explore.NOTEBOOKS_DIR = no_kernel, tmp  # nothing in notebooks/
        try:
            explore.render_explore(**params)
        finally:
            papermill.execute_notebook, explore.NOTEBOOKS_DIR = saved

    return run


# --- 7. YAML and encodings: tracebacks that must be one line ------------------------------


@api(E.InputError, r"targets\.yaml: line \d+: invalid YAML: .*python/object/apply:os\.system")
def _api_registry_with_a_python_tag(ctx):
    return _registry(ctx.tmp, "evil: !!python/object/apply:os.system ['true']\n" + _targets_text())


@api(E.InputError, r"targets\.yaml: line \d+: invalid YAML: found character '\\t'")
def _api_registry_indented_with_a_tab(ctx):
    return _registry(ctx.tmp, _targets_text().replace("\n  - id:", "\n\t- id:", 1))


@api(E.RegistryError, r"targets\.yaml: no 'targets:' list")
def _api_registry_empty_file(ctx):
    return _registry(ctx.tmp, "")


@api(EncodingError, r"targets\.yaml, row \d+: not UTF-8 .*GBK/GB18030")
def _api_registry_saved_as_gbk(ctx):
    return _registry(ctx.tmp, _targets_text().encode("gb18030"))


@api(
    E.RegistryError,
    r"targets\.yaml.*rd_expenditure_doubling.*clause",
)
def _api_registry_target_missing_a_key(ctx):
    return _registry(ctx.tmp, _edit_target(drop="clause"))


@api(
    E.RegistryError,
    r"targets\.yaml.*rd_expenditure_doubling.*target_value.*'two'",
)
def _api_registry_target_value_in_words(ctx):
    return _registry(ctx.tmp, _edit_target(target_value="two"))


@api(
    E.RegistryError,
    r"targets\.yaml.*rd_expenditure_doubling.*target_year",
)
def _api_registry_target_year_in_chinese_numerals(ctx):
    return _registry(ctx.tmp, _edit_target(target_year="二〇二〇"))


@api(
    E.RegistryError,
    r"targets\.yaml.*target_range",
)
def _api_registry_range_with_one_end(ctx):
    return _registry(ctx.tmp, _edit_target(target_range=[1]))


@api(
    E.RegistryError,
    r"targets\.yaml.*(mapping|target 1)",
)
def _api_registry_targets_that_are_not_mappings(ctx):
    return _registry(ctx.tmp, "plan: {}\ntargets: [1, 2]\n")


@api(
    E.RegistryError,
    r"targets\.yaml.*rd_expenditure_doubling.*unknown unit '斤'",
)
def _api_registry_target_in_an_unknown_unit(ctx):
    return _registry(ctx.tmp, _edit_target(unit="斤"))


@api(E.InputError, r"syn\.xlsx\.meta\.yaml: line \d+: invalid YAML: .*python/object")
def _api_sidecar_with_a_python_tag(ctx):
    tag = "x: !!python/object:os.system {}\n"
    return _build_observations(_raw_dir(ctx.tmp, sidecar=lambda t: t + tag))


@api(E.InputError, r"syn\.xlsx\.meta\.yaml: line 2: invalid YAML: found character '\\t'")
def _api_sidecar_indented_with_a_tab(ctx):
    return _build_observations(
        _raw_dir(ctx.tmp, sidecar=lambda t: t.replace("\npublisher", "\n\tpublisher"))
    )


@api(E.InputError, r"syn\.xlsx\.meta\.yaml: sidecar lacks md5$")
def _api_sidecar_missing_a_key(ctx):
    drop = lambda t: "".join(x for x in t.splitlines(True) if not x.startswith("md5"))  # noqa: E731
    return _build_observations(_raw_dir(ctx.tmp, sidecar=drop))


@api(
    E.InputError,
    r"syn\.xlsx\.meta\.yaml.*bytes.*'two'",
)
def _api_sidecar_with_bytes_in_words(ctx):
    return _build_observations(
        _raw_dir(ctx.tmp, sidecar=lambda t: re.sub(r"(?m)^bytes: .*$", "bytes: two", t))
    )


@api(E.InputError, r"syn\.xlsx\.meta\.yaml: sidecar lacks title, publisher, url, access_date")
def _api_sidecar_empty(ctx):
    return _build_observations(_raw_dir(ctx.tmp, sidecar=lambda t: ""))


@api(EncodingError, r"syn\.xlsx\.meta\.yaml, row \d+: not UTF-8 .*GBK/GB18030")
def _api_sidecar_saved_as_gbk(ctx):
    return _build_observations(
        _raw_dir(ctx.tmp, sidecar=lambda t: (t + "note: 辽宁省统计局\n").encode("gb18030"))
    )


@api(E.InputError, r"syn\.xlsx\.meta\.yaml: a sidecar must be a mapping of fields$")
def _api_sidecar_that_is_a_list(ctx):
    return _build_observations(_raw_dir(ctx.tmp, sidecar=lambda t: "- title\n- md5\n"))


@api(
    E.InputError,
    r"syn\.xlsx\.meta\.yaml.*(line \d+|access_date).*(date|day)",
)
def _api_sidecar_with_an_impossible_date(ctx):
    edit = lambda t: re.sub(r"(?m)^access_date: .*$", "access_date: 2026-02-30", t)  # noqa: E731
    return _build_observations(_raw_dir(ctx.tmp, sidecar=edit))


@api(
    E.InputError,
    r"odd\.yaml: line \d+: invalid YAML",
)
def _api_yaml_with_a_list_as_a_key(ctx):
    from lnanalysis.core.config import read_yaml

    (ctx.tmp / "odd.yaml").write_text("? [a, b]\n: 1\n", encoding="utf-8")
    return lambda: read_yaml(ctx.tmp / "odd.yaml")


@api(E.InputError, r"sources\.yaml: source ids repeated: \['synthetic'\]")
def _api_sources_with_a_repeated_id(ctx):
    raw = _raw_dir(ctx.tmp)
    doc = {"sources": [SOURCE, SOURCE]}
    (raw / "sources.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    return _build_observations(raw)


@api(E.InputError, r"syn\.xlsx, sheet 'nope': cannot read sheet")
def _api_sources_naming_a_missing_sheet(ctx):
    return _build_observations(_raw_dir(ctx.tmp, source={**SOURCE, "sheet": "nope"}))


@api(
    E.InputError,
    r"sources\.yaml.*synthetic.*sheet",
)
def _api_sources_entry_without_a_sheet(ctx):
    return _build_observations(
        _raw_dir(ctx.tmp, source={k: v for k, v in SOURCE.items() if k != "sheet"})
    )


@api(
    E.InputError,
    r"sources\.yaml.*source_url",
)
def _api_sources_columns_without_source_url(ctx):
    columns = {k: v for k, v in SOURCE["columns"].items() if k != "source_url"}
    return _build_observations(_raw_dir(ctx.tmp, source={**SOURCE, "columns": columns}))


@api(
    E.InputError,
    r"sources\.yaml.*(mapping|entry 1)",
)
def _api_sources_entry_that_is_not_a_mapping(ctx):
    raw = _raw_dir(ctx.tmp)
    (raw / "sources.yaml").write_text("sources: [1]\n", encoding="utf-8")
    return _build_observations(raw)


@api(
    E.InputError,
    r"sources\.yaml.*format 'parquet'",
)
def _api_sources_with_an_unknown_format(ctx):
    return _build_observations(_raw_dir(ctx.tmp, source={**SOURCE, "format": "parquet"}))


@api(
    E.InputError,
    r"report_labels\.yaml: line \d+: invalid YAML",
)
def _api_report_labels_with_a_syntax_error(ctx):
    from lnanalysis.core.paths import FIGURES_DIR, PROCESSED_DIR
    from lnanalysis.report.web import load_inputs

    labels = ctx.tmp / "report_labels.yaml"
    labels.write_text((CONFIG_DIR / "report_labels.yaml").read_text(encoding="utf-8") + "x: [\n")
    return lambda: load_inputs(PROCESSED_DIR, FIGURES_DIR, CONFIG_DIR, None, labels)


def _repeat_top_key(text: str) -> str:
    key = next(line for line in text.splitlines() if re.match(r"^[A-Za-z_]\w*:", line))
    return text + "\n" + key.split(":")[0] + ": {}\n"


# One broken configuration file per case: the command that reads it names file and line
_BREAKS = {
    "tab": lambda t: t + "\textra: 1\n",
    "bracket": lambda t: t + "extra: [\n",
    "tag": lambda t: t + "extra: !!python/object/apply:os.system ['true']\n",
    "repeat": _repeat_top_key,
    "gbk": lambda t: (t + "# 辽宁\n").encode("gb18030"),
}


# Through the command line, one file per command that reads it
_CONFIG_CASES = [
    ("targets.yaml", ("scorecard", "--format", "csv"), "tab"),
    ("indicators.yaml", ("list-indicators",), "repeat"),
    ("units.yaml", ("list-indicators",), "gbk"),
    ("columns.yaml", ("build", "--data-only", "--force"), "tag"),
    ("source_tiers.yaml", ("build", "--data-only", "--force"), "bracket"),
    ("yearbook_overrides.yaml", ("read-yearbook", "t.xlsx"), "repeat"),
]


def _config_case(name: str, args: tuple[str, ...], how: str):
    def builder(ctx):
        _edit_file(ctx.project / "lnanalysis" / "config" / name, _BREAKS[how])
        return Cli(args)

    builder.__name__ = f"_cli_config_{name.removesuffix('.yaml')}_{how}"
    return cli(rf"^error: \S+/config/{_where(name, how)}")(builder)


def _where(name: str, how: str) -> str:
    if how == "gbk":
        return rf"{re.escape(name)}, row \d+: not UTF-8 .*GBK"
    return rf"{re.escape(name)}: line \d+: invalid YAML: "


for _name, _args, _how in _CONFIG_CASES:
    _config_case(_name, _args, _how)


# Every YAML file of the configuration (and data/raw/sources.yaml), through the strict reader
# that load_yaml uses; each broken in one of the ways YAML allows
_YAML_FILES = [*sorted(p.name for p in CONFIG_DIR.glob("*.yaml")), "sources.yaml"]


def _config_api_case(name: str, how: str):
    def builder(ctx):
        from lnanalysis.core.config import read_yaml
        from lnanalysis.core.paths import SOURCES_FILE

        source = SOURCES_FILE if name == "sources.yaml" else CONFIG_DIR / name
        path = ctx.tmp / name
        shutil.copyfile(source, path)
        _edit_file(path, _BREAKS[how])
        return lambda: read_yaml(path)

    builder.__name__ = f"_api_yaml_{name.removesuffix('.yaml')}_{how}"
    error = EncodingError if how == "gbk" else E.InputError
    return api(error, _where(name, how))(builder)


for _i, _name in enumerate(_YAML_FILES):
    _config_api_case(_name, list(_BREAKS)[_i % len(_BREAKS)])


@cli(
    r"^error: \S+regions\.csv, row \d+: not UTF-8",
)
def _cli_regions_csv_saved_as_gbk(ctx):
    _edit_file(ctx.project / "lnanalysis/config/regions.csv", lambda t: t.encode("gb18030"))
    return Cli(("list-regions", "辽宁"))


@cli(
    r"^error: \S+regions\.csv.*code",
)
def _cli_regions_csv_without_its_code_column(ctx):
    _edit_file(ctx.project / "lnanalysis/config/regions.csv", lambda t: "kode" + t[4:])
    return Cli(("list-regions", "辽宁"))


@cli(
    r"^error: \S+units\.yaml.*units",
)
def _cli_units_yaml_without_its_top_key(ctx):
    units = ctx.project / "lnanalysis/config/units.yaml"
    _edit_file(units, lambda t: t.replace("\nunits:", "\nunitz:"))
    return Cli(("list-indicators",))


@cli(
    r"^error: \S+yearbook_manifest\.csv.*sha256",
)
def _cli_yearbook_manifest_without_its_checksum_column(ctx):
    _edit_file(
        ctx.project / "lnanalysis/config/yearbook_manifest.csv",
        lambda t: t.replace(",sha256\n", ",sha\n", 1),
    )
    return Cli(("list-yearbooks",))


@cli(
    r"^error: \S+sources\.yaml.*sheet",
)
def _cli_build_with_a_source_entry_missing_its_sheet(ctx):
    sources = ctx.project / "data/raw/sources.yaml"
    # without `format: csv` an entry is a workbook, which needs its sheet named
    _edit_file(sources, lambda t: t.replace("    format: csv\n", "", 1))
    return Cli(("build", "--data-only", "--force"))


@cli(
    r"^error: \S*targets\.yaml.*clause",
)
def _cli_scorecard_with_a_target_missing_a_key(ctx):
    _edit_file(
        ctx.project / "lnanalysis/config/targets.yaml",
        lambda t: re.sub(r"(?m)^    clause: .*\n", "", t, count=1),
    )
    return Cli(("scorecard", "--format", "csv"))


@cli(r"^error: \S+targets\.yaml: line \d+: invalid YAML: .*python/object")
def _cli_scorecard_with_a_python_tag_in_the_registry(ctx):
    _edit_file(ctx.project / "lnanalysis/config/targets.yaml", lambda t: _BREAKS["tag"](t))
    return Cli(("scorecard", "--format", "csv"))


@cli(r"^error: targets\.yaml: no 'targets:' list$")
def _cli_scorecard_with_an_empty_registry(ctx):
    _edit_file(ctx.project / "lnanalysis/config/targets.yaml", lambda t: "")
    return Cli(("scorecard", "--format", "csv"))


@cli(
    r"^error: \S+\.meta\.yaml.*bytes.*'two'",
)
def _cli_build_with_a_sidecar_giving_bytes_in_words(ctx):
    meta = next((ctx.project / "data/raw/compiled").rglob("*.csv.meta.yaml"))
    _edit_file(meta, lambda t: re.sub(r"(?m)^bytes: .*$", "bytes: two", t))
    return Cli(("build", "--data-only", "--force"))


@cli(r"^error: \S+\.meta\.yaml: line \d+: invalid YAML: found character '\\t'")
def _cli_build_with_a_sidecar_indented_with_a_tab(ctx):
    meta = next((ctx.project / "data/raw/compiled").rglob("*.csv.meta.yaml"))
    _edit_file(meta, lambda t: t.replace("\npublisher", "\n\tpublisher", 1))
    return Cli(("build", "--data-only", "--force"))


def _no_new_folder(ran: Ran, folder: Path, before: set[str]) -> None:
    now = {p.name for p in folder.iterdir()}
    assert now == before, f"a failed import left {sorted(now - before)} in {folder}"


@cli(r"^error: \S+compiled/2026-11-28: exists; raw files are never overwritten")
def _cli_import_raw_onto_an_existing_version(ctx):
    shared = _compiled(ctx.tmp)
    return Cli(("import-raw", "--version", "2026-11-28"), env={"LNANALYSIS_SHARED": str(shared)})


@cli(
    r"^error: \S+liaoning_indicators\.csv, row 2: .*(NUL|control|character)",
)
def _cli_import_raw_of_a_csv_with_a_nul_byte(ctx):
    shared = _compiled(ctx.tmp, note="fin\0al")
    folder = ctx.project / "data/raw/compiled"
    before = {p.name for p in folder.iterdir()}
    return Cli(
        ("import-raw", "--version", "2026-12-05"),
        env={"LNANALYSIS_SHARED": str(shared)},
        check=lambda ran: _no_new_folder(ran, folder, before),
    )


@cli(r"^error: version '\.\./\.\./\.\.' must be a date, YYYY-MM-DD$")
def _cli_import_raw_with_a_version_leaving_data_raw(ctx):
    shared = _compiled(ctx.tmp)
    return Cli(("import-raw", "--version", "../../.."), env={"LNANALYSIS_SHARED": str(shared)})


@cli(r"^error: \S+none/data: compiled files missing: liaoning_indicators\.csv")
def _cli_import_raw_without_the_shared_folder(ctx):
    return Cli(("import-raw", "--version", "2026-12-05"))


@cli(r"^error: \S+out\.xlsx: --output exists and is not a regular file$")
def _cli_scorecard_output_onto_a_folder(ctx):
    (ctx.tmp / "out.xlsx").mkdir()
    return Cli(("scorecard", "--format", "xlsx", "--output", str(ctx.tmp / "out.xlsx")))


def _still_a_device(ran: Ran) -> None:
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode), "/dev/full was replaced"


@cli(r"^error: /dev/full: --output exists and is not a regular file$")
def _cli_scorecard_output_onto_dev_full(ctx):
    return Cli(("scorecard", "--format", "xlsx", "--output", "/dev/full"), check=_still_a_device)


@cli(r"^error: /sys/\S*card\.xlsx\S*: (Permission denied|Read-only file system)$")
def _cli_scorecard_output_into_an_unwritable_folder(ctx):
    return Cli(("scorecard", "--format", "xlsx", "--output", "/sys/card.xlsx"))


@cli(
    r"^error: \S+card\.xlsx\S*: File too large$",
)
def _cli_scorecard_xlsx_onto_a_full_disk(ctx):
    output = str(ctx.tmp / "card.xlsx")
    return Cli(("scorecard", "--format", "xlsx", "--output", output), fsize=4096)


def _no_staged_file(ran: Ran, folder: Path) -> None:
    assert not list(folder.rglob(".*.tmp")), "a staged file was left behind"


@cli(
    r"^error: \S+processed/\S+\.csv\S*: File too large$",
)
def _cli_build_onto_a_full_disk(ctx):
    processed = ctx.project / "data/processed"
    return Cli(
        ("build", "--data-only", "--force"),
        fsize=64 * 1024,
        check=lambda ran: _no_staged_file(ran, processed),
    )


def _not_half_imported(ran: Ran, project: Path) -> None:
    assert not (project / "data/raw/additions/2026-12-05").exists(), (
        "a failed import left its file and sidecar, unregistered: a retry is refused"
    )


@cli(
    r"^error: \S+: File too large$",
)
def _cli_import_values_onto_a_full_disk(ctx):
    csv = _values_csv(ctx.tmp)
    return Cli(
        ("import-values", str(csv), *IMPORT),
        fsize=1024,
        check=lambda ran: _not_half_imported(ran, ctx.project),
    )


# --- 8. smaller ones -----------------------------------------------------------------------


def _escaped_note(ran: Ran) -> None:
    assert "\x1b" not in ran.stderr and "\x07" not in ran.stderr
    assert "BJ" in ran.stdout


@cli(r"^# note A\d+: 注：SYNTHETIC \\x1b\[2J\\x1b\]0;title\\x07 end$")
def _cli_read_yearbook_escapes_terminal_controls_in_a_footnote(ctx):
    path = _html_table(ctx.tmp / "esc.xls", note="注：SYNTHETIC \x1b[2J\x1b]0;title\x07 end")
    return Cli(("read-yearbook", str(path)), code=0, check=_escaped_note)


def _formula_escaped(ran: Ran) -> None:
    frame = pd.read_csv(io.StringIO(ran.stdout), dtype=str)
    labels = set(frame["region_label_en"])
    assert '\'=HYPERLINK("https://example.org")' in labels, labels
    assert not any(str(v).startswith("=") for v in frame.to_numpy().ravel())


@cli(None)
def _cli_read_yearbook_csv_escapes_a_formula_like_label(ctx):
    path = _html_table(ctx.tmp / "fx.xls", english={"北京": '=HYPERLINK("https://example.org")'})
    return Cli(("read-yearbook", str(path)), code=0, check=_formula_escaped)


@cli(
    None,
)
def _cli_output_into_a_closed_pipe(ctx):
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first line is written
    return Cli(("list-regions",), code=0, stdout=write)


@cli(
    r"^\[lnanalysis\] discarded an unreadable backtest cache backtest-\w+\.pkl \(\w+\); recomput",
    slow=True,  # the backtest is recomputed: about 10 s
)
def _cli_backtest_with_a_torn_cache(ctx):
    from lnanalysis.backtest.panel import input_hash
    from lnanalysis.store.observations import load_preferred

    cache = ctx.project / ".cache"
    cache.unlink()  # this case's own cache, holding one half-written pickle
    cache.mkdir()
    torn = cache / f"backtest-{input_hash(load_preferred())}.pkl"
    torn.write_bytes(b"\x80\x04\x95\xff\xff\x00\x00\x00\x00\x00\x00}")
    return Cli(("backtest", "--format", "csv"), code=0, check=lambda ran: _rebuilt(torn))


def _rebuilt(path: Path) -> None:
    assert pd.read_pickle(path)["scores"] is not None, "the cache was not rebuilt"


# --- bad command lines, one or more per sub-command -----------------------------------------

_USAGE = [
    ((), r"the following arguments are required: command"),
    (("briefing",), r"argument command: invalid choice: 'briefing'"),
    (("build", "--fast"), r"unrecognized arguments: --fast"),
    (("scorecard", "--format", "pdf"), r"argument --format: invalid choice: 'pdf'"),
    (("scorecard", "--as-of", "20x8"), r"argument --as-of: --as-of '20x8' is not a whole year"),
    (("project",), r"the following arguments are required: indicator"),
    (("backtest", "--format", "xml"), r"argument --format: invalid choice: 'xml'"),
    (("read-yearbook",), r"the following arguments are required: file"),
    (("fetch-yearbooks", "--mirror"), r"argument --mirror: expected one argument"),
    (("explore", "--target-value", "abc"), r"argument --target-value: invalid float value: 'abc'"),
    (("explore", "--target-year", "2099"), r"argument --target-year: --target-year 2099 is out"),
    (("check-processed", "--format", "x"), r"argument --format: invalid choice: 'x'"),
    (("import-values", "x.csv"), r"the following arguments are required: --version, --title"),
    (ADD[:3], r"the following arguments are required: --indicator, --year"),
    (("add-value", "--year", "1990"), r"argument --year: --year 1990 is outside 2000-\d+"),
    (("list-regions", "a", "b"), r"unrecognized arguments: b"),
    (("list-indicators", "a", "b"), r"unrecognized arguments: b"),
    (("list-yearbooks", "a", "b"), r"unrecognized arguments: b"),
    (("check-layouts", "a", "b"), r"unrecognized arguments: b"),
    (("import-raw",), r"the following arguments are required: --version"),
    (("import-yearbooks", "a.xls"), r"the following arguments are required: --mapping, --version"),
]


def _usage_case(args: tuple[str, ...], message: str):
    def builder(ctx):
        return Cli(args, usage=True)

    slug = re.sub(r"\W+", "_", "_".join(args) or "no_command").strip("_")
    builder.__name__ = f"_cli_usage_{slug}"
    return cli(rf"^python -m lnanalysis[\w -]*: error: {message}")(builder)


for _args, _message in _USAGE:
    _usage_case(_args, _message)


@cli(r"^error: unknown indicator 'rd_spending'; did you mean rd_expenditure\? \(python -m ln")
def _cli_project_an_unknown_indicator(ctx):
    return Cli(("project", "rd_spending"))


@cli(r"^error: unknown region 'Mars' \(python -m lnanalysis list-regions\)$")
def _cli_project_in_an_unknown_region(ctx):
    return Cli(("project", "rd_expenditure", "--region", "Mars"))


@cli(r"^error: unknown region 'Narnia'; did you mean .*\(python -m lnanalysis list-regions\)$")
def _cli_list_regions_without_a_match(ctx):
    return Cli(("list-regions", "Narnia"))


@cli(
    r"^error: .*'zzzz'",
)
def _cli_list_yearbooks_without_a_match(ctx):
    return Cli(("list-yearbooks", "zzzz"))


@cli(r"^error: \S+t\.xlsx: no table 'nosuch' in the fetch manifest .*list-yearbooks\)$")
def _cli_read_yearbook_with_an_unknown_table_id(ctx):
    return Cli(("read-yearbook", str(_xlsx(ctx.tmp)), "--table", "nosuch"))


@cli(r"^error: \S+locked\.xlsx: encrypted workbook: the password given does not open it")
def _cli_read_yearbook_with_a_wrong_password(ctx):
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    with open(_xlsx(ctx.tmp), "rb") as fh:
        OOXMLFile(fh).encrypt("secret", out)
    (ctx.tmp / "locked.xlsx").write_bytes(out.getvalue())
    return Cli(("read-yearbook", str(ctx.tmp / "locked.xlsx"), "--password", "guess"))


@cli(
    r"^error: --value 'abc': not a number$",
)
def _cli_add_value_that_is_not_a_number(ctx):
    return Cli((*ADD, "--value", "abc", "--source-url", "https://example.org/x"))


@cli(r"^error: --value '1e400': number out of range$")
def _cli_add_value_out_of_range(ctx):
    return Cli((*ADD, "--value", "1e400", "--source-url", "https://example.org/x"))


@cli(r"row 2: tier 'gold' is not one of official, official_repost")
def _cli_add_value_with_an_unknown_tier(ctx):
    return Cli((*ADD, "--value", "1", "--source-url", "https://example.org/x", "--tier", "gold"))


@cli(r"row 2: published '2026-13-45' is not an ISO date")
def _cli_add_value_published_on_an_impossible_date(ctx):
    args = (*ADD, "--value", "1", "--source-url", "https://example.org/x")
    return Cli((*args, "--published", "2026-13-45"))


@cli(
    r"^error: .*javascript:",
)
def _cli_add_value_citing_a_javascript_url(ctx):
    return Cli((*ADD, "--value", "1", "--source-url", "javascript:alert(1)"))


@cli(
    r"^error: .*negative",
)
def _cli_add_value_of_a_negative_expenditure(ctx):
    return Cli((*ADD, "--value", "-5", "--source-url", "https://example.org/x"))


@cli(r"^error: \S+ghost\.csv: cannot read: No such file or directory$")
def _cli_import_values_of_a_missing_file(ctx):
    return Cli(("import-values", str(ctx.tmp / "ghost.csv"), *IMPORT))


@cli(r"^error: \S+folder\.csv: not a regular file \(a folder\)$")
def _cli_import_values_of_a_folder(ctx):
    (ctx.tmp / "folder.csv").mkdir()
    return Cli(("import-values", str(ctx.tmp / "folder.csv"), *IMPORT))


@cli(r"^error: \S+figures\.csv, row 2: not UTF-8 .*GBK/GB18030: re-save it as UTF-8$")
def _cli_import_values_of_a_gbk_csv(ctx):
    path = _values_csv(ctx.tmp)
    path.write_bytes(path.read_text(encoding="utf-8").encode("gb18030"))
    return Cli(("import-values", str(path), *IMPORT))


@cli(r"^error: version '2026-02-30' must be a date, YYYY-MM-DD$")
def _cli_import_values_on_an_impossible_date(ctx):
    return Cli(("import-values", str(_values_csv(ctx.tmp)), *IMPORT[:1], "2026-02-30", *IMPORT[2:]))


@cli(r"^error: file name '\.\./x\.csv': use letters, digits")
def _cli_import_values_named_outside_its_folder(ctx):
    return Cli(("import-values", str(_values_csv(ctx.tmp)), *IMPORT, "--name", "../x.csv"))


@cli(
    r"^error: \S+long\.csv, row 2: .*field",
)
def _cli_import_values_with_a_huge_field(ctx):
    body = "LN,rd_expenditure,2024,1,亿元,https://example.org/a," + "T" * 200_000 + "\n"
    return Cli(("import-values", str(_values_csv(ctx.tmp, "long.csv", body)), *IMPORT))


@cli(
    r"^error: \S+empty\.csv.*no (value )?rows",
)
def _cli_import_values_of_a_header_without_rows(ctx):
    return Cli(("import-values", str(_values_csv(ctx.tmp, "empty.csv", "")), *IMPORT))


@cli(
    r"^error: .*zero: not a regular file",
)
def _cli_import_values_from_dev_zero(ctx):
    args = ("import-values", "/dev/zero", *IMPORT, "--name", "zero.csv")
    return Cli(args, ceiling_mb=CEILING_MB, seconds=BOMB_SECONDS)


@cli(
    r"^error: .*pipe\.csv: not a regular file",
)
def _cli_import_values_from_a_fifo(ctx):
    os.mkfifo(ctx.tmp / "pipe.csv")
    return Cli(("import-values", str(ctx.tmp / "pipe.csv"), *IMPORT), seconds=3)


@cli(
    r"^error: .*zero: not a regular file",
)
def _cli_check_layouts_of_dev_zero(ctx):
    return Cli(("check-layouts", "/dev/zero"), ceiling_mb=CEILING_MB, seconds=BOMB_SECONDS)


@cli(
    r"^error: .*maps\.yaml: not a regular file",
)
def _cli_check_layouts_of_a_fifo(ctx):
    os.mkfifo(ctx.tmp / "maps.yaml")
    return Cli(("check-layouts", str(ctx.tmp / "maps.yaml")), seconds=3)


@cli(r"^error: \S+maps\.yaml: table mine: an entry must be a mapping$")
def _cli_check_layouts_of_an_entry_that_is_a_list(ctx):
    (ctx.tmp / "maps.yaml").write_text("tables:\n  mine: [1, 2]\n", encoding="utf-8")
    return Cli(("check-layouts", str(ctx.tmp / "maps.yaml")))


@cli(r"^error: \S+maps\.yaml: no 'tables:' mapping of layout maps$")
def _cli_check_layouts_of_an_empty_file(ctx):
    (ctx.tmp / "maps.yaml").write_text("", encoding="utf-8")
    return Cli(("check-layouts", str(ctx.tmp / "maps.yaml")))


@cli(
    r"^error: \S+maps\.yaml: table mine, block 1: .*data",
)
def _cli_check_layouts_of_a_billion_row_block(ctx):
    block = '{sheet: "1", header: [1, 2], data: [3, 1000000000], label: A, columns: "B:C"}'
    head = "tables:\n  mine:\n    file: x.xls\n    table_zh: t\n    blocks:\n"
    (ctx.tmp / "maps.yaml").write_text(f"{head}      - {block[:-1]}, year: title}}\n")
    return Cli(("check-layouts", str(ctx.tmp / "maps.yaml")))


def _mapping(ctx, text: str) -> Path:
    (ctx.tmp / "tables").mkdir(exist_ok=True)
    path = ctx.tmp / "mapping.yaml"
    path.write_text(text, encoding="utf-8")
    return path


MAPPED = "patents_granted_2015: {publication: SYNTHETIC, published: 2016-12-01, map: {合计: "


def _import_yearbooks(ctx, text: str, *more: str, version: str = "2026-12-05") -> tuple:
    mapping = _mapping(ctx, text)
    return ("import-yearbooks", "--mapping", str(mapping), "--version", version, *more)


@cli(r"^error: \S+mapping\.yaml, sheet 'patents_granted_2015': unknown indicator 'nosuch'")
def _cli_import_yearbooks_mapping_to_an_unknown_indicator(ctx):
    args = _import_yearbooks(ctx, f"tables:\n  {MAPPED}nosuch}}}}\n")
    return Cli((*args, "--folder", str(ctx.tmp / "tables")))


@cli(r"^error: version '\.\./\.\.' must be a date, YYYY-MM-DD$")
def _cli_import_yearbooks_with_a_version_leaving_data_raw(ctx):
    text = f"tables:\n  {MAPPED}patents_granted}}}}\n"
    return Cli((*_import_yearbooks(ctx, text, version="../.."), "--folder", str(ctx.tmp)))


@cli(r"^error: no yearbook tables: give --folder")
def _cli_import_yearbooks_without_tables(ctx):
    return Cli(_import_yearbooks(ctx, f"tables:\n  {MAPPED}patents_granted}}}}\n"))


@cli(
    r"^error: \S+mapping\.yaml, sheet 'patents_granted_2015': .*mapping",
)
def _cli_import_yearbooks_with_an_entry_that_is_a_number(ctx):
    args = _import_yearbooks(ctx, "tables:\n  patents_granted_2015: 1\n")
    return Cli((*args, "--folder", str(ctx.tmp / "tables")))


@cli(
    r"^error: \S+mapping\.yaml.*(2016-13-01|date|month)",
)
def _cli_import_yearbooks_published_in_month_13(ctx):
    text = f"tables:\n  {MAPPED}patents_granted}}}}\n".replace("2016-12-01", "2016-13-01")
    return Cli((*_import_yearbooks(ctx, text), "--folder", str(ctx.tmp / "tables")))


@cli(
    r"^error: \S+absent: (no such folder|No such file or directory)",
)
def _cli_import_yearbooks_from_a_missing_folder(ctx):
    args = _import_yearbooks(ctx, f"tables:\n  {MAPPED}patents_granted}}}}\n")
    return Cli((*args, "--folder", str(ctx.tmp / "absent")))


@cli(
    r"^error: .*zero: not a regular file",
)
def _cli_import_yearbooks_with_dev_zero_as_mapping(ctx):
    args = ("import-yearbooks", "--mapping", "/dev/zero", "--version", "2026-12-05")
    args += ("--folder", str(ctx.tmp))
    return Cli(args, ceiling_mb=CEILING_MB, seconds=BOMB_SECONDS)


# --- the parametrized tests ----------------------------------------------------------------


@pytest.mark.parametrize(("builder", "error", "pattern"), API)
def test_api_case_raises_its_own_error_naming_where(builder, error, pattern, tmp_path, server_url):
    """An API case raises its own error class, in one line naming where."""
    run = builder(Ctx(tmp_path, None, server_url))
    with pytest.raises(error, match=pattern) as info:
        run()
    assert isinstance(info.value, E.LnAnalysisError)
    assert "\n" not in str(info.value), "an error message must be one line"


@pytest.fixture(scope="module")
def cli_runs(request, pristine, server_url, tmp_path_factory) -> dict[str, tuple[Cli, object]]:
    """Build every selected CLI case, then run them a few at a time (each is its own process).

    Returns, by case id, the Cli and what ran (a Ran, or the exception a builder raised).
    """
    from concurrent.futures import ThreadPoolExecutor

    wanted = [
        item.callspec
        for item in request.session.items
        if getattr(item, "originalname", "") == "test_cli_case_fails_in_one_line_naming_where"
    ]
    jobs, runs = {}, {}
    if wanted:  # the backtest cache, once: scorecard cases then fail or write at the same place
        warm = run_cli(pristine, Cli(("backtest", "--format", "csv"), code=0, seconds=600))
        assert warm.code == 0, warm.stderr[-2000:]
    for callspec in wanted:
        case = callspec.id
        root = tmp_path_factory.mktemp(case[:40])
        project = root / "project"
        for part in ("lnanalysis", "data"):
            shutil.copytree(pristine / part, project / part)
        for part in ("notebooks", ".cache"):
            (project / part).symlink_to(pristine / part, target_is_directory=True)
        (root / "scratch").mkdir()
        try:
            spec = callspec.params["builder"](Ctx(root / "scratch", project, server_url))
        except Exception as exc:  # reported by the case's own test
            runs[case] = (None, exc)
            continue
        jobs[case] = (project, spec)

    def run(case: str) -> tuple[Cli, Ran]:
        project, spec = jobs[case]
        try:
            return spec, run_cli(project, spec)
        finally:
            if spec.stdout is not None:
                os.close(spec.stdout)

    workers = 4  # most of a case's time is a child's start-up or a wait, not this process
    with ThreadPoolExecutor(max_workers=workers) as pool:
        runs |= dict(zip(jobs, pool.map(run, jobs), strict=True))
    return runs


@pytest.mark.integration
@pytest.mark.parametrize(("builder", "pattern"), CLI)
def test_cli_case_fails_in_one_line_naming_where(builder, pattern, cli_runs, request):
    """A CLI case exits as expected: no traceback, one stderr line naming where, within bounds."""
    spec, ran = cli_runs[request.node.callspec.id]
    if isinstance(ran, BaseException):
        raise ran
    assert "Traceback" not in ran.stderr, ran.stderr[-3000:]
    assert ran.code == spec.code, f"exit {ran.code}: {ran.stderr[-2000:]}"
    lines = ran.stderr.strip().splitlines()
    if spec.usage:
        assert [x for x in lines if "error:" in x] == lines[-1:], ran.stderr
        assert re.search(pattern, lines[-1]), lines[-1]
    elif pattern is None:
        assert ran.stderr == "", ran.stderr
    else:
        assert len(lines) == 1, f"stderr must be one line: {ran.stderr!r}"
        assert re.search(pattern, lines[0]), lines[0]
    if spec.ceiling_mb:
        assert ran.peak_mb < spec.ceiling_mb, f"peak RSS {ran.peak_mb:.0f} MB"
    assert ran.seconds < spec.seconds, f"took {ran.seconds:.1f} s"
    if spec.check:
        spec.check(ran)


def test_the_corpus_has_at_least_fifty_new_cases():
    """With the 35 cases of test_bad_inputs.py, the corpus exceeds 80."""
    assert len(API) + len(CLI) >= 50


# --- behaviours that are not errors --------------------------------------------------------


@pytest.mark.integration
def test_processed_tables_never_carry_a_live_formula(tmp_path, monkeypatch):
    """build_data escapes every table: a note and a target name stored as formulas stay text."""
    from lnanalysis.pipeline import data

    formula = '=HYPERLINK("https://example.org","SYNTHETIC")'
    note = ["\t=1+1", "+cmd", "@SUM(A1)", formula]
    rows = [[*RAW_ROW[:3], str(2011 + i), "1", *RAW_ROW[5:8], n] for i, n in enumerate(note)]
    raw = _raw_dir(tmp_path, rows=rows)
    registry = _registry(tmp_path, _edit_target(name_en=formula))()
    monkeypatch.setattr(data, "load_registry", lambda: registry)
    out = tmp_path / "processed"
    data.build_data(raw_dir=raw, out_dir=out, log=lambda _: None)
    seen = set()
    for path in sorted(out.glob("*.csv")):
        if not path.read_bytes().strip():
            continue  # a table with no columns (no derived values here)
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        cells = [*frame.columns, *frame.to_numpy().ravel()]
        live = [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r") and not _number(c)]
        assert not live, f"{path.name}: live formula cells {live[:3]}"
        seen |= {c for c in cells if c.startswith("'")}
    assert {"'" + formula, "'=1+1", "'+cmd", "'@SUM(A1)"} <= seen  # the store strips the tab


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_exports_escape_tab_and_carriage_return_prefixes(tmp_path):
    """Text led by a tab or carriage return is escaped like one led by = + - @."""
    from lnanalysis.core.io import csv_writer, write_xlsx

    frame = pd.DataFrame({"label": ["\t=1+1", "\r=2+2", "=3", "-4", "-x", "ok"]})
    book = write_xlsx({"s": frame}, tmp_path / "x.xlsx")
    sheet = openpyxl.load_workbook(book)["s"]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    cells = [c.value for c in sheet["A"][1:]]
    cells[1] = cells[1].replace("_x000D_", "\r")  # how xlsxwriter stores a carriage return
    assert cells == ["'\t=1+1", "'\r=2+2", "'=3", "-4", "'-x", "ok"]
    csv_writer(frame.drop(index=1), escape=True)(tmp_path / "x.csv")
    back = pd.read_csv(tmp_path / "x.csv", dtype=str)["label"].tolist()
    assert back == ["'\t=1+1", "'=3", "-4", "'-x", "ok"]


def test_a_carriage_return_inside_a_cell_cannot_start_a_row(tmp_path):
    """A carriage return inside a CSV cell is written as a quoted line feed: one row."""
    import csv

    from lnanalysis.core.io import csv_writer

    frame = pd.DataFrame({"note": ["x\r=2+2"], "value": [1]})
    csv_writer(frame, escape=True)(tmp_path / "x.csv")
    with open(tmp_path / "x.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows == [["note", "value"], ["x\n=2+2", "1"]]


def test_import_raw_carries_each_compiled_file_unchanged_with_its_sidecar(tmp_path):
    """A note that looks like a formula, like any text, reaches data/raw byte for byte."""
    from lnanalysis.extract.compiled import compiled_files, import_compiled
    from lnanalysis.extract.provenance import md5_of, sidecar_path

    formula = '=HYPERLINK(""https://example.org"",""SYNTHETIC"")'
    shared = _compiled(tmp_path, note=formula)
    (tmp_path / "raw").mkdir()
    written = import_compiled("2026-12-05", shared=shared, raw=tmp_path / "raw")
    assert [p.name for p in written] == [f["file"] for f in compiled_files()]
    for copy in written:
        source = shared / "data" / copy.name
        assert copy.read_bytes() == source.read_bytes()
        meta = yaml.safe_load(sidecar_path(copy).read_text(encoding="utf-8"))
        assert meta["md5"] == md5_of(source) and meta["bytes"] == source.stat().st_size


def test_a_tampered_cached_yearbook_is_never_used(tmp_path, monkeypatch):
    """A complete cache holding one changed file is passed over, never credited as official."""
    from lnanalysis.extract.yearbook.fetch import yearbook_dir
    from lnanalysis.extract.yearbook.manifest import manifest

    cache = tmp_path / "cache"
    for known in manifest().values():
        (cache / known.file).parent.mkdir(parents=True, exist_ok=True)
        (cache / known.file).write_bytes(b"SYNTHETIC: not the manifest's bytes")
    monkeypatch.setenv("LNANALYSIS_YEARBOOK_CACHE", str(cache))
    monkeypatch.setenv("LNANALYSIS_SHARED", str(tmp_path / "no-shared"))
    assert yearbook_dir() is None


@pytest.mark.requires_shared
def test_a_compiled_file_carried_as_csv_reads_as_its_workbook_version_did(tmp_path):
    """The CSV copies give the store the rows the 2026-11-28 workbooks gave, and more:

    the workbooks lost the one note that began with '=' (stored as a formula with no
    value, it read back empty); the CSV keeps it.
    """
    from lnanalysis.core.paths import RAW_DIR
    from lnanalysis.extract.compiled import import_compiled
    from lnanalysis.store.observations import read_source

    written = import_compiled("2026-12-05", raw=tmp_path)
    by_stem = {p.stem.lower(): p.name for p in written}
    keep = ["region", "indicator", "year", "value", "value_raw", "unit", "status", "source_url"]
    keep += ["source_title", "source_tier", "published", "note"]
    compared, lost = 0, []
    for spec in _workbook_sources():
        name = by_stem[Path(spec["path"]).stem.lower()]
        as_csv = {k: v for k, v in spec.items() if k != "sheet"}
        as_csv |= {"path": f"compiled/2026-12-05/{name}", "format": "csv"}
        old = read_source(spec, RAW_DIR)[keep].reset_index(drop=True)
        new = read_source(as_csv, tmp_path)[keep].reset_index(drop=True)
        differ = old.astype(str) != new.astype(str)
        assert not differ.drop(columns="note").any().any(), spec["id"]
        lost += [(old.at[i, "note"], new.at[i, "note"]) for i in differ.index[differ["note"]]]
        compared += len(old)
    assert compared > 2000
    assert lost and all(was == "" and now.startswith("=") for was, now in lost), lost


def _workbook_sources() -> list[dict]:
    """The compiled sources as read before 2026-12-04: the workbooks of 2026-11-28."""
    from lnanalysis.store.observations import load_sources

    return [
        {k: v for k, v in s.items() if k != "format"}
        | {"path": f"compiled/2026-11-28/{Path(s['path']).stem.lower()}.xlsx", "sheet": "data"}
        for s in load_sources()
        if s["path"].startswith("compiled/")
    ]
