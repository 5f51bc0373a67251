from __future__ import annotations

from backend.errors import ErrorCode, messages


class FarmingErrorCode(ErrorCode):
    NOT_FOUND = "not_found"
    NOT_ALLOWED = "not_allowed"
    FARMER_NOT_FOUND = "farmer_not_found"
    INVALID_NAME = "invalid_name"
    INVALID_GEOMETRY = "invalid_geometry"
    SELF_INTERSECTING = "self_intersecting"
    OUTSIDE_CITY = "outside_city"
    INVALID_COORDINATES = "invalid_coordinates"
    LOCATION_REQUIRED = "location_required"
    INVALID_AREA = "invalid_area"
    AREA_MISMATCH = "area_mismatch"
    UNKNOWN_COMMODITY = "unknown_commodity"
    UNIT_NOT_ALLOWED = "unit_not_allowed"
    PLANTING_LARGER_THAN_PARCEL = "planting_larger_than_parcel"
    INVALID_DATES = "invalid_dates"
    HARVEST_BEFORE_PLANTING = "harvest_before_planting"
    INVALID_QUANTITY = "invalid_quantity"
    INVALID_TEXT = "invalid_text"
    CLIENT_REQUEST_ID_REQUIRED = "client_request_id_required"
    IDEMPOTENCY_CONFLICT = "idempotency_conflict"
    PHOTO_OR_DESCRIPTION_REQUIRED = "photo_or_description_required"
    DESCRIPTION_REQUIRED = "description_required"
    PHOTO_REQUIRED = "photo_required"
    TOO_MANY_PHOTOS = "too_many_photos"
    PHOTO_NOT_FOUND = "photo_not_found"
    NO_OFFICER = "no_officer"
    OUTSIDE_OFFICER_VILLAGES = "outside_officer_villages"
    INVALID_TRANSITION = "invalid_transition"
    INVALID_RATING = "invalid_rating"
    NOT_A_SPECIALIST = "not_a_specialist"
    UNKNOWN_VILLAGE = "unknown_village"
    INVALID_HOURS = "invalid_hours"
    INVALID_SEVERITY = "invalid_severity"
    TARGET_REQUIRED = "target_required"
    INVALID_PERIOD = "invalid_period"
    INVALID_WEEKS = "invalid_weeks"
    UNKNOWN_STATUS = "unknown_status"
    NOT_ANSWERED = "not_answered"


