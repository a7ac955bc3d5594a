from io import BytesIO

import pytest
from PIL import Image

from core.images import InvalidImage, reencode_image

ORIENTATION = 0x0112
GPS_IFD = 0x8825


def photo_with_exif(width=400, height=200, orientation=6, fmt="JPEG") -> BytesIO:
    """A landscape photo whose EXIF says 'rotate 90° clockwise' and carries a GPS position."""
    image = Image.new("RGB", (width, height), (200, 30, 30))
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "Kamera Posyantek"  # Make
    exif.get_ifd(GPS_IFD).update({1: "S", 2: (6.0, 1.0, 0.0), 3: "E", 4: (106.0, 2.0, 0.0)})
    buffer = BytesIO()
    image.save(buffer, format=fmt, exif=exif)
    buffer.seek(0)
    return buffer


def open_result(content) -> Image.Image:
    return Image.open(BytesIO(content.read()))


def test_rotated_upright_and_metadata_stripped():
    result = open_result(reencode_image(photo_with_exif()))

    assert result.format == "JPEG"
    assert result.size == (200, 400)  # turned upright by the EXIF orientation
    exif = result.getexif()
    assert ORIENTATION not in exif
    assert not exif.get_ifd(GPS_IFD)
    assert len(exif) == 0


def test_resized_to_fit_keeping_the_aspect_ratio():
    source = photo_with_exif(width=3000, height=1500, orientation=1)

    result = open_result(reencode_image(source, max_size=1200))

    assert result.size == (1200, 600)


def test_small_images_are_not_enlarged():
    result = open_result(reencode_image(photo_with_exif(width=300, height=100, orientation=1)))

    assert result.size == (300, 100)


def test_transparent_png_is_put_on_white():
    image = Image.new("RGBA", (10, 10), (0, 0, 0, 0))
    buffer = BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)

    result = open_result(reencode_image(buffer, name="logo.png"))

    assert result.getpixel((5, 5)) == (255, 255, 255)


def test_name_gets_the_jpeg_extension():
    assert reencode_image(photo_with_exif(), name="panen.png").name == "panen.jpg"


@pytest.mark.parametrize(
    "content",
    [b"%PDF-1.4 not an image", b"GIF89a" + b"\x00" * 40, b"", b"\xff\xd8\xff\xe0 truncated jpeg"],
)
def test_content_that_is_not_a_usable_image_is_refused(content):
    with pytest.raises(InvalidImage) as error:
        reencode_image(BytesIO(content), name="foto.jpg")

    assert error.value.status_code == 400
    assert "JPEG" in str(error.value.message)


def test_gif_is_refused_even_if_valid():
    buffer = BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, format="GIF")
    buffer.seek(0)

    with pytest.raises(InvalidImage):
        reencode_image(buffer)


def test_upload_over_the_byte_limit_is_refused():
    with pytest.raises(InvalidImage) as error:
        reencode_image(photo_with_exif(), max_bytes=100)

    assert error.value.code == "image_too_large"


def test_too_many_pixels_is_refused(monkeypatch):
    monkeypatch.setattr("core.images.MAX_PIXELS", 1000)

    with pytest.raises(InvalidImage) as error:
        reencode_image(photo_with_exif(width=100, height=100, orientation=1))

    assert error.value.code == "image_too_large"
