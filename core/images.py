"""Re-encoding uploaded images: checked by content (not by name), turned upright, resized,
and saved without metadata (EXIF, including GPS position, is dropped)."""

from io import BytesIO
from typing import IO

from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from core.errors import InvalidInput

# MPO: what Pillow calls the JPEGs of many Android phones (a JPEG with extra frames).
ACCEPTED_FORMATS = {"JPEG", "MPO", "PNG", "WEBP"}
# Refuse decompression bombs well before Pillow's own limit (about 89 megapixels).
MAX_PIXELS = 40_000_000


class InvalidImage(InvalidInput):
    default_message = _("This file is not a photo we can use. Upload a JPEG, PNG or WebP image.")
    default_code = "invalid_image"


def reencode_image(
    source: IO[bytes],
    *,
    max_size: int = 1600,
    quality: int = 82,
    max_bytes: int | None = None,
    name: str = "image.jpg",
) -> ContentFile:
    """Return a new JPEG no larger than `max_size` × `max_size`, upright, without metadata.

    Raises InvalidImage if the content is not a JPEG/PNG/WebP image, is too large in pixels,
    or (with `max_bytes`) the upload is larger than allowed.
    """
    # Never read more than the limit allows: an upload can be far larger than the memory.
    size = getattr(source, "size", None)
    if max_bytes is None:
        data = source.read()
    elif size is not None and size > max_bytes:
        data = b""
    else:
        data = source.read(max_bytes + 1)
        size = max(size or 0, len(data))
    if max_bytes is not None and size > max_bytes:
        raise InvalidImage(
            _("The photo is too large (%(size)s MB). The limit is %(limit)s MB.")
            % {"size": round(size / 1_000_000, 1), "limit": round(max_bytes / 1_000_000, 1)},
            code="image_too_large",
        )
    try:
        with Image.open(BytesIO(data)) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise InvalidImage()
            if probe.width * probe.height > MAX_PIXELS:
                raise InvalidImage(
                    _("The photo has too many pixels. Use a photo under 40 megapixels."),
                    code="image_too_large",
                )
            probe.verify()
        with Image.open(BytesIO(data)) as image:
            image.load()
            image = ImageOps.exif_transpose(image)
            image = _flatten_to_rgb(image)
            image.thumbnail((max_size, max_size), Image.Resampling.LANCZOS)
            output = BytesIO()
            # No exif= argument: Pillow writes none, so every tag (GPS included) is gone.
            image.save(output, format="JPEG", quality=quality, optimize=True, progressive=True)
    except InvalidImage:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise InvalidImage() from None
    base = name.rsplit(".", 1)[0] if "." in name else name
    return ContentFile(output.getvalue(), name=f"{base}.jpg")


def _flatten_to_rgb(image: Image.Image) -> Image.Image:
    """JPEG has no transparency: put transparent images on white."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")
