"""What the photo pipeline refuses, and how: empty, too large, not an image, pixel floods, truncated files."""

from __future__ import annotations

import io
import random
import struct
import subprocess
import sys
import time
import warnings
import zlib

import pytest
from PIL import Image, ImageFile, features

from inspect_app.files import photos
from inspect_app.files.photos import PhotoError, process_photo

MiB = 1024 * 1024
CORRUPT = "Ảnh bị hỏng hoặc tải lên chưa hết, vui lòng chụp/gửi lại."


def encode(img: Image.Image, fmt: str = "JPEG", **params: object) -> bytes:
    out = io.BytesIO()
    img.save(out, fmt, **params)
    return out.getvalue()


def noisy(size: tuple[int, int], seed: int = 1) -> Image.Image:
    rng = random.Random(seed)
    return Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3))


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims width×height 1-bit grey pixels but carries only a few bytes of pixel data."""
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    idat = zlib.compress(b"\0" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")
    )


def jpeg_claiming(width: int, height: int) -> bytes:
    """A real small JPEG whose frame header (SOF0) is patched to claim width×height."""
    data = bytearray(encode(Image.new("L", (16, 16), 128)))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def webp_vp8x_claiming(width: int, height: int) -> bytes:
    body = b"VP8X" + struct.pack("<I", 10) + b"\0" * 4
    body += (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WEBP" + body


def refused(data: bytes, code: str, **limits: int) -> PhotoError:
    with pytest.raises(PhotoError) as caught:
        process_photo(data, **limits)
    assert caught.value.code == code, caught.value.message
    return caught.value


# --- size of the upload ----------------------------------------------------------------------------------------


def test_empty() -> None:
    error = refused(b"", "empty")
    assert error.message == "Tệp ảnh rỗng, vui lòng chụp/gửi lại."


@pytest.mark.parametrize(
    ("size", "message"),
    [
        (16 * MiB, "Ảnh quá lớn (16 MB); tối đa 15 MB."),
        (int(16.2 * MiB), "Ảnh quá lớn (16,2 MB); tối đa 15 MB."),
        (15 * MiB + 1, "Ảnh quá lớn (15,1 MB); tối đa 15 MB."),  # rounded up: never "15 MB; at most 15 MB"
    ],
)
def test_too_large_is_refused_before_anything_else(size: int, message: str) -> None:
    data = b"\xff\xd8\xff" + b"\0" * (size - 3)
    error = refused(data, "too_large")
    assert error.message == message
    assert str(error) == message
    assert isinstance(error, ValueError)


def test_limit_is_inclusive_and_configurable() -> None:
    small = encode(Image.new("RGB", (8, 8)))
    assert process_photo(small, max_bytes=len(small)).width == 8
    assert refused(small, "too_large", max_bytes=len(small) - 1).message.endswith("MB.")
    assert "tối đa 10,5 MB" in refused(b"x" * 11 * MiB, "too_large", max_bytes=int(10.5 * MiB)).message


# --- content, not names ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        "Biên bản kiểm tra – đây là văn bản, không phải ảnh.\n".encode(),  # a text file renamed .jpg
        b"<html><body>Not found</body></html>",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
        b"PK\x03\x04" + b"\0" * 100,
        bytes(range(256)) * 10,
        b"\xff\xd8",  # two bytes of a JPEG signature are not enough to be one
        b"BMW X5 price list",
    ],
)
def test_not_an_image(data: bytes) -> None:
    error = refused(data, "not_an_image")
    assert error.message == "Tệp không phải là ảnh (JPEG, PNG hoặc WEBP)."


@pytest.mark.parametrize(("fmt", "name"), [("GIF", "GIF"), ("BMP", "BMP"), ("TIFF", "TIFF")])
def test_real_images_in_other_formats(fmt: str, name: str) -> None:
    error = refused(encode(Image.new("RGB", (16, 16), (1, 2, 3)), fmt), "unsupported_format")
    assert error.message == f"Định dạng ảnh {name} chưa được hỗ trợ; vui lòng gửi ảnh JPEG, PNG hoặc WEBP."


def test_heic_is_recognised_but_refused_without_a_plugin() -> None:
    heic_start = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + b"\0" * 64
    error = refused(heic_start, "unsupported_format")
    assert "HEIF" in error.message


@pytest.mark.skipif(not features.check("avif"), reason="this Pillow has no AVIF")
def test_avif_is_refused() -> None:
    assert refused(encode(Image.new("RGB", (16, 16)), "AVIF"), "unsupported_format").message.startswith(
        "Định dạng ảnh AVIF"
    )


def test_heif_is_accepted_when_a_plugin_registers_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(Image.OPEN, "HEIF", (lambda fp, filename: None, lambda prefix: False))
    assert photos.allowed_formats() == ("JPEG", "PNG", "WEBP", "HEIF")
    assert refused(b"hello", "not_an_image").message == "Tệp không phải là ảnh (JPEG, PNG, WEBP hoặc HEIF)."


# --- pixel floods ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "dims"),
    [
        (png_header_only(30000, 30000), "30000×30000"),
        (jpeg_claiming(30000, 30000), "30000×30000"),
        (jpeg_claiming(8000, 6000), "8000×6000"),  # 48 million: over our limit, under Pillow's own
        (webp_vp8x_claiming(16383, 16383), "16383×16383"),
        (webp_vp8x_claiming(7000, 6000), "7000×6000"),
    ],
)
def test_pixel_flood_is_refused_from_the_header(data: bytes, dims: str) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        started = time.perf_counter()
        error = refused(data, "too_many_pixels")
        elapsed = time.perf_counter() - started
    assert error.message == f"Ảnh có kích thước điểm ảnh quá lớn ({dims}); tối đa 40 triệu điểm ảnh."
    assert elapsed < 0.5
    assert not [w for w in caught if issubclass(w.category, Image.DecompressionBombWarning)]


def test_pixel_limit_is_configurable_and_worded_in_vietnamese() -> None:
    data = encode(Image.new("RGB", (1000, 800)))
    assert process_photo(data, max_pixels=800_000).original_width == 1000
    error = refused(data, "too_many_pixels", max_pixels=799_999)
    assert error.message == "Ảnh có kích thước điểm ảnh quá lớn (1000×800); tối đa 799.999 điểm ảnh."
    error = refused(encode(Image.new("RGB", (4000, 4000))), "too_many_pixels", max_pixels=12_500_000)
    assert error.message.endswith("tối đa 12,5 triệu điểm ảnh.")


def test_pillow_checks_back_us_up_when_the_header_reader_cannot_tell(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(photos, "_header_size", lambda fmt, data: None)
    # Under Pillow's own limit: Pillow reads the header, our size check refuses before decoding.
    error = refused(png_header_only(8000, 6000), "too_many_pixels")
    assert "(8000×6000)" in error.message
    # Over Pillow's limit: its DecompressionBombError is turned into ours (the size is not known then).
    error = refused(png_header_only(30000, 30000), "too_many_pixels")
    assert error.message == "Ảnh có kích thước điểm ảnh quá lớn; tối đa 40 triệu điểm ảnh."


PNG_BOMB_SCRIPT = r"""
import re, struct, sys, zlib
from PIL import Image
from inspect_app.files.photos import PhotoError, process_photo

