"""The photo pipeline's memory: an upload is refused before decoding when one decoded copy would pass the budget,
and a large phone JPEG is decoded at a reduced scale, so a worker's peak stays near the size actually stored."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from inspect_app.files.photos import PhotoError, process_photo

PROJECT = Path(__file__).resolve().parents[2]


def encode(img: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    img.save(out, fmt)
    return out.getvalue()


def gradient(size: tuple[int, int]) -> Image.Image:
    return Image.linear_gradient("L").resize(size).convert("RGB")


def test_the_budget_is_checked_on_the_decoded_size_before_decoding():
    budget = 400 * 300 * 4  # Pillow holds RGB at 4 bytes a pixel
    assert process_photo(encode(gradient((400, 300)), "PNG"), max_decoded_bytes=budget).width == 400
    with pytest.raises(PhotoError) as refused:
        process_photo(encode(gradient((401, 300)), "PNG"), max_decoded_bytes=budget)
    assert refused.value.code == "too_much_memory"


def test_a_png_under_the_pixel_limit_but_over_the_memory_budget_is_refused_with_a_way_out():
    # 20 million pixels: under the 40 million pixel limit, yet 80 MB once decoded.
    data = encode(Image.new("RGB", (5000, 4000), (200, 200, 200)), "PNG")
    with pytest.raises(PhotoError) as refused:
        process_photo(data)
    assert refused.value.code == "too_much_memory"
    assert refused.value.message == (
        "Ảnh 5000×4000 điểm ảnh cần khoảng 76,3 MB bộ nhớ để xử lý, vượt mức 64 MB. "
        "Vui lòng gửi ảnh JPEG chụp từ điện thoại hoặc thu nhỏ ảnh rồi gửi lại."
    )


def test_a_large_jpeg_is_decoded_at_a_reduced_scale_and_stored_at_the_usual_size():
    # 35 megapixels: 140 MB a copy at full scale, over the budget; decoded at half scale it fits.
    photo = process_photo(encode(gradient((7000, 5000)), "JPEG"))
    assert (photo.original_width, photo.original_height) == (7000, 5000)
    assert (photo.width, photo.height) == (2000, 1429)


PEAK = """
import resource, sys
from inspect_app.files.photos import process_photo
data = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
process_photo(data)
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
"""


def test_a_large_jpeg_costs_a_worker_little_memory(tmp_path):
    """Measured in a fresh process (the peak resident size only grows): a 35-megapixel JPEG took about 450 MB
    above the baseline when decoded at full scale; now about 100 MB."""
    path = tmp_path / "big.jpg"
    gradient((7000, 5000)).save(path, quality=90)
    done = subprocess.run(
        [sys.executable, "-c", PEAK, str(path)], cwd=PROJECT, capture_output=True, text=True, check=True
    )
    assert int(done.stdout) < 200, f"peak grew by {done.stdout.strip()} MB"
