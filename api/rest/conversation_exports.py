"""Coded conversations as CSV or XLSX for analysts (staff, within their counties).

The rows come from the database through a server-side cursor into a spooled file (memory
up to a few megabytes, disk beyond), which is then streamed out in chunks: memory stays
bounded whatever the campaign's size, and the session is done before the response starts.
"""

from __future__ import annotations

import csv
import io
import tempfile
import uuid
from collections.abc import Iterator
from typing import IO, Any

from fastapi import APIRouter, Depends
from fastapi.responses import StreamingResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from api.auth.principal import Principal
from api.conversations import export
from api.db import RequestSession
from api.rest.dependencies import request_principal, request_session

router = APIRouter(prefix="/exports/campaigns", tags=["exports"])

SPOOL_BYTES = 8 * 1024 * 1024
CHUNK_BYTES = 64 * 1024
# A spreadsheet treats text starting with these as a formula; in CSV they are defused with
# a leading apostrophe (the usual guard against formula injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _chunks(spool: IO[bytes]) -> Iterator[bytes]:
    spool.seek(0)
    with spool:
        while chunk := spool.read(CHUNK_BYTES):
            yield chunk


def _attachment(spool: IO[bytes], media_type: str, name: str) -> StreamingResponse:
    return StreamingResponse(
        _chunks(spool),
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _csv_cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


@router.get("/{campaign_id}/conversations.csv")
async def conversations_csv(
    campaign_id: uuid.UUID,
    session: RequestSession = Depends(request_session),
    principal: Principal = Depends(request_principal),
) -> StreamingResponse:
    found = await export.coded_conversations(session, principal, campaign_id)
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
    writer = csv.writer(text)
    writer.writerow(found.header)
    async for row in found.rows:
        writer.writerow([_csv_cell(v) for v in row])
    text.flush()
    text.detach()
    return _attachment(spool, "text/csv; charset=utf-8", f"conversations-{campaign_id}.csv")


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: Any) -> Any:
    if isinstance(value, str):
        # Text stays text: never evaluated as a formula.
        cell = WriteOnlyCell(sheet, value)
        cell.data_type = "s"
        return cell
    return value


@router.get("/{campaign_id}/conversations.xlsx")
async def conversations_xlsx(
    campaign_id: uuid.UUID,
    session: RequestSession = Depends(request_session),
    principal: Principal = Depends(request_principal),
) -> StreamingResponse:
    found = await export.coded_conversations(session, principal, campaign_id)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("conversations")
    sheet.append(found.header)
    async for row in found.rows:
        sheet.append([_xlsx_cell(sheet, v) for v in row])
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    book.save(spool)
    return _attachment(spool, XLSX, f"conversations-{campaign_id}.xlsx")
