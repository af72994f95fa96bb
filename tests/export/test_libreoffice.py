"""The export opened by a real spreadsheet: LibreOffice Calc imports it with formula
evaluation ON (the worst case) and writes it back out; every cell must come back as text,
quotes, commas and newlines intact. Skipped where LibreOffice is not installed
(``apt-get install libreoffice-calc-nogui``)."""
from __future__ import annotations

import csv
import shutil
import subprocess

import pytest

from app.export.csv_export import csv_chunks
from app.workflow.queries import ClaimFilters

pytestmark = pytest.mark.slow

SOFFICE = shutil.which("soffice")
# CSV filter options: separator ",", quote '"', UTF-8 (76), from line 1, no column formats,
# en-US, then (import) quoted fields not forced to text, no special-number detection, and
# the 13th token: evaluate formulas = true. Export: quote every text cell.
IMPORT = "CSV:44,34,76,1,,1033,false,false,false,false,false,-1,true"
EXPORT = "csv:Text - txt - csv (StarCalc):44,34,76,1,,1033,true,false,false,false,false"


def through_libreoffice(data: bytes, tmp_path) -> list[list[str]]:
    """Open ``data`` in LibreOffice Calc and save it as CSV again; the cells it saved."""
    source = tmp_path / "in" / "export.csv"
    source.parent.mkdir()
    source.write_bytes(data)
    out = tmp_path / "out"
    subprocess.run(
        [SOFFICE, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
         f"--infilter={IMPORT}", "--convert-to", EXPORT, "--outdir", str(out), str(source)],
        check=True, capture_output=True, timeout=120,
    )
    with open(out / "export.csv", newline="", encoding="utf-8-sig") as f:
        return list(csv.reader(f))


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_runs_no_formula_and_keeps_every_cell(hostile, tmp_path):
    data = b"".join(csv_chunks(ClaimFilters(), claim_url="https://desk.test/claims/{}".format, bom=True))
    ours = list(csv.reader(data.decode("utf-8-sig").splitlines(keepends=True)))
    # A raw formula in the same file: proves this LibreOffice does evaluate what it is given.
    control = data + b'0,new,direct,,,=1+2\r\n'
    theirs = through_libreoffice(control, tmp_path)
    assert theirs[-1][5] == "3"
    # Calc keeps a line break inside a cell as LF: the only change it makes.
    assert theirs[:-1] == [[cell.replace("\r\n", "\n") for cell in row] for row in ours]
    assert any(cell.startswith("'=HYPERLINK") for row in theirs for cell in row)
    assert any("\n" in cell and '"' in cell for row in theirs for cell in row)  # the title, intact
