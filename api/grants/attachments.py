"""Attachments to applications: photos or scans under the same rules as asset photos
(JPEG/PNG/WebP up to 10 MB, re-encoded without metadata, with a thumbnail)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from api.audit import service as audit
from api.auth.principal import Principal
from api.errors import Forbidden, NotFound
from api.grants import access, applications, repository
from api.grants.errors import NotAllowedHere, RuleBroken
from api.grants.lifecycle import Status
from api.grants.models import Attachment
from api.grants.reports import ReportStatus
from api.settings import Settings

# The same photo rules as asset photos, so both domains accept exactly the same files.
from api.shared import photos
from api.shared.photos import DirectoryStorage, PhotoStorage, process

MAX_ATTACHMENTS = 10
MAX_BYTES = photos.MAX_BYTES


def storage_for(settings: Settings) -> PhotoStorage:
    return DirectoryStorage(settings.media_dir)


async def add_attachment(
    session: AsyncSession,
    principal: Principal,
    storage: PhotoStorage,
    application_id: uuid.UUID,
    data: bytes,
    caption: str | None,
) -> Attachment:
    """Attach a file to a draft (its applicant, or the round's coordinators)."""
    user_id = principal.require_user()
    application, round_ = await access.load_application(session, application_id)
    if not access.is_staff(principal, round_) and not access.is_owner(principal, application):
        raise Forbidden("Only the applicant or the round's coordinators can attach files.")
    if application.status != Status.DRAFT.value:
        raise RuleBroken(
            "NOT_EDITABLE",
            "Files can be attached only to a draft application.",
            "Dim ond at gais drafft y gellir atodi ffeiliau.",
            field="applicationId",
        )
    if len(await repository.attachments_of(session, [application_id])) >= MAX_ATTACHMENTS:
        raise RuleBroken(
            "TOO_MANY_ATTACHMENTS",
            f"An application can have at most {MAX_ATTACHMENTS} attachments.",
            f"Gall cais gael {MAX_ATTACHMENTS} atodiad ar y mwyaf.",
            field="file",
        )
    attachment = await _store(session, storage, application_id, None, data, caption, user_id)
    audit.record(
        session,
        actor_id=user_id,
        action="grants.attachment.add",
        entity_type="grant_application",
        entity_id=application_id,
        after={"attachment": attachment.id, "content_type": attachment.content_type},
    )
    await session.commit()
    return attachment


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
    user_id = principal.require_user()
    report = await repository.report_by_id(session, report_id)
    if report is None:
        raise NotFound("There is no report with this id.")
    application, round_ = await access.load_application(session, report.application_id)
    if not access.is_staff(principal, round_) and not access.is_owner(principal, application):
        raise Forbidden("Only the applicant or the round's coordinators can add report photos.")
    if report.status == ReportStatus.APPROVED.value:
        raise RuleBroken(
            "REPORT_APPROVED",
            "This report is approved: photos can no longer be added to it.",
            "Mae'r adroddiad hwn wedi'i gymeradwyo: ni ellir ychwanegu lluniau ato mwyach.",
            field="reportId",
        )
    if len(await repository.photos_of_reports(session, [report_id])) >= MAX_ATTACHMENTS:
        raise RuleBroken(
            "TOO_MANY_ATTACHMENTS",
            f"A report can have at most {MAX_ATTACHMENTS} photos.",
            f"Gall adroddiad gael {MAX_ATTACHMENTS} llun ar y mwyaf.",
            field="file",
        )
    photo = await _store(session, storage, application.id, report_id, data, caption, user_id)
    audit.record(
        session,
        actor_id=user_id,
        action="grants.report_photo.add",
        entity_type="grant_report",
        entity_id=report_id,
        after={"attachment": photo.id, "content_type": photo.content_type},
    )
    await session.commit()
    return photo


async def _store(
    session: AsyncSession,
    storage: PhotoStorage,
    application_id: uuid.UUID,
    report_id: uuid.UUID | None,
    data: bytes,
    caption: str | None,
    user_id: uuid.UUID,
) -> Attachment:
    """Check and re-encode the file, save the image and thumbnail, and add the row."""
    processed = await asyncio.to_thread(process, data)
    attachment_id = uuid.uuid4()
    folder = f"grants/{application_id}" + (f"/reports/{report_id}" if report_id else "")
    key = f"{folder}/{attachment_id}"
    attachment = Attachment(
        id=attachment_id,
        application_id=application_id,
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
        raise NotFound("There is no attachment with this id.")
    view = await applications.get_application(session, principal, attachment.application_id)
    if not view.detail_visible:
        raise NotAllowedHere(
            "DECLARATION_REQUIRED", "Declare whether you have a conflict of interest first."
        )
    key = attachment.thumbnail_key if thumbnail else attachment.image_key
    data = await asyncio.to_thread(storage.read, key)
    if data is None:
        raise NotFound("This attachment's file is missing.")
    return data, attachment.content_type


async def report_photos(
    session: AsyncSession, report_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Attachment]]:
    grouped: dict[uuid.UUID, list[Attachment]] = {i: [] for i in report_ids}
    for row in await repository.photos_of_reports(session, report_ids):
        assert row.report_id is not None
        grouped[row.report_id].append(row)
    return grouped


async def attachments(
    session: AsyncSession, application_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Attachment]]:
    grouped: dict[uuid.UUID, list[Attachment]] = {i: [] for i in application_ids}
    for row in await repository.attachments_of(session, application_ids):
        grouped[row.application_id].append(row)
    return grouped
