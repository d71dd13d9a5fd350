"""Pictures people upload (avatars, logos): checked, shrunk and re-encoded.

Re-encoding drops whatever the file carried besides the picture: camera metadata such as
the GPS position of a photo taken at home must not be published with an avatar.
"""

import io
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from smartplatform.core.errors import DomainError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
# A small file can claim an enormous canvas (a "decompression bomb"): refuse those early.
MAX_PIXELS = 16_000_000


class InvalidImage(DomainError):
    status_code = 400
    code = "invalid_image"
    default_message = _("Send a picture in JPEG, PNG, WebP or GIF format.")


def normalised_jpeg(upload: Any, *, max_side: int) -> ContentFile[bytes]:
    """The uploaded picture as a JPEG of at most ``max_side`` pixels a side, metadata-free."""
    try:
        with Image.open(upload) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise InvalidImage()
            if probe.width * probe.height > MAX_PIXELS:
                raise InvalidImage()
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()
            picture = image.convert("RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise InvalidImage() from exc
    picture.thumbnail((max_side, max_side))
    output = io.BytesIO()
    picture.save(output, format="JPEG", quality=85, optimize=True)
    return ContentFile(output.getvalue())


def replace_picture(instance: Model, field: str, upload: Any | None, *, max_side: int) -> None:
    """Store ``upload`` (or nothing, with None) as ``instance.<field>``, in the caller's
    transaction. The old file is deleted only after the commit: a rollback keeps the file
    the row still points at."""
    current = getattr(instance, field)
    old, storage = current.name, current.storage
    if upload is None:
        setattr(instance, field, "")
    else:
        current.save(f"{field}.jpg", normalised_jpeg(upload, max_side=max_side), save=False)
    instance.save(update_fields=[field])
    if old:
        transaction.on_commit(lambda: storage.delete(old))
