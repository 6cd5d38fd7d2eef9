"""Photo upload pipeline: check, read EXIF time and GPS, normalise to a metadata-free JPEG and thumbnail."""

from __future__ import annotations

import hashlib
import io
import math
import numbers
import re
import struct
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from PIL import ExifTags, Image, ImageFile, ImageOps, features

from ..domain.time import VN_TZ

try:
    from PIL import ImageCms
except ImportError:  # Pillow built without Little CMS: embedded colour profiles are then ignored
    ImageCms = None  # type: ignore[assignment]

__all__ = [
    "PhotoError",
    "ProcessedPhoto",
    "allowed_formats",
    "process_photo",
    "save_photo",
    "store_image",
    "upload_digest",
]

# Pillow's own pixel guard (Image.MAX_IMAGE_PIXELS, a process-wide setting, ~89 million) is left untouched.
# process_photo reads the width and height from the file header itself and refuses anything above its
# max_pixels (40 million by default) before Pillow is asked to open it, so Pillow's guard never fires with the
# defaults; if it ever does (a caller raising max_pixels past it), its DecompressionBombError is caught and
# reported as too_many_pixels.

_ERRORS_WHILE_DECODING = (
    OSError,  # includes "image file is truncated" and UnidentifiedImageError
    SyntaxError,  # Pillow's "not a PNG file", broken chunks, bad CRC
    ValueError,
    EOFError,
    struct.error,
    IndexError,
    TypeError,
    KeyError,
    ZeroDivisionError,
)
_EXIF_ERRORS = (*_ERRORS_WHILE_DECODING, AttributeError, RecursionError)
_WHITE = (255, 255, 255)


class PhotoError(ValueError):
    """An upload refused; `.message` is for the inspector (Vietnamese), `.code` for programs and logs."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ProcessedPhoto:
    """The normalised photo: a baseline JPEG without metadata, its thumbnail, and what the upload told us.

    `taken_at` comes from EXIF DateTimeOriginal (else DateTime). It is timezone-aware when the camera wrote
    OffsetTimeOriginal (resp. OffsetTime), and naive otherwise: the camera's wall clock, zone unknown; see
    `taken_at_utc`. `latitude`/`longitude` are decimal degrees from the EXIF GPS block (south, west negative).
    """

    jpeg: bytes = field(repr=False)
    thumbnail: bytes = field(repr=False)
    width: int
    height: int
    sha256: str  # hex SHA-256 of `jpeg`, the bytes that are stored
    upload_sha256: str  # hex SHA-256 of the bytes that were uploaded
    original_format: str  # "JPEG", "PNG", "WEBP" (or "HEIF" where a plugin provides it)
    original_width: int  # as stored in the upload, before EXIF rotation
    original_height: int
    taken_at: datetime | None
    latitude: float | None
    longitude: float | None

    @property
    def size_bytes(self) -> int:
        return len(self.jpeg)

    def taken_at_utc(self, assume: timezone = VN_TZ) -> datetime | None:
        """`taken_at` as an aware UTC datetime, reading a naive camera clock in `assume` (Vietnam time)."""
        if self.taken_at is None:
            return None
        moment = self.taken_at if self.taken_at.tzinfo else self.taken_at.replace(tzinfo=assume)
        return moment.astimezone(UTC)


def upload_digest(upload: bytes) -> str:
    """The SHA-256 of the bytes as uploaded: the same photo sent twice has the same digest."""
    return hashlib.sha256(upload).hexdigest()


@dataclass(frozen=True)
class SavedPhoto:
    """A processed photo written to storage: the normalised JPEG and its thumbnail, under their keys."""

    processed: ProcessedPhoto
    key: str
    thumbnail_key: str


THUMBNAILS = "thumbnails"


def save_photo(processed: ProcessedPhoto, files, kind: str = "photos") -> SavedPhoto:
    """Store a processed photo's JPEG and thumbnail under keys derived from their bytes ("photos/ab/<sha256>.jpg",
    "thumbnails/…"), never replacing a stored file. ``files`` is the request's ``evidence.NewFiles``, which removes
    them again if the request is refused. Every stored photo (inspection, instrument, certificate) comes here,
    after ``process_photo`` accepted it: a refused upload writes nothing."""
    key = files.put(kind, processed.jpeg, "jpg")
    thumbnail_key = files.put(THUMBNAILS, processed.thumbnail, "jpg")
    return SavedPhoto(processed, key, thumbnail_key)


def store_image(record, processed: ProcessedPhoto, files, kind: str = "photos"):
    """Save a processed photo and fill a ``StoredImage`` record's columns from it."""
    saved = save_photo(processed, files, kind)
    record.storage_key = saved.key
    record.thumbnail_key = saved.thumbnail_key
    record.sha256 = processed.sha256
    record.upload_sha256 = processed.upload_sha256
    record.width = processed.width
    record.height = processed.height
    record.size_bytes = processed.size_bytes
    record.taken_at = processed.taken_at_utc()
    record.exif_latitude = processed.latitude
    record.exif_longitude = processed.longitude
    return record


