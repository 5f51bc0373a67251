"""Among Kota's error codes, with their messages in Indonesian and English."""

from __future__ import annotations

from backend.errors import ErrorCode, messages


class KotaErrorCode(ErrorCode):
    NOT_FOUND = "not_found"
    NOT_YOUR_SKPD = "not_your_skpd"
    SKPD_REQUIRED = "skpd_required"
    UNKNOWN_SKPD = "unknown_skpd"
    REVISION_NOT_FOUND = "revision_not_found"
    NOTHING_TO_PUBLISH = "nothing_to_publish"
    PUBLISH_AT_IN_PAST = "publish_at_in_past"
    NAME_REQUIRED = "name_required"
    NAME_TOO_LONG = "name_too_long"
    TEXT_TOO_LONG = "text_too_long"
    INVALID_TEXT = "invalid_text"
    INVALID_SLUG = "invalid_slug"
    SLUG_TAKEN = "slug_taken"
    INVALID_COORDINATES = "invalid_coordinates"
    OUTSIDE_MAP = "outside_map"
    UNKNOWN_CATEGORY = "unknown_category"
    CATEGORY_REQUIRED = "category_required"
    INVALID_URL = "invalid_url"
    INVALID_PHONE = "invalid_phone"
    INVALID_TIME = "invalid_time"
    CLOSES_BEFORE_OPENING = "closes_before_opening"
    HOURS_OVERLAP = "hours_overlap"
    INVALID_DATE = "invalid_date"
    DUPLICATE_DATE = "duplicate_date"
    TOO_MANY_ITEMS = "too_many_items"
    NEAR_REQUIRED = "near_required"
    INVALID_RADIUS = "invalid_radius"
    ENDS_BEFORE_START = "ends_before_start"
    INVALID_RANGE = "invalid_range"
    VENUE_REQUIRED = "venue_required"
    INVALID_RECURRENCE = "invalid_recurrence"
    INVALID_PRICE = "invalid_price"
    UNKNOWN_VILLAGE = "unknown_village"
    SCORE_COUNT = "score_count"
    INVALID_SCORE = "invalid_score"
    ALREADY_ANSWERED = "already_answered"
    INVALID_GEOMETRY = "invalid_geometry"
    VALIDITY_ENDS_BEFORE_START = "validity_ends_before_start"
    ALREADY_EXPIRED = "already_expired"
    INVALID_NIB = "invalid_nib"
    INVALID_WHATSAPP = "invalid_whatsapp"
    ALREADY_DECIDED = "already_decided"
    REASON_REQUIRED = "reason_required"
    NOT_YOUR_BUSINESS = "not_your_business"
    LOCATION_REQUIRED = "location_required"
    PHOTO_NOT_FOUND = "photo_not_found"
    CITY_EDITORS_ONLY = "city_editors_only"
    UNKNOWN_COMPLAINT_CATEGORY = "unknown_complaint_category"


