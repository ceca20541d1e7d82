"""Office files (docx, xlsx) with fixed zip entry dates and order: same input, same bytes."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def stable_zip(data: bytes, stamp: dt.datetime | None = None) -> bytes:
    """The same zip with fixed timestamps and attributes: same content, same bytes.

    openpyxl stamps the save time into docProps/core.xml whatever the workbook says, so the
    document's own created/modified dates are fixed here too (to `stamp` when given).
    """
    when = (stamp or FIXED_TIME).isoformat().encode()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.create_system = 3
            fixed.external_attr = 0o644 << 16
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _CORE_TIMES.sub(rb"\g<1>" + when + rb"Z\g<2>", body)
            dst.writestr(fixed, body)
    return out.getvalue()


FIXED_TIME = dt.datetime(2000, 1, 1, 0, 0, 0)


_CORE_TIMES = re.compile(rb"(<dcterms:(?:created|modified)\b[^>]*>)[^<]*(</dcterms:)")
