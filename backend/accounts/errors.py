from __future__ import annotations

from backend.errors import ErrorCode, messages


class AccountErrorCode(ErrorCode):
    REQUIRED = "required"
    INVALID_NAME = "invalid_name"
    INVALID_PHONE = "invalid_phone"
    INVALID_NIK = "invalid_nik"
    WEAK_PASSWORD = "weak_password"
    PHONE_TAKEN = "phone_taken"
    NIK_TAKEN = "nik_taken"
    INVALID_CREDENTIALS = "invalid_credentials"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    ACCOUNT_DISABLED = "account_disabled"
    INVALID_REFRESH_TOKEN = "invalid_refresh_token"
    REFRESH_TOKEN_REUSED = "refresh_token_reused"
    INVALID_FIREBASE_TOKEN = "invalid_firebase_token"
    FIREBASE_NOT_CONFIGURED = "firebase_not_configured"
    FIREBASE_PHONE_MISSING = "firebase_phone_missing"
    NOT_FOUND = "not_found"
    INVALID_ROLE = "invalid_role"
    SKPD_REQUIRED = "skpd_required"
    SKPD_NOT_ALLOWED = "skpd_not_allowed"
    SKPD_NOT_FOUND = "skpd_not_found"
    INVALID_SKPD_CODE = "invalid_skpd_code"
    SKPD_CODE_TAKEN = "skpd_code_taken"
    ROLE_NOT_HELD = "role_not_held"
    LAST_ADMIN = "last_admin"
    OWN_ACCOUNT = "own_account"
    REAUTHENTICATION_REQUIRED = "reauthentication_required"
    PHONE_NOT_VERIFIED = "phone_not_verified"


C = AccountErrorCode
messages(
    {
        C.REQUIRED: ("Wajib diisi.", "This field is required."),
        C.INVALID_NAME: (
            "Nama harus 2–120 karakter.",
            "Name must be 2–120 characters long.",
        ),
        C.INVALID_PHONE: (
            "Nomor HP tidak valid. Tulis seperti 0812xxxxxxx atau +62812xxxxxxx.",
            "Invalid phone number. Write it like 0812xxxxxxx or +62812xxxxxxx.",
        ),
        C.INVALID_NIK: (
            "NIK harus 16 angka sesuai KTP ({reason}).",
            "The NIK must be the 16 digits on your ID card ({reason}).",
        ),
        C.WEAK_PASSWORD: (
            "Kata sandi minimal 8 karakter dan tidak boleh sama dengan nomor HP atau NIK.",
            "The password needs at least 8 characters and must differ from your phone and NIK.",
        ),
        C.PHONE_TAKEN: (
            "Nomor HP ini sudah terdaftar. Silakan masuk atau atur ulang kata sandi.",
            "This phone number is already registered. Sign in instead.",
        ),
        C.NIK_TAKEN: (
            "NIK ini sudah terdaftar pada akun lain.",
            "This NIK is already registered to another account.",
        ),
        C.INVALID_CREDENTIALS: (
            "Nomor HP/NIK atau kata sandi salah.",
            "Wrong phone number/NIK or password.",
        ),
        C.TOO_MANY_ATTEMPTS: (
            "Terlalu banyak percobaan gagal. Coba lagi dalam {minutes} menit.",
            "Too many failed attempts. Try again in {minutes} minutes.",
        ),
        C.ACCOUNT_DISABLED: (
            "Akun ini dinonaktifkan. Hubungi Diskominfo Kota Batu.",
            "This account is disabled. Contact Diskominfo Kota Batu.",
        ),
        C.INVALID_REFRESH_TOKEN: (
            "Sesi berakhir. Silakan masuk lagi.",
            "Your session has ended. Please sign in again.",
        ),
        C.REFRESH_TOKEN_REUSED: (
            "Sesi ini sudah dipakai di tempat lain dan telah dicabut. Silakan masuk lagi.",
            "This session was already used elsewhere and has been revoked. Sign in again.",
        ),
        C.INVALID_FIREBASE_TOKEN: (
            "Verifikasi nomor HP gagal atau kedaluwarsa. Ulangi verifikasi.",
            "Phone verification failed or expired. Verify again.",
        ),
        C.FIREBASE_NOT_CONFIGURED: (
            "Masuk dengan verifikasi SMS belum tersedia di server ini.",
            "Sign-in by SMS verification is not available on this server.",
        ),
        C.FIREBASE_PHONE_MISSING: (
            "Token verifikasi tidak berisi nomor HP.",
            "The verification token carries no phone number.",
        ),
        C.NOT_FOUND: ("Data tidak ditemukan.", "Not found."),
        C.INVALID_ROLE: ("Peran tidak dikenal.", "Unknown role."),
        C.SKPD_REQUIRED: (
            "Petugas (responder) harus terdaftar pada satu SKPD.",
            "A responder must belong to one SKPD.",
        ),
        C.SKPD_NOT_ALLOWED: (
            "Hanya peran responder yang terikat pada SKPD.",
            "Only the responder role belongs to an SKPD.",
        ),
        C.SKPD_NOT_FOUND: ("SKPD tidak ditemukan.", "No SKPD with that code."),
        C.INVALID_SKPD_CODE: (
            "Kode SKPD hanya huruf kecil, angka dan garis bawah (2–32 karakter).",
            "An SKPD code is 2–32 lowercase letters, digits or underscores.",
        ),
        C.SKPD_CODE_TAKEN: ("Kode SKPD sudah dipakai.", "This SKPD code is already in use."),
        C.ROLE_NOT_HELD: (
            "Pengguna tidak memiliki peran ini.",
            "The user does not hold this role.",
        ),
        C.LAST_ADMIN: (
            "Admin terakhir tidak dapat dicabut.",
            "The last admin cannot be removed.",
        ),
        C.REAUTHENTICATION_REQUIRED: (
            "Demi keamanan, masukkan kata sandi Anda (atau masuk lagi, lalu ulangi dalam "
            "{minutes} menit).",
            "For your security, enter your password (or sign in again and retry within "
            "{minutes} minutes).",
        ),
        C.PHONE_NOT_VERIFIED: (
            "Verifikasi SMS tidak untuk nomor HP baru ini. Verifikasi nomor yang baru.",
            "The SMS verification is not for this new phone number. Verify the new number.",
        ),
        C.OWN_ACCOUNT: (
            "Anda tidak dapat menonaktifkan akun Anda sendiri.",
            "You cannot deactivate your own account.",
        ),
    }
)
