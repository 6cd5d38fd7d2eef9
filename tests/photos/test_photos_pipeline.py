"""The photo pipeline on good uploads: rotation, resizing, metadata stripped, EXIF time and GPS read, determinism."""

from __future__ import annotations

import hashlib
import io
import random
import struct
from datetime import UTC, datetime, timedelta, timezone

import pytest
from PIL import Image, ImageCms
from PIL.TiffImagePlugin import IFDRational

from inspect_app.domain.time import VN_TZ
from inspect_app.files.photos import ProcessedPhoto, allowed_formats, process_photo

ORIENTATION, DATETIME, DATETIME_ORIGINAL, OFFSET_TIME_ORIGINAL = 0x0112, 0x0132, 0x9003, 0x9011
EXIF_IFD, GPS_IFD = 0x8769, 0x8825


def encode(img: Image.Image, fmt: str = "JPEG", **params: object) -> bytes:
    out = io.BytesIO()
    img.save(out, fmt, **params)
    return out.getvalue()


def noisy(size: tuple[int, int], seed: int = 1) -> Image.Image:
    """A photo-like image (noise does not compress away, so byte positions fall inside the pixel data)."""
    rng = random.Random(seed)
    return Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3))


def two_halves(size: tuple[int, int]) -> Image.Image:
    """Left half red, right half blue: shows which way the image was turned."""
    img = Image.new("RGB", size, (0, 0, 255))
    img.paste((255, 0, 0), (0, 0, size[0] // 2, size[1]))
    return img


def rational(value: float) -> IFDRational:
    return IFDRational(round(value * 10_000), 10_000)


def dms(decimal: float) -> tuple[IFDRational, IFDRational, IFDRational]:
    degrees = int(decimal)
    minutes = int((decimal - degrees) * 60)
    seconds = (decimal - degrees - minutes / 60) * 3600
    return IFDRational(degrees, 1), IFDRational(minutes, 1), rational(seconds)


def exif_with(
    *,
    orientation: int | None = None,
    original: str | None = None,
    offset: str | None = None,
    datetime_: str | None = None,
    gps: dict[int, object] | None = None,
) -> Image.Exif:
    exif = Image.Exif()
    if orientation is not None:
        exif[ORIENTATION] = orientation
    if datetime_ is not None:
        exif[DATETIME] = datetime_
    if original is not None or offset is not None:
        sub = exif.get_ifd(EXIF_IFD)
        if original is not None:
            sub[DATETIME_ORIGINAL] = original
        if offset is not None:
            sub[OFFSET_TIME_ORIGINAL] = offset
    if gps is not None:
        exif.get_ifd(GPS_IFD).update(gps)
    return exif


def hanoi_gps(
    lat: float = 21.028511, lon: float = 105.804817, lat_ref: str = "N", lon_ref: str = "E"
) -> dict:
    return {1: lat_ref, 2: dms(lat), 3: lon_ref, 4: dms(lon), 0: b"\x02\x02\x00\x00"}


def jpeg_markers(data: bytes) -> list[int]:
    """The JPEG marker codes up to the start of scan (where the metadata segments live), plus SOS."""
    assert data[:2] == b"\xff\xd8"
    pos, markers = 2, []
    while True:
        marker = data[pos + 1]
        markers.append(marker)
        if marker == 0xDA:
            return markers
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        pos += 2 + length


def assert_bare_baseline_jpeg(data: bytes) -> None:
    """Only JFIF, quantisation and Huffman tables, a baseline frame header, scans: no APPn metadata, no comment."""
    markers = jpeg_markers(data)
    assert set(markers) <= {0xE0, 0xDB, 0xC4, 0xC0, 0xDA}, [hex(m) for m in markers]
    assert 0xC0 in markers  # baseline, not progressive (0xC2)
    for needle in (b"Exif", b"ICC_PROFILE", b"http://ns.adobe.com/xap", b"GPS"):
        assert needle not in data
    with Image.open(io.BytesIO(data)) as img:
        assert img.format == "JPEG"
        assert len(img.getexif()) == 0
        assert "icc_profile" not in img.info and "comment" not in img.info and "xmp" not in img.info


def mean_colour(img: Image.Image, box: tuple[int, int, int, int]) -> tuple[int, ...]:
    region = img.crop(box).resize((1, 1), Image.Resampling.BOX)
    return region.getpixel((0, 0))  # type: ignore[return-value]


def close(a: tuple[int, ...], b: tuple[int, ...], tolerance: int = 12) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


def test_orientation_6_is_applied_and_all_metadata_removed() -> None:
    exif = exif_with(orientation=6, original="2026:11:05 09:30:15", gps=hanoi_gps())
    upload = encode(
        two_halves((300, 200)),
        exif=exif,
        icc_profile=ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes(),
        comment=b"Camera v1.2",
        xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/"></x:xmpmeta>',
    )
    photo = process_photo(upload)
    # Orientation 6: the stored picture is turned 90 degrees clockwise for display, so the left half is on top.
    assert (photo.width, photo.height) == (200, 300)
    assert (photo.original_width, photo.original_height) == (300, 200)
    assert_bare_baseline_jpeg(photo.jpeg)
    assert_bare_baseline_jpeg(photo.thumbnail)
    with Image.open(io.BytesIO(photo.jpeg)) as out:
        assert out.size == (200, 300)
        assert close(mean_colour(out, (20, 20, 180, 130)), (255, 0, 0))
        assert close(mean_colour(out, (20, 170, 180, 280)), (0, 0, 255))
    # read before stripping
    assert photo.taken_at == datetime(2026, 11, 5, 9, 30, 15)
    assert photo.latitude == pytest.approx(21.028511, abs=1e-6)


@pytest.mark.parametrize(
    ("orientation", "size"),
    [(1, (300, 200)), (2, (300, 200)), (3, (300, 200)), (5, (200, 300)), (8, (200, 300)), (9, (300, 200))],
)
def test_other_orientations(orientation: int, size: tuple[int, int]) -> None:
    photo = process_photo(encode(two_halves((300, 200)), exif=exif_with(orientation=orientation)))
    assert (photo.width, photo.height) == size


def test_large_photo_is_downsized_with_a_thumbnail() -> None:
    photo = process_photo(encode(noisy((4000, 3000)), quality=90))
    assert (photo.width, photo.height) == (2000, 1500)
    with Image.open(io.BytesIO(photo.jpeg)) as out:
        assert out.size == (2000, 1500) and out.mode == "RGB"
    with Image.open(io.BytesIO(photo.thumbnail)) as thumb:
        assert thumb.size == (400, 300)
    assert (photo.original_width, photo.original_height, photo.original_format) == (4000, 3000, "JPEG")


def test_portrait_thumbnail_and_custom_edges() -> None:
    photo = process_photo(encode(noisy((1200, 3000))), max_edge=1000, thumb_edge=100)
    assert (photo.width, photo.height) == (400, 1000)
    with Image.open(io.BytesIO(photo.thumbnail)) as thumb:
        assert thumb.size == (40, 100)


def test_small_photo_is_not_enlarged() -> None:
    photo = process_photo(encode(noisy((640, 480))))
    assert (photo.width, photo.height) == (640, 480)
    with Image.open(io.BytesIO(photo.thumbnail)) as thumb:
        assert thumb.size == (400, 300)


def test_tiny_photo_keeps_its_size_in_the_thumbnail_too() -> None:
    photo = process_photo(encode(Image.new("RGB", (5, 3), (9, 9, 9)), "PNG"))
    with Image.open(io.BytesIO(photo.thumbnail)) as thumb:
        assert thumb.size == (5, 3)


def test_png_with_alpha_becomes_jpeg_on_white() -> None:
    img = Image.new("RGBA", (200, 100), (0, 0, 0, 0))  # transparent black on the left
    img.paste((200, 0, 0, 255), (100, 0, 200, 100))
    photo = process_photo(encode(img, "PNG"))
    assert photo.original_format == "PNG"
    assert_bare_baseline_jpeg(photo.jpeg)
    with Image.open(io.BytesIO(photo.jpeg)) as out:
        assert out.mode == "RGB"
        assert close(mean_colour(out, (10, 10, 80, 90)), (255, 255, 255))
        assert close(mean_colour(out, (120, 10, 190, 90)), (200, 0, 0))


def test_palette_png_with_transparency_and_16_bit_grey() -> None:
    pal = Image.new("P", (50, 50), 0)
    pal.putpalette([0, 0, 0, 0, 128, 0])
    pal.paste(1, (25, 0, 50, 50))
    photo = process_photo(encode(pal, "PNG", transparency=0))
    with Image.open(io.BytesIO(photo.jpeg)) as out:
        assert close(mean_colour(out, (2, 2, 20, 48)), (255, 255, 255))
        assert close(mean_colour(out, (30, 2, 48, 48)), (0, 128, 0))

    grey16 = Image.new("I;16", (40, 40), 0x8080)  # half way between black and white
    photo = process_photo(encode(grey16, "PNG"))
    with Image.open(io.BytesIO(photo.jpeg)) as out:
        assert close(mean_colour(out, (5, 5, 35, 35)), (128, 128, 128), 3)


def test_webp_and_cmyk_jpeg_are_accepted() -> None:
    assert {"JPEG", "PNG", "WEBP"} <= set(allowed_formats())
    photo = process_photo(encode(Image.new("RGB", (120, 80), (10, 120, 200)), "WEBP", quality=90))
    assert photo.original_format == "WEBP"
    assert_bare_baseline_jpeg(photo.jpeg)
    photo = process_photo(encode(Image.new("CMYK", (120, 80), (0, 255, 255, 0))))  # red in CMYK
    with Image.open(io.BytesIO(photo.jpeg)) as out:
        assert out.mode == "RGB" and close(mean_colour(out, (10, 10, 110, 70)), (255, 0, 0), 40)


def test_multi_picture_jpeg_from_phones_is_a_jpeg() -> None:
    """Many phones write MPO (a JPEG followed by a preview or depth image); the first picture is kept."""
    first, second = Image.new("RGB", (300, 200), (200, 30, 30)), Image.new("RGB", (160, 120), (30, 30, 200))
    upload = encode(first, "MPO", save_all=True, append_images=[second])
    with Image.open(io.BytesIO(upload)) as check:
        assert check.format == "MPO" and check.n_frames == 2
    photo = process_photo(upload)
    assert (photo.original_format, photo.width, photo.height) == ("JPEG", 300, 200)
    assert_bare_baseline_jpeg(photo.jpeg)
    with Image.open(io.BytesIO(photo.jpeg)) as out:
        assert close(mean_colour(out, (10, 10, 290, 190)), (200, 30, 30))


def _s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def _xyz(x: float, y: float, z: float) -> bytes:
    return b"XYZ \0\0\0\0" + _s15(x) + _s15(y) + _s15(z)


def matrix_profile(description: str, red: tuple, green: tuple, blue: tuple) -> bytes:
    """A minimal ICC v2 RGB display profile: three primaries (D50 XYZ), gamma 2.2 curves."""
    text = description.encode("ascii") + b"\0"
    desc = b"desc\0\0\0\0" + struct.pack(">I", len(text)) + text + b"\0" * (12 + 67)
    curve = b"curv\0\0\0\0" + struct.pack(">IH", 1, 0x0233)
    white = (0.9642, 1.0, 0.8249)
    tags = [(b"desc", desc), (b"wtpt", _xyz(*white)), (b"rXYZ", _xyz(*red)), (b"gXYZ", _xyz(*green))]
    tags += [(b"bXYZ", _xyz(*blue)), (b"rTRC", curve), (b"gTRC", curve), (b"bTRC", curve)]
    offset = 128 + 4 + 12 * len(tags)
    table = body = b""
    for signature, data in tags:
        data += b"\0" * (-len(data) % 4)
        table += signature + struct.pack(">II", offset + len(body), len(data))
        body += data
    header = struct.pack(">I", offset + len(body)) + b"lcms" + struct.pack(">I", 0x02100000) + b"mntrRGB XYZ "
    header += struct.pack(">6H", 2026, 1, 1, 0, 0, 0) + b"acsp" + b"\0" * 28 + _xyz(*white)[8:] + b"\0" * 48
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + body


SRGB_RED, SRGB_GREEN, SRGB_BLUE = (0.4361, 0.2225, 0.0139), (0.3851, 0.7169, 0.0971), (0.1431, 0.0606, 0.7141)


def test_embedded_colour_profile_is_applied_before_it_is_dropped() -> None:
    """Pixel values mean what the profile says; the stored JPEG has no profile, so they are converted to sRGB."""
    swapped = matrix_profile("Swapped primaries", SRGB_BLUE, SRGB_GREEN, SRGB_RED)  # (255, 0, 0) is blue here
    photo = process_photo(encode(Image.new("RGB", (64, 64), (255, 0, 0)), "PNG", icc_profile=swapped))
    assert_bare_baseline_jpeg(photo.jpeg)
    with Image.open(io.BytesIO(photo.jpeg)) as out:
        assert close(mean_colour(out, (8, 8, 56, 56)), (0, 0, 255))

    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    plain = process_photo(encode(Image.new("RGB", (64, 64), (30, 160, 90)), "PNG"))
    tagged = process_photo(encode(Image.new("RGB", (64, 64), (30, 160, 90)), "PNG", icc_profile=srgb))
    assert plain.jpeg == tagged.jpeg  # an sRGB profile is left alone


def test_broken_colour_profile_does_not_lose_the_photo() -> None:
    photo = process_photo(
        encode(Image.new("RGB", (64, 64), (30, 160, 90)), icc_profile=b"not a profile" * 20)
    )
    assert (photo.width, photo.height) == (64, 64)
    assert_bare_baseline_jpeg(photo.jpeg)


def test_same_upload_gives_identical_bytes() -> None:
    exif = exif_with(orientation=6, original="2026:11:05 09:30:15", gps=hanoi_gps())
    upload = encode(noisy((2600, 1800), seed=7), exif=exif)
    first, second = process_photo(upload), process_photo(upload)
    assert first == second
    assert first.jpeg == second.jpeg and first.thumbnail == second.thumbnail
    assert first.sha256 == hashlib.sha256(first.jpeg).hexdigest()
    assert first.upload_sha256 == hashlib.sha256(upload).hexdigest()
    assert first.sha256 != first.upload_sha256
    assert first.size_bytes == len(first.jpeg)
    assert "jpeg=" not in repr(first)  # megabytes of bytes stay out of logs


def test_processing_its_own_output_is_stable() -> None:
    """Re-processing a stored photo keeps its size (the pipeline is safe to run on already-normalised files)."""
    once = process_photo(encode(noisy((900, 700))))
    again = process_photo(once.jpeg)
    assert (again.width, again.height) == (once.width, once.height)
    assert again.taken_at is None and again.latitude is None


# --- EXIF time and place ---------------------------------------------------------------------------------------


def test_exif_capture_time_with_offset_is_aware() -> None:
    exif = exif_with(original="2026:11:05 09:30:15", offset="+07:00", datetime_="2026:11:06 10:00:00")
    photo = process_photo(encode(Image.new("RGB", (64, 48)), exif=exif))
    assert photo.taken_at == datetime(2026, 11, 5, 9, 30, 15, tzinfo=timezone(timedelta(hours=7)))
    assert photo.taken_at is not None and photo.taken_at.utcoffset() == timedelta(hours=7)
    assert photo.taken_at_utc() == datetime(2026, 11, 5, 2, 30, 15, tzinfo=UTC)


def test_exif_capture_time_without_offset_is_naive_camera_clock() -> None:
    photo = process_photo(
        encode(Image.new("RGB", (64, 48)), exif=exif_with(original="2026:11:05 09:30:15\x00"))
    )
    assert photo.taken_at == datetime(2026, 11, 5, 9, 30, 15)
    assert photo.taken_at.tzinfo is None
    assert photo.taken_at_utc() == datetime(2026, 11, 5, 2, 30, 15, tzinfo=UTC)  # read as Vietnam time
    assert photo.taken_at_utc(assume=UTC) == datetime(2026, 11, 5, 9, 30, 15, tzinfo=UTC)
    assert VN_TZ.utcoffset(None) == timedelta(hours=7)


def test_exif_datetime_is_the_fallback() -> None:
    photo = process_photo(encode(Image.new("RGB", (64, 48)), exif=exif_with(datetime_="2025:01:31 23:59:59")))
    assert photo.taken_at == datetime(2025, 1, 31, 23, 59, 59)


@pytest.mark.parametrize(
    "value", ["0000:00:00 00:00:00", "    :  :     :  :  ", "yesterday", "2026:13:01 00:00:00"]
)
def test_garbled_capture_time_is_ignored(value: str) -> None:
    photo = process_photo(encode(Image.new("RGB", (64, 48)), exif=exif_with(original=value)))
    assert photo.taken_at is None


@pytest.mark.parametrize(
    ("lat", "lon", "lat_ref", "lon_ref", "expected"),
    [
        (21.028511, 105.804817, "N", "E", (21.028511, 105.804817)),  # Hà Nội
        (10.776889, 106.700806, "N", "E", (10.776889, 106.700806)),  # TP. Hồ Chí Minh
        (33.868820, 151.209296, "S", "E", (-33.868820, 151.209296)),
        (40.712776, 74.005974, "N", "W", (40.712776, -74.005974)),
    ],
)
def test_exif_gps_to_decimal_degrees(
    lat: float, lon: float, lat_ref: str, lon_ref: str, expected: tuple[float, float]
) -> None:
    exif = exif_with(gps=hanoi_gps(lat, lon, lat_ref, lon_ref))
    photo = process_photo(encode(Image.new("RGB", (64, 48)), exif=exif))
    assert photo.latitude == pytest.approx(expected[0], abs=1e-6)
    assert photo.longitude == pytest.approx(expected[1], abs=1e-6)


@pytest.mark.parametrize(
    "gps",
    [
        {1: "N", 2: (IFDRational(21, 0), IFDRational(1, 1), IFDRational(0, 1)), 3: "E", 4: dms(105.8)},
        {2: dms(21.0), 3: "E", 4: dms(105.8)},  # no latitude reference
        {1: "X", 2: dms(21.0), 3: "E", 4: dms(105.8)},
        {1: "N", 2: dms(95.0), 3: "E", 4: dms(105.8)},
        {1: "N", 2: dms(21.0), 3: "E", 4: dms(185.0)},
        {1: "N", 2: (IFDRational(21, 1), IFDRational(75, 1), IFDRational(0, 1)), 3: "E", 4: dms(105.8)},
        {1: "N", 2: (*dms(21.0), IFDRational(1, 1)), 3: "E", 4: dms(105.8)},  # four numbers
        {1: "N", 2: dms(0.0), 3: "E", 4: dms(0.0)},  # "no fix" written as 0, 0
        {1: "N", 2: dms(21.0)},  # no longitude
    ],
)
def test_malformed_gps_is_ignored(gps: dict[int, object]) -> None:
    photo = process_photo(encode(Image.new("RGB", (64, 48)), exif=exif_with(gps=gps)))
    assert (photo.latitude, photo.longitude) == (None, None)
    assert photo.width == 64


def test_gps_written_as_decimal_degrees_is_read() -> None:
    gps = {1: "S", 2: (rational(8.5),), 3: "E", 4: (rational(105.25), IFDRational(0, 1))}
    photo = process_photo(encode(Image.new("RGB", (64, 48)), exif=exif_with(gps=gps)))
    assert (photo.latitude, photo.longitude) == (-8.5, 105.25)


def test_exif_in_png_and_webp_is_read_and_dropped() -> None:
    exif = exif_with(orientation=6, original="2026:02:03 04:05:06", gps=hanoi_gps())
    for fmt in ("PNG", "WEBP"):
        photo = process_photo(encode(two_halves((300, 200)), fmt, exif=exif))
        assert (photo.width, photo.height) == (200, 300), fmt
        assert photo.taken_at == datetime(2026, 2, 3, 4, 5, 6), fmt
        assert photo.latitude == pytest.approx(21.028511, abs=1e-6), fmt
        assert_bare_baseline_jpeg(photo.jpeg)


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data:UserWarning")
def test_broken_exif_block_does_not_lose_the_photo() -> None:
    upload = encode(Image.new("RGB", (64, 48)), exif=b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\xff\xff\x01\x12")
    photo = process_photo(upload)
    assert (photo.width, photo.height, photo.taken_at, photo.latitude) == (64, 48, None, None)


def test_result_is_frozen() -> None:
    photo = process_photo(encode(Image.new("RGB", (8, 8))))
    assert isinstance(photo, ProcessedPhoto)
    with pytest.raises(AttributeError):
        photo.width = 1  # type: ignore[misc]
