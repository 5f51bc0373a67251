from __future__ import annotations

from backend.errors import ErrorCode, messages


class RegistryErrorCode(ErrorCode):
    NOT_FOUND = "not_found"
    UNKNOWN_VILLAGE = "unknown_village"
    UNKNOWN_COMMODITY = "unknown_commodity"
    COMMODITY_REQUIRED = "commodity_required"
    TOO_MANY_COMMODITIES = "too_many_commodities"
    INVALID_NIK = "invalid_nik"
    NIK_TAKEN = "nik_taken"
    GROUP_NAME_TOO_LONG = "group_name_too_long"
    BUSINESS_NAME_REQUIRED = "business_name_required"
    BUSINESS_NAME_TOO_LONG = "business_name_too_long"
    INVALID_TEXT = "invalid_text"
    ALREADY_VERIFIED = "already_verified"
    NOT_PENDING = "not_pending"
    REASON_REQUIRED = "reason_required"
    REASON_TOO_LONG = "reason_too_long"
    NOT_REVIEWER = "not_reviewer"
    OWN_APPLICATION = "own_application"
    NOT_DISTAN_ADMIN = "not_distan_admin"
    UNKNOWN_USER = "unknown_user"
    FARMER_NOT_VERIFIED = "farmer_not_verified"
    BUYER_NOT_VERIFIED = "buyer_not_verified"
    UNIT_NOT_ALLOWED = "unit_not_allowed"


C = RegistryErrorCode
messages({
    C.NOT_FOUND: ("Data tidak ditemukan.", "Not found."),
    C.UNKNOWN_VILLAGE: ("Desa/kelurahan tidak dikenal: {village}. Pilih salah satu dari 24 desa/"
                        "kelurahan Kota Batu.",
                        "Unknown village: {village}. Pick one of Kota Batu's 24 villages."),
    C.UNKNOWN_COMMODITY: ("Komoditas tidak dikenal: {codes}.", "Unknown commodity: {codes}."),
    C.COMMODITY_REQUIRED: ("Pilih minimal satu komoditas utama.",
                           "Pick at least one main commodity."),
    C.TOO_MANY_COMMODITIES: ("Maksimal {max} komoditas utama.",
                             "At most {max} main commodities."),
    C.INVALID_NIK: ("NIK harus 16 digit angka yang valid.", "A NIK is 16 valid digits."),
    C.NIK_TAKEN: ("NIK ini sudah terdaftar untuk petani lain. Hubungi PPL desa Anda.",
                  "This NIK is already registered for another farmer; ask your village PPL."),
    C.GROUP_NAME_TOO_LONG: ("Nama kelompok tani maksimal {max} karakter.",
                            "The farmer group name may have at most {max} characters."),
    C.BUSINESS_NAME_REQUIRED: ("Isi nama usaha Anda.", "Enter your business name."),
    C.BUSINESS_NAME_TOO_LONG: ("Nama usaha maksimal {max} karakter.",
                               "The business name may have at most {max} characters."),
    C.INVALID_TEXT: ("Teks berisi karakter yang tidak dapat ditampilkan.",
                     "The text contains characters that cannot be shown."),
    C.ALREADY_VERIFIED: ("Anda sudah terverifikasi.", "You are already verified."),
    C.NOT_PENDING: ("Pengajuan ini sudah diputuskan ({status}).",
                    "This application has already been decided ({status})."),
    C.REASON_REQUIRED: ("Tuliskan alasan penolakan agar pemohon bisa memperbaiki.",
                        "Give a reason for declining so the applicant can put it right."),
    C.REASON_TOO_LONG: ("Alasan maksimal {max} karakter.",
                        "The reason may have at most {max} characters."),
    C.NOT_REVIEWER: (
        "Hanya PPL desa pemohon atau admin Dinas Pertanian yang dapat memutuskan pengajuan ini.",
        "Only an extension officer of the applicant's village or a distan admin may decide "
        "this application."),
    C.OWN_APPLICATION: ("Anda tidak dapat memutuskan pengajuan Anda sendiri.",
                        "You cannot decide your own application."),
    C.NOT_DISTAN_ADMIN: ("Hanya admin Dinas Pertanian yang dapat melakukan ini.",
                         "Only a distan admin may do this."),
    C.UNKNOWN_USER: ("Pengguna tidak ditemukan.", "User not found."),
    C.FARMER_NOT_VERIFIED: (
        "Akun petani Anda belum diverifikasi PPL desa atau Dinas Pertanian.",
        "Your farmer account has not been verified by your village PPL or distan yet."),
    C.BUYER_NOT_VERIFIED: ("Akun pembeli Anda belum diverifikasi Dinas Pertanian.",
                           "Your buyer account has not been verified by distan yet."),
    C.UNIT_NOT_ALLOWED: ("Satuan {unit} tidak berlaku untuk {commodity}; pilih: {allowed}.",
                         "{commodity} is not sold by {unit}; use one of: {allowed}."),
})