def allowed_formats() -> tuple[str, ...]:
    """Formats accepted here: JPEG, PNG, WEBP (if built in), HEIF (if a plugin registered it)."""
    Image.init()
    formats = ["JPEG", "PNG"]
    if features.check("webp"):
        formats.append("WEBP")
    if "HEIF" in Image.OPEN:  # registered by pillow-heif's register_heif_opener(), not installed by default
        formats.append("HEIF")
    return tuple(formats)


def process_photo(
    data: bytes,
    *,
    max_bytes: int = 15 * 1024 * 1024,
    max_pixels: int = 40_000_000,
    max_decoded_bytes: int = 64 * 1024 * 1024,
    max_edge: int = 2000,
    thumb_edge: int = 400,
    jpeg_quality: int = 85,
) -> ProcessedPhoto:
    """Check an uploaded photo and normalise it; PhotoError (with a Vietnamese message) if it is refused.

    The file is judged by its content only (never by its name or declared type). The same input always gives
    byte-identical output, so a re-upload can be recognised by `sha256` or `upload_sha256`.
    """
    limits = (max_bytes, max_pixels, max_decoded_bytes, max_edge, thumb_edge)
    if min(limits) < 1 or not 1 <= jpeg_quality <= 95:
        raise ValueError("process_photo: limits must be positive and jpeg_quality within 1..95")
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        # Someone switched on Pillow's process-wide "decode what is there": half-uploaded photos would be
        # accepted with a grey bottom half. Refuse loudly rather than store them.
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES must stay False for photo uploads")

    data = bytes(data)
    if not data:
        raise PhotoError("empty", "Tệp ảnh rỗng, vui lòng chụp/gửi lại.")
    if len(data) > max_bytes:
        raise PhotoError(
            "too_large",
            f"Ảnh quá lớn ({_megabytes(len(data), up=True)} MB); tối đa {_megabytes(max_bytes)} MB.",
        )

    fmt = _sniff_format(data)
    _check_pixels(_header_size(fmt, data), max_pixels)

    try:
        with Image.open(io.BytesIO(data), formats=[fmt]) as img:
            _check_pixels(img.size, max_pixels)
            original_format = "JPEG" if img.format == "MPO" else (img.format or fmt)
            original_width, original_height = img.size
            _draft(img, max_edge)
            _check_memory(img.size, max_decoded_bytes)
            img.load()
            taken_at, latitude, longitude = _read_exif(img)
            upright = _exif_transpose(img)
            icc_profile = img.info.get("icc_profile")
    except PhotoError:
        raise
    except Image.DecompressionBombError:  # only if our header reader could not tell the size
        raise PhotoError("too_many_pixels", _too_many_pixels_message(None, max_pixels)) from None
    except _ERRORS_WHILE_DECODING:
        raise PhotoError("corrupt", "Ảnh bị hỏng hoặc tải lên chưa hết, vui lòng chụp/gửi lại.") from None

    # Each step drops the previous copy, so at most two full-size copies are alive at once.
    rgb, upright = _to_srgb(upright, icc_profile), None
    full, rgb = _fit(rgb, max_edge), None
    thumb = _fit(full, thumb_edge)
    jpeg = _encode_jpeg(full, jpeg_quality)
    return ProcessedPhoto(
        jpeg=jpeg,
        thumbnail=_encode_jpeg(thumb, jpeg_quality),
        width=full.width,
        height=full.height,
        sha256=hashlib.sha256(jpeg).hexdigest(),
        upload_sha256=hashlib.sha256(data).hexdigest(),
        original_format=original_format,
        original_width=original_width,
        original_height=original_height,
        taken_at=taken_at,
        latitude=latitude,
        longitude=longitude,
    )