C = FarmingErrorCode
messages({
    C.NOT_FOUND: ("Data tidak ditemukan.", "Not found."),
    C.NOT_ALLOWED: ("Anda tidak berwenang mengubah data ini.",
                    "You may not change this record."),
    C.FARMER_NOT_FOUND: ("Petani tidak ditemukan.", "Farmer not found."),
    C.INVALID_NAME: ("Nama harus 1–100 karakter.", "Names must be 1–100 characters."),
    C.INVALID_GEOMETRY: ("Batas lahan bukan poligon GeoJSON yang sah ({reason}).",
                         "The parcel boundary is not a valid GeoJSON polygon ({reason})."),
    C.SELF_INTERSECTING: ("Batas lahan berpotongan dengan dirinya sendiri. Gambar ulang batasnya.",
                          "The parcel boundary crosses itself. Draw it again."),
    C.OUTSIDE_CITY: ("Lahan berada (sebagian) di luar Kota Batu.",
                     "The parcel lies (partly) outside Kota Batu."),
    C.INVALID_COORDINATES: ("Koordinat tidak valid.", "Invalid coordinates."),
    C.LOCATION_REQUIRED: ("Beri batas lahan (poligon) atau titik lokasi dengan luasnya.",
                          "Give the parcel boundary (a polygon) or a point with its area."),
    C.INVALID_AREA: ("Luas harus lebih dari 0 dan paling banyak {max} ha.",
                     "The area must be above 0 and at most {max} ha."),
    C.AREA_MISMATCH: ("Luas {given} ha berbeda lebih dari 20% dari luas poligon ({measured} ha).",
                      "The area {given} ha differs by more than 20% from the polygon's "
                      "({measured} ha)."),
    C.UNKNOWN_COMMODITY: ("Komoditas tidak dikenal: {commodity}.",
                          "Unknown commodity: {commodity}."),
    C.UNIT_NOT_ALLOWED: ("Satuan {unit} tidak dipakai untuk komoditas ini; pilih: {allowed}.",
                         "The unit {unit} is not used for this commodity; pick: {allowed}."),
    C.PLANTING_LARGER_THAN_PARCEL: (
        "Luas tanam {area} ha melebihi luas lahan ({parcel} ha).",
        "The planted area {area} ha is larger than the parcel ({parcel} ha)."),
    C.INVALID_DATES: ("Tanggal panen harus setelah tanggal tanam.",
                      "The expected harvest must come after planting."),
    C.HARVEST_BEFORE_PLANTING: ("Tanggal panen sebelum tanggal tanam ({planted}).",
                                "The harvest date is before the planting ({planted})."),
    C.INVALID_QUANTITY: ("Jumlah harus lebih dari 0.", "The quantity must be above 0."),
    C.INVALID_TEXT: ("Teks tidak valid: {reason}.", "Invalid text: {reason}."),
    C.CLIENT_REQUEST_ID_REQUIRED: ("clientRequestId wajib diisi (8–64 karakter).",
                                   "clientRequestId is required (8–64 characters)."),
    C.IDEMPOTENCY_CONFLICT: (
        "clientRequestId ini sudah dipakai untuk pertanyaan lain.",
        "This clientRequestId was already used for a different question."),
    C.PHOTO_OR_DESCRIPTION_REQUIRED: (
        "Lampirkan foto dan tuliskan penjelasan masalahnya.",
        "Attach a photo and describe the problem."),
    C.DESCRIPTION_REQUIRED: ("Tuliskan penjelasan masalahnya (minimal {min} karakter).",
                             "Describe the problem (at least {min} characters)."),
    C.PHOTO_REQUIRED: ("Lampirkan minimal satu foto.", "Attach at least one photo."),
    C.TOO_MANY_PHOTOS: ("Maksimal {max} foto.", "At most {max} photos."),
    C.PHOTO_NOT_FOUND: ("Foto tidak ditemukan atau bukan milik Anda.",
                        "Photo not found or not yours."),
    C.NO_OFFICER: ("Belum ada penyuluh (PPL) untuk desa {village}; Dinas Pertanian akan menjawab.",
                   "No extension officer covers {village} yet; the Agriculture Office answers."),
    C.OUTSIDE_OFFICER_VILLAGES: ("Desa ini bukan wilayah kerja Anda.",
                                 "This village is not one you cover."),
    C.INVALID_TRANSITION: ("Pertanyaan berstatus {current}; tindakan ini memerlukan {expected}.",
                           "The question is {current} now; this needs {expected}."),
    C.INVALID_RATING: ("Nilai harus 1 sampai 5.", "The rating must be 1 to 5."),
    C.NOT_A_SPECIALIST: ("Pengguna ini bukan petugas Dinas Pertanian.",
                         "This user is not Agriculture Office staff."),
    C.UNKNOWN_VILLAGE: ("Desa tidak dikenal: {codes}.", "Unknown village: {codes}."),
    C.INVALID_HOURS: ("Batas waktu harus 1–720 jam.", "Deadlines must be 1–720 hours."),
    C.INVALID_SEVERITY: ("Tingkat tidak dikenal.", "Unknown severity."),
    C.TARGET_REQUIRED: ("Pilih desa sasaran atau gambar wilayahnya.",
                        "Pick target villages or draw an area."),
    C.INVALID_PERIOD: ("Masa berlaku tidak valid (mulai harus sebelum selesai).",
                       "Invalid validity period (start must come before end)."),
    C.INVALID_WEEKS: ("Jumlah minggu 1–{max}.", "Weeks must be 1–{max}."),
    C.UNKNOWN_STATUS: ("Status tidak dikenal.", "Unknown status."),
    C.NOT_ANSWERED: ("Hanya pertanyaan yang sudah dijawab yang bisa dijadikan artikel.",
                     "Only answered questions can become articles."),
})
