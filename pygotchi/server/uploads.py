"""Reading one uploaded file from a multipart form, within the size limit.

The body size is already capped while it streams in (``middleware.BodyLimit``);
this takes the ``file`` field out of the form and turns every way a form can
be wrong into a sentence for the person who sent it.
"""

from __future__ import annotations

from fastapi import Request
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException

from pygotchi.server.errors import ApiError


async def read_upload(request: Request, limit: int, what: str) -> tuple[bytes, dict[str, str]]:
    """The bytes of the form's ``file`` field and its other (text) fields; the file's
    own name is under ``_filename`` (unless the form has a field of that name)."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        raise ApiError(422, "invalid", f"send the {what} as multipart/form-data with a field "
                                       "named 'file'")
    try:
        form = await request.form(max_files=1, max_fields=10, max_part_size=64 * 1024)
    except MultiPartException as exc:
        raise ApiError(400, "bad_request", f"the form could not be read: {exc.message}") from None
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise ApiError(422, "invalid", f"the form has no file field named 'file' "
                                           f"(the {what})")
        data = await upload.read(limit + 1)
        if len(data) > limit:
            raise ApiError(413, "too_large", f"the {what} is larger than {limit:,} bytes")
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        # The file's own name, for callers that name what they store after it.
        fields.setdefault("_filename", upload.filename or "")
        return data, fields
    finally:
        await form.close()
