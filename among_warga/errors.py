from __future__ import annotations

from backend.errors import ErrorCode, messages


class ComplaintErrorCode(ErrorCode):
    NOT_FOUND = "not_found"
    UNKNOWN_CATEGORY = "unknown_category"
    CATEGORY_INACTIVE = "category_inactive"
    DESCRIPTION_REQUIRED = "description_required"
    DESCRIPTION_TOO_SHORT = "description_too_short"
    DESCRIPTION_TOO_LONG = "description_too_long"
    INVALID_COORDINATES = "invalid_coordinates"
    OUTSIDE_CITY = "outside_city"
    PHOTO_REQUIRED = "photo_required"
    TOO_MANY_PHOTOS = "too_many_photos"
    PHOTO_NOT_FOUND = "photo_not_found"
    CLIENT_REQUEST_ID_REQUIRED = "client_request_id_required"
    IDEMPOTENCY_CONFLICT = "idempotency_conflict"
    RATE_LIMITED = "rate_limited"
    NOT_SUPPORTABLE = "not_supportable"
    OWN_COMPLAINT = "own_complaint"
    INVALID_TRANSITION = "invalid_transition"
    CONFIRMATION_CLOSED = "confirmation_closed"
    INVALID_RATING = "invalid_rating"
    COMMENT_TOO_LONG = "comment_too_long"
    INVALID_BBOX = "invalid_bbox"
    UNKNOWN_STATUS = "unknown_status"
    INVALID_TARGET = "invalid_target"
    INVALID_NAME = "invalid_name"


C = ComplaintErrorCode
messages({
    C.NOT_FOUND: ("Laporan tidak ditemukan.", "Complaint not found."),
    C.UNKNOWN_CATEGORY: ("Kategori tidak dikenal: {codes}.", "Unknown category: {codes}."),
    C.CATEGORY_INACTIVE: ("Kategori ini sedang tidak menerima laporan. Pilih kategori lain.",
                          "This category is not taking reports now. Pick another one."),
    C.DESCRIPTION_REQUIRED: ("Tuliskan penjelasan singkat masalahnya.",
                             "Write a short description of the problem."),
    C.DESCRIPTION_TOO_SHORT: ("Penjelasan minimal {min} karakter.",
                              "The description needs at least {min} characters."),
    C.DESCRIPTION_TOO_LONG: ("Penjelasan maksimal {max} karakter.",
                             "The description may have at most {max} characters."),
    C.INVALID_COORDINATES: ("Lokasi tidak valid. Aktifkan GPS dan coba lagi.",
                            "Invalid location. Turn on GPS and try again."),
    C.OUTSIDE_CITY: ("Lokasi berada di luar Kota Batu. Among Warga hanya untuk wilayah Kota Batu.",
                     "The location is outside Kota Batu; Among Warga covers Kota Batu only."),
    C.PHOTO_REQUIRED: ("Lampirkan minimal satu foto.", "Attach at least one photo."),
    C.TOO_MANY_PHOTOS: ("Maksimal {max} foto per laporan.", "At most {max} photos per report."),
    C.PHOTO_NOT_FOUND: ("Foto tidak ditemukan atau bukan milik Anda. Unggah ulang fotonya.",
                        "Photo not found or not yours. Upload it again."),
    C.CLIENT_REQUEST_ID_REQUIRED: ("clientRequestId wajib diisi (8–64 karakter).",
                                   "clientRequestId is required (8–64 characters)."),
    C.IDEMPOTENCY_CONFLICT: (
        "clientRequestId ini sudah dipakai untuk laporan lain. Buat id baru untuk laporan baru.",
        "This clientRequestId was already used for a different report; use a new id."),
    C.RATE_LIMITED: ("Terlalu banyak laporan. Coba lagi dalam {minutes} menit.",
                     "Too many reports. Try again in {minutes} minutes."),
    C.NOT_SUPPORTABLE: ("Laporan ini tidak bisa didukung (sudah selesai atau tidak publik).",
                        "This report cannot be supported (closed or not public)."),
    C.OWN_COMPLAINT: ("Ini laporan Anda sendiri.", "This is your own report."),
    C.INVALID_TRANSITION: ("Status laporan saat ini {current}; tindakan ini memerlukan status "
                           "{expected}.",
                           "The report is {current} now; this needs {expected}."),
    C.CONFIRMATION_CLOSED: ("Batas waktu konfirmasi (7 hari) sudah lewat.",
                            "The 7-day confirmation period has ended."),
    C.INVALID_RATING: ("Nilai harus 1 sampai 5.", "The rating must be 1 to 5."),
    C.COMMENT_TOO_LONG: ("Komentar maksimal 1000 karakter.", "At most 1000 characters."),
    C.INVALID_BBOX: ("Batas peta tidak valid: bbox=selatan,barat,utara,timur (derajat WGS84).",
                     "Invalid map bounds: bbox=south,west,north,east (WGS84 degrees)."),
    C.UNKNOWN_STATUS: ("Status tidak dikenal: {statuses}.", "Unknown status: {statuses}."),
    C.INVALID_TARGET: ("Target waktu harus lebih dari 0 menit.", "Targets must be > 0 minutes."),
    C.INVALID_NAME: ("Nama harus 2–100 karakter.", "Names must be 2–100 characters."),
})
