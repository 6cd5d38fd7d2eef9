// Photos: shrink on the phone (longest edge ≤ the server's limit, JPEG) before they wait in the outbox,
// keeping the camera's EXIF time and GPS, which the server reads as evidence.

const KEEP_ORIGINAL_BYTES = 1.5 * 1024 * 1024;

function canvasBlob(canvas, quality) {
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("Không nén được ảnh."))), "image/jpeg", quality)
  );
}

function draw(bitmap, width, height) {
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext("2d");
  context.imageSmoothingQuality = "high";
  context.drawImage(bitmap, 0, 0, width, height);
  return canvas;
}

/** {blob, width, height, thumb (data URL)} ready to store; throws an Error with a Vietnamese message. */
export async function preparePhoto(file, maxEdge = 2000, quality = 0.85) {
  let bitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  } catch (error) {
    throw new Error("Tệp này không phải là ảnh đọc được.");
  }
  try {
    const scale = Math.min(1, maxEdge / Math.max(bitmap.width, bitmap.height));
    const width = Math.round(bitmap.width * scale);
    const height = Math.round(bitmap.height * scale);
    const thumbScale = Math.min(1, 240 / Math.max(width, height));
    const thumb = draw(bitmap, Math.round(width * thumbScale), Math.round(height * thumbScale)).toDataURL("image/jpeg", 0.7);
    const isJpeg = file.type === "image/jpeg" || /\.jpe?g$/i.test(file.name || "");
    if (isJpeg && scale === 1 && file.size <= KEEP_ORIGINAL_BYTES) {
      return { blob: file.slice(0, file.size, "image/jpeg"), width, height, thumb };
    }
    let blob = await canvasBlob(draw(bitmap, width, height), quality);
    const exif = isJpeg ? await exifSegment(file) : null;
    if (exif) blob = new Blob([blob.slice(0, 2), exif, blob.slice(2)], { type: "image/jpeg" });
    return { blob, width, height, thumb };
  } finally {
    bitmap.close();
  }
}

/** The APP1 "Exif" segment of a JPEG with its orientation set to 1 (the pixels are already upright). */
async function exifSegment(file) {
  const bytes = new Uint8Array(await file.slice(0, 256 * 1024).arrayBuffer());
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  let offset = 2;
  while (offset + 4 <= bytes.length && bytes[offset] === 0xff) {
    const marker = bytes[offset + 1];
    const length = (bytes[offset + 2] << 8) | bytes[offset + 3];
    if (marker === 0xda || marker === 0xd9) break; // image data starts: no metadata after this
    const isExif =
      marker === 0xe1 && String.fromCharCode(...bytes.subarray(offset + 4, offset + 8)) === "Exif";
    if (isExif && offset + 2 + length <= bytes.length) {
      const segment = bytes.slice(offset, offset + 2 + length);
      resetOrientation(segment);
      return segment;
    }
    offset += 2 + length;
  }
  return null;
}

function resetOrientation(segment) {
  const tiff = 10; // marker (2) + length (2) + "Exif\0\0" (6)
  const view = new DataView(segment.buffer, segment.byteOffset, segment.byteLength);
  const little = view.getUint16(tiff) === 0x4949;
  const ifd0 = tiff + view.getUint32(tiff + 4, little);
  if (ifd0 + 2 > segment.length) return;
  const entries = view.getUint16(ifd0, little);
  for (let i = 0; i < entries; i += 1) {
    const entry = ifd0 + 2 + i * 12;
    if (entry + 12 > segment.length) return;
    if (view.getUint16(entry, little) === 0x0112) view.setUint16(entry + 8, 1, little);
  }
}