def peak_kib():
    with open("/proc/self/status") as status:
        return int(re.search(r"VmHWM:\s+(\d+)", status.read()).group(1))

def chunk(kind, payload):
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

# A complete, valid 30000x30000 one-bit PNG: about 110 kB on the wire, 900 MB once decoded.
side = 30000
packer, row = zlib.compressobj(9), b"\0" * (1 + side // 8)
idat = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0))
png += chunk(b"IDAT", idat) + chunk(b"IEND", b"")
before = peak_kib()
try:
    process_photo(png)
except PhotoError as error:
    assert error.code == "too_many_pixels", error.code
else:
    sys.exit("accepted")
after = peak_kib()
control = Image.new("L", (10000, 10000), 7)
print(len(png), before, after, peak_kib())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads peak memory from /proc/self/status")
def test_pixel_flood_does_not_allocate_the_image() -> None:
    """A real 30000×30000 PNG bomb is refused in a fresh interpreter without its peak memory moving.

    Decoding it would take 900 MB (Pillow keeps one byte a pixel). The child reads its peak resident size
    (VmHWM, which starts afresh at exec, unlike ru_maxrss) before and after, then allocates a 100-million-pixel
    image as a control, to show that the measurement does see allocations.
    """
    result = subprocess.run(
        [sys.executable, "-c", PNG_BOMB_SCRIPT], check=False, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    size, before, after, with_control = map(int, result.stdout.split())
    assert size < 200_000
    assert after - before < 20 * 1024, (before, after)  # KiB: under 20 MB more at peak
    assert with_control - after > 80 * 1024, (after, with_control)  # the control's 100 MB does show


def test_header_reader_agrees_with_pillow() -> None:
    cases = {
        "JPEG": [
            encode(noisy((123, 45))),
            encode(noisy((123, 45)), progressive=True, exif=Image.Exif(), icc_profile=b"\0" * 70_000),
        ],
        "PNG": [encode(Image.new("LA", (77, 33)), "PNG")],
        "WEBP": [
            encode(noisy((321, 123)), "WEBP", quality=80),  # VP8
            encode(noisy((321, 123)), "WEBP", lossless=True),  # VP8L
            encode(Image.new("RGBA", (321, 123)), "WEBP", exif=b"Exif\0\0MM\0*\0\0\0\x08\0\0"),  # VP8X
        ],
    }
    for fmt, samples in cases.items():
        for data in samples:
            with Image.open(io.BytesIO(data)) as img:
                assert photos._header_size(fmt, data) == img.size, fmt


# --- broken files ----------------------------------------------------------------------------------------------


def test_truncated_jpeg() -> None:
    data = encode(noisy((800, 600)))
    assert refused(data[: len(data) // 2], "corrupt").message == CORRUPT


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_truncated_png_and_webp(fmt: str) -> None:
    data = encode(noisy((300, 200)), fmt)
    refused(data[: len(data) // 2], "corrupt")


@pytest.mark.parametrize("keep", [3, 20, 200])
def test_jpeg_cut_inside_its_header(keep: int) -> None:
    data = encode(noisy((64, 64)), exif=Image.Exif())
    refused(data[:keep], "corrupt")


def test_damaged_png_data() -> None:
    data = bytearray(encode(noisy((200, 100)), "PNG"))
    idat = data.index(b"IDAT")
    data[idat + 100 : idat + 140] = b"\xa5" * 40  # the CRC no longer matches
    refused(bytes(data), "corrupt")


def test_png_with_a_lying_header() -> None:
    refused(png_header_only(1000, 1000), "corrupt")  # claims a million pixels, carries 64 bytes


def test_global_pillow_settings_are_left_alone() -> None:
    before = (Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES)
    refused(png_header_only(30000, 30000), "too_many_pixels")
    data = encode(noisy((800, 600)))
    refused(data[: len(data) // 2], "corrupt")
    assert (Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES) == before


def test_truncated_images_setting_switched_on_elsewhere_is_refused_loudly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(RuntimeError, match="LOAD_TRUNCATED_IMAGES"):
        process_photo(encode(Image.new("RGB", (8, 8))))


@pytest.mark.parametrize(
    "limits",
    [
        {"max_bytes": 0},
        {"max_pixels": 0},
        {"max_edge": 0},
        {"thumb_edge": -1},
        {"jpeg_quality": 0},
        {"jpeg_quality": 96},
    ],
)
def test_nonsense_limits_are_a_programming_error(limits: dict[str, int]) -> None:
    with pytest.raises(ValueError) as caught:
        process_photo(b"x", **limits)
    assert not isinstance(caught.value, PhotoError)
