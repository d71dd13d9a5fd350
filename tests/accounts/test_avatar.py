"""Profile pictures: shrunk, re-encoded without metadata, and refused when not a picture."""

import io
import os
from pathlib import Path

import pytest
from PIL import Image
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

AVATAR = "/api/v1/me/avatar/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def picture(fmt: str = "PNG", size=(1600, 1200), exif: bool = False) -> io.BytesIO:
    image = Image.new("RGB", size, (200, 120, 40))
    data = io.BytesIO()
    if exif:
        meta = Image.Exif()
        meta[0x8825] = {2: (56.0, 2.0, 30.0)}  # GPS latitude: where the photo was taken
        meta[0x010F] = "Telefonmärke"
        image.save(data, format=fmt, exif=meta)
    else:
        image.save(data, format=fmt)
    data.seek(0)
    data.name = f"bild.{fmt.lower()}"
    return data


@pytest.fixture
def me():
    user = UserFactory.create()
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return user, client


def test_a_picture_becomes_a_small_jpeg_without_metadata(me, settings):
    user, client = me

    response = client.put(AVATAR, {"avatar": picture("JPEG", exif=True)}, format="multipart")

    assert response.status_code == 200
    url = response.json()["avatar"]
    assert url.startswith("http://testserver/media/avatars/")
    user.refresh_from_db()
    with Image.open(user.avatar.path) as stored:
        assert stored.format == "JPEG"
        assert max(stored.size) == 512
        assert not stored.getexif()  # no GPS position, no camera


def test_a_new_picture_replaces_the_old_file(me, django_capture_on_commit_callbacks):
    user, client = me
    client.put(AVATAR, {"avatar": picture()}, format="multipart")
    user.refresh_from_db()
    old = user.avatar.path

    with django_capture_on_commit_callbacks(execute=True):
        client.put(AVATAR, {"avatar": picture("WEBP")}, format="multipart")

    user.refresh_from_db()
    assert user.avatar.path != old
    assert not os.path.exists(old)


def test_the_picture_can_be_removed(me):
    _, client = me
    client.put(AVATAR, {"avatar": picture()}, format="multipart")

    response = client.delete(AVATAR)

    assert response.status_code == 200
    assert response.json()["avatar"] is None


@pytest.mark.parametrize(
    "upload",
    [
        io.BytesIO(b"%PDF-1.4 definitely not a picture"),
        io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),  # a PNG header, no picture
    ],
)
def test_anything_but_a_picture_is_a_400(me, upload):
    _, client = me
    upload.name = "fil.png"

    response = client.put(AVATAR, {"avatar": upload}, format="multipart")

    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_image",
        "message": "Send a picture in JPEG, PNG, WebP or GIF format.",
        "fields": {},
    }


def test_a_file_over_the_upload_limit_is_a_413(me, settings):
    _, client = me
    settings.MAX_UPLOAD_BYTES = 100_000
    noise = io.BytesIO()
    Image.frombytes("RGB", (300, 300), os.urandom(300 * 300 * 3)).save(noise, format="PNG")
    noise.seek(0)
    noise.name = "brus.png"  # about 270 kB: random pixels do not compress

    response = client.put(AVATAR, {"avatar": noise}, format="multipart")

    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


def test_json_is_not_a_picture_upload(me):
    _, client = me

    response = client.put(AVATAR, {"avatar": "data:image/png;base64,AAAA"}, format="json")

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_anonymous_cannot_upload():
    response = APIClient().put(AVATAR, {"avatar": picture()}, format="multipart")

    assert response.status_code == 401


def test_a_picture_carrying_html_is_stored_as_a_plain_jpeg(me):
    """A polyglot: a valid PNG with a page appended, named .html. Stored re-encoded, as a
    .jpg, so no browser is ever served the page from the platform's media."""
    user, client = me
    data = picture("PNG", size=(64, 64))
    payload = b"<html><script>alert(document.cookie)</script></html>"
    polyglot = io.BytesIO(data.getvalue() + payload)
    polyglot.name = "bild.html"

    response = client.put(AVATAR, {"avatar": polyglot}, format="multipart")

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.avatar.name.endswith(".jpg")
    stored = Path(user.avatar.path).read_bytes()
    assert stored.startswith(b"\xff\xd8")  # a JPEG
    assert b"<script" not in stored
    assert b"<html" not in stored
