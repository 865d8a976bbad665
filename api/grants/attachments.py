"""Attachments to applications: photos or scans under the same rules as asset photos
(JPEG/PNG/WebP up to 10 MB, re-encoded without metadata, with a thumbnail)."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from api.audit import service as audit
from api.auth.principal import Principal
from api.errors import NotFound
from api.grants import access, applications, repository
from api.grants.errors import DECLARE_FIRST, NotAllowedHere, RuleBroken
from api.grants.lifecycle import Status
from api.grants.models import Attachment, GrantApplication, GrantRound
from api.grants.reports import ReportStatus

# The same photo rules as asset photos, so both domains accept exactly the same files.
from api.shared.photos import PhotoStorage, process

MAX_ATTACHMENTS = 10


async def add_attachment(
    session: AsyncSession,
    principal: Principal,
    storage: PhotoStorage,
    application_id: uuid.UUID,
    data: bytes,
    caption: str | None,
) -> Attachment:
    """Attach a file to a draft (its applicant, or the round's coordinators)."""
    application, round_ = await access.load_application(session, application_id)
    _may_add(principal, application, round_)
    if application.status != Status.DRAFT.value:
        raise RuleBroken(
            "NOT_EDITABLE",
            "Files can be attached only to a draft application.",
            "Dim ond at gais drafft y gellir atodi ffeiliau.",
            field="applicationId",
        )
    existing = len(await repository.attachments_of(session, [application_id]))
    return await _add(session, principal, storage, application, None, existing, data, caption)


async def add_report_photo(
    session: AsyncSession,
    principal: Principal,
    storage: PhotoStorage,
    report_id: uuid.UUID,
    data: bytes,
    caption: str | None,
) -> Attachment:
    """A photo on a progress or final report, until the report is approved (its
    applicant, or the round's coordinators)."""
    report, application, round_ = await access.load_report(session, report_id)
    _may_add(principal, application, round_)
    if report.status == ReportStatus.APPROVED.value:
        raise RuleBroken(
            "REPORT_APPROVED",
            "This report is approved: photos can no longer be added to it.",
            "Mae'r adroddiad hwn wedi'i gymeradwyo: ni ellir ychwanegu lluniau ato mwyach.",
            field="reportId",
        )
    existing = len(await repository.photos_of_reports(session, [report_id]))
    return await _add(session, principal, storage, application, report_id, existing, data, caption)


def _may_add(principal: Principal, application: GrantApplication, round_: GrantRound) -> None:
    principal.require_user()
    access.require_owner_or_staff(
        principal, application, round_, ("add files", "ychwanegu ffeiliau")
    )


async def _add(
    session: AsyncSession,
    principal: Principal,
    storage: PhotoStorage,
    application: GrantApplication,
    report_id: uuid.UUID | None,
    existing: int,
    data: bytes,
    caption: str | None,
) -> Attachment:
    """How many, then re-encode, save image and thumbnail, record, commit."""
    user_id = principal.require_user()
    if existing >= MAX_ATTACHMENTS:
        raise RuleBroken(
            "TOO_MANY_ATTACHMENTS",
            f"At most {MAX_ATTACHMENTS} files can be added here.",
            f"Gellir ychwanegu {MAX_ATTACHMENTS} ffeil yma ar y mwyaf.",
            field="file",
        )
    processed = await asyncio.to_thread(process, data)
    attachment_id = uuid.uuid4()
    folder = f"grants/{application.id}" + (f"/reports/{report_id}" if report_id else "")
    key = f"{folder}/{attachment_id}"
    attachment = Attachment(
        id=attachment_id,
        application_id=application.id,
        report_id=report_id,
        image_key=f"{key}.{processed.extension}",
        thumbnail_key=f"{key}-thumb.{processed.extension}",
        content_type=processed.content_type,
        width=processed.width,
        height=processed.height,
        caption=(caption or "").strip() or None,
        uploaded_by=user_id,
    )
    await asyncio.to_thread(
        storage.save, attachment.image_key, processed.image, processed.content_type
    )
    await asyncio.to_thread(
        storage.save, attachment.thumbnail_key, processed.thumbnail, processed.content_type
    )
    repository.add(session, attachment)
    audit.record(
        session,
        actor_id=user_id,
        action="grants.report_photo.add" if report_id else "grants.attachment.add",
        entity_type="grant_report" if report_id else "grant_application",
        entity_id=report_id or application.id,
        after={"attachment": attachment_id, "content_type": processed.content_type},
    )
    await session.commit()
    return attachment


async def attachment_file(
    session: AsyncSession,
    principal: Principal,
    storage: PhotoStorage,
    attachment_id: uuid.UUID,
    thumbnail: bool,
) -> tuple[bytes, str]:
    """The stored file, for whoever may see the application's detail."""
    attachment = await repository.attachment_by_id(session, attachment_id)
    if attachment is None:
        raise NotFound("There is no attachment with this id.", cy="Nid oes atodiad â'r id hwn.")
    view = await applications.get_application(session, principal, attachment.application_id)
    if not view.detail_visible:
        raise NotAllowedHere("DECLARATION_REQUIRED", *DECLARE_FIRST)
    key = attachment.thumbnail_key if thumbnail else attachment.image_key
    data = await asyncio.to_thread(storage.read, key)
    if data is None:
        raise NotFound("This attachment's file is missing.", cy="Mae ffeil yr atodiad hwn ar goll.")
    return data, attachment.content_type