# --- identification, before any decoding --------------------------------------------------------------------

_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
_AVIF_BRANDS = {b"avif", b"avis"}
_BMP_HEADER_SIZES = {struct.pack("<I", n) for n in (12, 40, 52, 56, 64, 108, 124)}


def _sniff_format(data: bytes) -> str:
    """The allowed format the bytes start like, or PhotoError (unsupported_format / not_an_image)."""
    allowed = allowed_formats()
    found: str | None = None
    if data.startswith(b"\xff\xd8\xff"):
        found = "JPEG"
    elif data.startswith(b"\x89PNG\r\n\x1a\n"):
        found = "PNG"
    elif data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        found = "WEBP"
    elif data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        found = "HEIF"
    elif data[4:8] == b"ftyp" and data[8:12] in _AVIF_BRANDS:
        found = "AVIF"
    elif data.startswith((b"GIF87a", b"GIF89a")):
        found = "GIF"
    elif data.startswith((b"II*\x00", b"MM\x00*")):
        found = "TIFF"
    elif data.startswith(b"BM") and data[14:18] in _BMP_HEADER_SIZES:
        found = "BMP"
    if found in allowed:
        return found
    names = _format_list(allowed)
    if found is None:
        raise PhotoError("not_an_image", f"Tệp không phải là ảnh ({names}).")
    raise PhotoError(
        "unsupported_format", f"Định dạng ảnh {found} chưa được hỗ trợ; vui lòng gửi ảnh {names}."
    )


def _header_size(fmt: str, data: bytes) -> tuple[int, int] | None:
    """Width and height from the file header, read without Pillow; None if this reader cannot tell."""
    try:
        if fmt == "PNG":
            if data[12:16] == b"IHDR":
                return struct.unpack(">II", data[16:24])
        elif fmt == "WEBP":
            chunk = data[12:16]
            if chunk == b"VP8X":
                return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
            if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
                width, height = struct.unpack("<HH", data[26:30])
                return width & 0x3FFF, height & 0x3FFF
            if chunk == b"VP8L" and data[20] == 0x2F:
                bits = int.from_bytes(data[21:25], "little")
                return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
        elif fmt == "JPEG":
            return _jpeg_header_size(data)
    except (struct.error, IndexError):
        return None
    return None


_JPEG_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg_header_size(data: bytes) -> tuple[int, int] | None:
    """Walk the JPEG markers up to the first frame header (SOFn) and read its size."""
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # TEM, RSTn: no length
            pos += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image, start of scan: no frame header before them
            return None
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if marker in _JPEG_SOF:
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return (width, height) if width and height else None
        pos += 2 + length
    return None


def _draft(img: Image.Image, edge: int) -> None:
    """A JPEG much larger than the stored size is decoded at 1/2, 1/4 or 1/8 scale (libjpeg's DCT scaling), never
    below `edge` on its longest side: a 48-megapixel phone photo then takes a sixteenth of the memory."""
    longest = max(img.size)
    if img.format not in ("JPEG", "MPO") or longest < 2 * edge:
        return
    scale = edge / longest
    img.draft(img.mode, (math.ceil(img.width * scale), math.ceil(img.height * scale)))


# Pillow holds every decoded mode we convert to (RGB, RGBA, CMYK) at 4 bytes a pixel.
_BYTES_PER_DECODED_PIXEL = 4


