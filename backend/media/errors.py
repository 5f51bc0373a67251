from __future__ import annotations

from backend.errors import ErrorCode, messages


class MediaErrorCode(ErrorCode):
    EMPTY_FILE = "empty_file"
    FILE_TOO_LARGE = "file_too_large"
    TOO_MANY_PIXELS = "too_many_pixels"
    UNSUPPORTED_FORMAT = "unsupported_format"
    TYPE_MISMATCH = "type_mismatch"
    TRUNCATED = "truncated"
    CORRUPT_IMAGE = "corrupt_image"
    TRAILING_DATA = "trailing_data"
    INVALID_CLIENT_KEY = "invalid_client_key"
    CLIENT_KEY_REUSED = "client_key_reused"
    PHOTO_NOT_FOUND = "photo_not_found"


C = MediaErrorCode
messages(
    {
        C.EMPTY_FILE: (
            "File foto kosong. Pilih foto lagi.",
            "The photo file is empty. Pick it again.",
        ),
        C.FILE_TOO_LARGE: (
            "Foto terlalu besar (maksimal {max_mb} MB). Kirim foto langsung dari kamera.",
            "The photo is too large (at most {max_mb} MB). Send the photo straight from the "
            "camera.",
        ),
        C.TOO_MANY_PIXELS: (
            "Resolusi foto terlalu besar (maksimal {max_mp} megapiksel). Gunakan mode kamera "
            "biasa.",
            "The photo has too many pixels (at most {max_mp} megapixels). Use the normal camera "
            "mode.",
        ),
        C.UNSUPPORTED_FORMAT: (
            "File ini bukan foto. Kirim foto JPEG, PNG, WebP atau HEIC.",
            "This file is not a photo. Send a JPEG, PNG, WebP or HEIC photo.",
        ),
        C.TYPE_MISMATCH: (
            "Jenis file tidak sesuai dengan isinya ({declared} berisi {actual}). Kirim foto asli.",
            "The file type does not match its content ({declared} holds {actual}). Send the "
            "original photo.",
        ),
        C.TRUNCATED: (
            "Foto terpotong saat dikirim. Kirim ulang.",
            "The photo was cut off while sending. Send it again.",
        ),
        C.CORRUPT_IMAGE: (
            "Foto rusak dan tidak dapat dibuka. Ambil atau pilih foto lain.",
            "The photo is damaged and cannot be opened. Take or pick another photo.",
        ),
        C.TRAILING_DATA: (
            "File berisi data lain di luar gambar. Kirim foto asli dari kamera atau galeri.",
            "The file carries other data besides the picture. Send the original photo from the "
            "camera or gallery.",
        ),
        C.INVALID_CLIENT_KEY: (
            "Kunci unggah tidak valid (1–64 huruf, angka, '-', '_', '.' atau ':').",
            "Invalid client key (1–64 letters, digits, '-', '_', '.' or ':').",
        ),
        C.CLIENT_KEY_REUSED: (
            "Kunci unggah ini sudah dipakai untuk foto lain.",
            "This client key was already used for a different photo.",
        ),
        C.PHOTO_NOT_FOUND: (
            "Foto tidak ditemukan. Unggah ulang fotonya.",
            "Photo not found. Upload the photo again.",
        ),
    }
)