C = KotaErrorCode
messages({
    C.NOT_FOUND: ("Data tidak ditemukan.", "Not found."),
    C.NOT_YOUR_SKPD: (
        "Anda hanya dapat menyunting konten SKPD Anda ({skpd}).",
        "You may edit only your own SKPD's content ({skpd})."),
    C.SKPD_REQUIRED: ("Pilih SKPD pemilik konten ini (skpdCode).",
                      "Name the SKPD that owns this content (skpdCode)."),
    C.UNKNOWN_SKPD: ("SKPD tidak dikenal: {skpd}.", "Unknown SKPD: {skpd}."),
    C.REVISION_NOT_FOUND: ("Revisi {number} tidak ada.", "There is no revision {number}."),
    C.NOTHING_TO_PUBLISH: ("Tidak ada perubahan untuk diterbitkan.",
                           "There are no changes to publish."),
    C.PUBLISH_AT_IN_PAST: ("Waktu terbit harus di masa depan; kosongkan untuk terbit sekarang.",
                           "The publishing time must be in the future; leave it out to publish "
                           "now."),
    C.NAME_REQUIRED: ("Nama (bahasa Indonesia) wajib diisi.", "A name in Indonesian is required."),
    C.NAME_TOO_LONG: ("Nama maksimal {max} karakter.", "Names may have at most {max} characters."),
    C.TEXT_TOO_LONG: ("Teks maksimal {max} karakter.", "The text may have at most {max} "
                      "characters."),
    C.INVALID_TEXT: ("Teks berisi karakter kontrol; hapus lalu kirim lagi.",
                     "The text contains control characters; remove them and send it again."),
    C.INVALID_SLUG: ("Slug hanya huruf kecil, angka dan tanda hubung (2–80 karakter).",
                     "A slug is lower-case letters, digits and hyphens (2–80 characters)."),
    C.SLUG_TAKEN: ("Slug sudah dipakai tempat lain.", "This slug is already used elsewhere."),
    C.INVALID_COORDINATES: ("Koordinat tidak valid.", "Invalid coordinates."),
    C.OUTSIDE_MAP: (
        "Titik berada di luar peta Kota Batu (lintang {south}…{north}, bujur {west}…{east}).",
        "The point is outside the map of Kota Batu (lat {south}…{north}, lon {west}…{east})."),
    C.UNKNOWN_CATEGORY: ("Kategori tidak dikenal: {codes}.", "Unknown category: {codes}."),
    C.CATEGORY_REQUIRED: ("Pilih minimal satu kategori.", "Pick at least one category."),
    C.INVALID_URL: ("Alamat web harus diawali http:// atau https://.",
                    "A website address must start with http:// or https://."),
    C.INVALID_PHONE: ("Nomor telepon tidak valid.", "Invalid phone number."),
    C.INVALID_TIME: ("Jam harus berbentuk HH:MM (00:00–24:00).",
                     "Times are HH:MM (00:00–24:00)."),
    C.CLOSES_BEFORE_OPENING: ("Jam tutup harus setelah jam buka ({detail}).",
                              "Closing time must be after opening time ({detail})."),
    C.HOURS_OVERLAP: ("Jam buka saling tumpang tindih ({detail}).",
                      "Opening hours overlap ({detail})."),
    C.INVALID_DATE: ("Tanggal harus berbentuk YYYY-MM-DD.", "Dates are YYYY-MM-DD."),
    C.DUPLICATE_DATE: ("Tanggal {date} tercantum dua kali.", "The date {date} is given twice."),
    C.TOO_MANY_ITEMS: ("Terlalu banyak isian (maksimal {max}).", "Too many entries (at most "
                       "{max})."),
    C.NEAR_REQUIRED: ("Urutan berdasarkan jarak memerlukan titik `near`.",
                      "Sorting by distance needs a `near` point."),
    C.INVALID_RADIUS: ("Radius harus antara 0 dan {max} km.",
                       "The radius must be between 0 and {max} km."),
    C.ENDS_BEFORE_START: ("Acara harus berakhir setelah dimulai.",
                          "An event must end after it starts."),
    C.INVALID_RANGE: ("Rentang waktu tidak valid (maksimal {days} hari, `to` setelah `from`).",
                      "Invalid time range (at most {days} days, `to` after `from`)."),
    C.VENUE_REQUIRED: ("Pilih tempat (placeId) atau titik lokasi acara (lat, lon).",
                       "Give the event's venue: a place (placeId) or a point (lat, lon)."),
    C.SCORE_COUNT: ("Isi kesembilan unsur survei, berurutan ({count} diterima).",
                    "Give all nine elements of the survey, in order ({count} received)."),
    C.INVALID_SCORE: ("Nilai tiap unsur 1 sampai 4.", "Each element is scored 1 to 4."),
    C.ALREADY_ANSWERED: (
        "Anda sudah mengisi survei layanan ini bulan ini; terima kasih.",
        "You have already answered the survey for this service this month; thank you."),
    C.UNKNOWN_VILLAGE: ("Desa/kelurahan tidak dikenal: {codes}.",
                        "Unknown village: {codes}."),
    C.INVALID_PRICE: ("Harga harus bilangan bulat Rupiah 0…{max}.",
                      "A price is whole Rupiah, 0…{max}."),
    C.INVALID_RECURRENCE: ("Pengulangan tidak valid: {detail}.", "Invalid recurrence: {detail}."),
    C.INVALID_GEOMETRY: ("Geometri tidak valid: {detail}.", "Invalid geometry: {detail}."),
    C.VALIDITY_ENDS_BEFORE_START: ("Masa berlaku harus berakhir setelah dimulai.",
                                   "The validity must end after it starts."),
    C.ALREADY_EXPIRED: ("Masa berlaku sudah lewat; isi `validUntil` di masa depan.",
                        "The validity has already ended; give a `validUntil` in the future."),
    C.INVALID_NIB: ("NIB (Nomor Induk Berusaha) terdiri atas 13 angka.",
                    "An NIB (business identification number) is 13 digits."),
    C.INVALID_WHATSAPP: ("Nomor WhatsApp tidak valid; tulis seperti 0812xxxxxxx atau "
                         "+62812xxxxxxx.",
                         "Invalid WhatsApp number; write it like 0812xxxxxxx or +62812xxxxxxx."),
    C.ALREADY_DECIDED: ("Permohonan ini sudah diputuskan ({status}).",
                        "This application has already been decided ({status})."),
    C.REASON_REQUIRED: ("Tuliskan alasan penolakan untuk pemohon.",
                        "Write the reason for declining, for the applicant."),
    C.NOT_YOUR_BUSINESS: ("Hanya pemilik usaha yang dapat mengubah permohonan ini.",
                          "Only the business's owner may change this application."),
    C.PHOTO_NOT_FOUND: ("Foto tidak ditemukan; unggah dulu dengan uploadPhoto.",
                        "Photo not found; upload it first with uploadPhoto."),
    C.LOCATION_REQUIRED: ("Pilih tempat (placeId) atau titik lokasi usaha (lat, lon).",
                          "Give the business's location: a place (placeId) or a point "
                          "(lat, lon)."),
    C.CITY_EDITORS_ONLY: ("Hanya admin dan editor Diskominfo yang dapat mengubah ini.",
                          "Only admins and Diskominfo editors may change this."),
    C.UNKNOWN_COMPLAINT_CATEGORY: (
        "Kategori pengaduan Among Warga tidak dikenal: {category}.",
        "Unknown Among Warga complaint category: {category}."),
})