def _check_memory(size: tuple[int, int], max_decoded_bytes: int) -> None:
    """Refuse before decoding when one decoded copy would exceed the memory budget (the pipeline holds two)."""
    needed = size[0] * size[1] * _BYTES_PER_DECODED_PIXEL
    if needed > max_decoded_bytes:
        raise PhotoError(
            "too_much_memory",
            f"Ảnh {size[0]}×{size[1]} điểm ảnh cần khoảng {_megabytes(needed, up=True)} MB bộ nhớ để xử lý, "
            f"vượt mức {_megabytes(max_decoded_bytes)} MB. Vui lòng gửi ảnh JPEG chụp từ điện thoại "
            "hoặc thu nhỏ ảnh rồi gửi lại.",
        )


def _check_pixels(size: tuple[int, int] | None, max_pixels: int) -> None:
    if size is not None and size[0] * size[1] > max_pixels:
        raise PhotoError("too_many_pixels", _too_many_pixels_message(size, max_pixels))


def _too_many_pixels_message(size: tuple[int, int] | None, max_pixels: int) -> str:
    dims = f" ({size[0]}×{size[1]})" if size else ""
    return f"Ảnh có kích thước điểm ảnh quá lớn{dims}; tối đa {_pixel_count(max_pixels)} điểm ảnh."


# --- EXIF ---------------------------------------------------------------------------------------------------

_DATETIME_ORIGINAL = 0x9003
_DATETIME = 0x0132
_OFFSET_TIME = 0x9010
_OFFSET_TIME_ORIGINAL = 0x9011
_GPS_LATITUDE_REF, _GPS_LATITUDE, _GPS_LONGITUDE_REF, _GPS_LONGITUDE = 1, 2, 3, 4


def _read_exif(img: Image.Image) -> tuple[datetime | None, float | None, float | None]:
    """Capture time and GPS position; a missing or malformed EXIF block gives None, never an error."""
    try:
        exif = img.getexif()
        ifd0: dict[int, Any] = dict(exif)
        exif_ifd: dict[int, Any] = dict(exif.get_ifd(ExifTags.IFD.Exif))
        gps_ifd: dict[int, Any] = dict(exif.get_ifd(ExifTags.IFD.GPSInfo))
    except _EXIF_ERRORS:  # hostile or broken EXIF; it is optional, the photo is kept
        return None, None, None
    taken_at = _exif_datetime(
        exif_ifd.get(_DATETIME_ORIGINAL) or ifd0.get(_DATETIME_ORIGINAL), exif_ifd.get(_OFFSET_TIME_ORIGINAL)
    ) or _exif_datetime(ifd0.get(_DATETIME), exif_ifd.get(_OFFSET_TIME))
    latitude, longitude = _gps_position(gps_ifd)
    return taken_at, latitude, longitude


_OFFSET = re.compile(r"([+-])(\d{2}):(\d{2})")


def _exif_datetime(value: object, offset: object) -> datetime | None:
    """EXIF "YYYY:MM:DD HH:MM:SS" (+ an optional "+07:00" offset) as a datetime; None if absent or garbled."""
    text = _exif_text(value)
    if not text:
        return None
    try:
        moment = datetime.strptime(text[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    if match := _OFFSET.fullmatch(_exif_text(offset)):
        sign, hours, minutes = match.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes))
        if delta <= timedelta(hours=14):
            moment = moment.replace(tzinfo=timezone(-delta if sign == "-" else delta))
    return moment


def _exif_text(value: object) -> str:
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    return value.strip("\x00 ") if isinstance(value, str) else ""


def _gps_position(gps: dict[int, Any]) -> tuple[float | None, float | None]:
    latitude = _gps_coordinate(gps.get(_GPS_LATITUDE), gps.get(_GPS_LATITUDE_REF), "N", "S", 90)
    longitude = _gps_coordinate(gps.get(_GPS_LONGITUDE), gps.get(_GPS_LONGITUDE_REF), "E", "W", 180)
    if latitude is None or longitude is None:
        return None, None
    if latitude == 0 and longitude == 0:  # what some phones write when they had no fix
        return None, None
    return latitude, longitude


def _gps_coordinate(value: object, ref: object, positive: str, negative: str, limit: int) -> float | None:
    """Degrees, minutes, seconds (EXIF rationals) and an N/S or E/W reference as signed decimal degrees."""
    ref_text = _exif_text(ref).upper()
    if ref_text not in (positive, negative):
        return None
    if isinstance(value, numbers.Real):  # one number: decimal degrees, as a few writers store it
        value = (value,)
    if not isinstance(value, tuple) or not 1 <= len(value) <= 3:
        return None
    try:
        parts = [float(part) for part in value]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    parts += [0.0] * (3 - len(parts))
    degrees, minutes, seconds = parts
    if not all(math.isfinite(p) and p >= 0 for p in parts) or minutes >= 60 or seconds >= 60:
        return None
    decimal = degrees + minutes / 60 + seconds / 3600
    if decimal > limit:
        return None
    return round(-decimal if ref_text == negative else decimal, 7)  # 7 places: about 1 cm


# --- pixels -------------------------------------------------------------------------------------------------


def _exif_transpose(img: Image.Image) -> Image.Image:
    """The image turned upright as EXIF orientation says (a copy; unturned if the tag is absent or broken)."""
    try:
        upright = ImageOps.exif_transpose(img)
    except _EXIF_ERRORS:  # a malformed EXIF block must not lose the photo
        upright = None
    return upright if upright is not None else img.copy()


def _to_srgb(img: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """RGB in sRGB: transparency flattened on white, 16-bit greys scaled, an embedded ICC profile applied."""
    mode = img.mode
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        img = img.convert("I").point(lambda v: v * (1 / 257)).convert("L")
    elif mode == "F":
        img = img.convert("L")
    if img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in img.info:
        rgba = img.convert("RGBA")
        img = Image.alpha_composite(Image.new("RGBA", rgba.size, _WHITE + (255,)), rgba).convert("RGB")
    if icc_profile and img.mode in ("RGB", "CMYK"):
        converted = _apply_icc(img, icc_profile)
        if converted is not None:
            return converted
    return img.convert("RGB")


_SRGB = ImageCms.createProfile("sRGB") if ImageCms is not None else None


def _apply_icc(img: Image.Image, icc_profile: bytes) -> Image.Image | None:
    """Convert from the embedded profile (e.g. Display P3) to sRGB; None: fall back to a plain convert."""
    if _SRGB is None:
        return None
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        if img.mode == "RGB" and "srgb" in ImageCms.getProfileDescription(source).lower():
            return None
        return ImageCms.profileToProfile(img, source, _SRGB, outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return None


def _fit(img: Image.Image, edge: int) -> Image.Image:
    """The image scaled down (LANCZOS) so its longest edge is at most `edge`; never scaled up."""
    longest = max(img.size)
    if longest <= edge:
        return img
    scale = edge / longest
    size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
    return img.resize(size, Image.Resampling.LANCZOS)


def _encode_jpeg(img: Image.Image, quality: int) -> bytes:
    """Baseline JPEG with nothing but pixels: no EXIF, XMP, ICC profile or comment (image info is dropped)."""
    clean = img.copy()
    clean.info = {}
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=quality, optimize=True, progressive=False)
    return out.getvalue()


# --- wording ------------------------------------------------------------------------------------------------


def _megabytes(size: int, *, up: bool = False) -> str:
    """Bytes as MB (MiB), one Vietnamese decimal ("16,2"), up for sizes, down for limits; "15" not "15,0"."""
    tenths = size * 10 / (1024 * 1024)
    tenths = math.ceil(tenths) if up else math.floor(tenths)
    whole, fraction = divmod(tenths, 10)
    return f"{whole},{fraction}" if fraction else str(whole)


def _pixel_count(pixels: int) -> str:
    """40_000_000 as "40 triệu", 12_500_000 as "12,5 triệu", 750_000 as "750.000"."""
    if pixels >= 1_000_000 and pixels % 100_000 == 0:
        whole, fraction = divmod(pixels // 100_000, 10)
        return f"{whole},{fraction} triệu" if fraction else f"{whole} triệu"
    return f"{pixels:,}".replace(",", ".")


def _format_list(formats: tuple[str, ...]) -> str:
    return formats[0] if len(formats) == 1 else f"{', '.join(formats[:-1])} hoặc {formats[-1]}"
