"""Ten public services of Kota Batu for the demo — labelled demo: written for illustration
from the kind of standard agencies publish, not the city's official standards."""

from __future__ import annotations

from typing import Any

FREE_ADMINDUK = "UU No. 24 Tahun 2013 tentang Administrasi Kependudukan"


def _t(indonesian: str, english: str | None = None) -> dict[str, str | None]:
    return {"id": indonesian, "en": english}


DEMO_SERVICES: tuple[tuple[str, dict[str, Any]], ...] = (
    ("disdukcapil", {
        "name": _t("Perekaman KTP-el", "Electronic ID card (KTP-el) registration"),
        "requirements": [_t("Berusia 17 tahun atau sudah/pernah menikah",
                            "Aged 17 or married"),
                         _t("Fotokopi Kartu Keluarga", "A copy of the family card")],
        "steps": [_t("Ambil nomor antrean", "Take a queue number"),
                  _t("Perekaman foto, sidik jari dan iris", "Photo, fingerprints and iris"),
                  _t("KTP-el dicetak dan diserahkan", "The card is printed and handed over")],
        "processing_time": _t("1 hari kerja", "1 working day"), "processing_days": 1,
        "cost": 0, "product": _t("KTP-el", "Electronic ID card"),
        "legal_basis": [FREE_ADMINDUK]}),
    ("disdukcapil", {
        "name": _t("Penerbitan Kartu Keluarga", "Family card (Kartu Keluarga)"),
        "requirements": [_t("Surat pengantar RT/RW", "A letter from the RT/RW"),
                         _t("Buku nikah/akta perkawinan", "Marriage certificate")],
        "steps": [_t("Isi formulir F-1.01", "Fill in form F-1.01"),
                  _t("Verifikasi berkas", "Documents checked"),
                  _t("KK dicetak", "The card is printed")],
        "processing_time": _t("1 hari kerja", "1 working day"), "processing_days": 1,
        "cost": 0, "product": _t("Kartu Keluarga", "Family card"),
        "legal_basis": [FREE_ADMINDUK]}),
    ("disdukcapil", {
        "name": _t("Akta Kelahiran", "Birth certificate"),
        "requirements": [_t("Surat keterangan lahir dari rumah sakit/bidan",
                            "Birth letter from the hospital or midwife"),
                         _t("Kartu Keluarga orang tua", "The parents' family card")],
        "steps": [_t("Ajukan permohonan", "Apply"), _t("Verifikasi", "Checked"),
                  _t("Akta diterbitkan", "Certificate issued")],
        "processing_time": _t("1 hari kerja", "1 working day"), "processing_days": 1,
        "cost": 0, "product": _t("Kutipan akta kelahiran", "Birth certificate"),
        "legal_basis": [FREE_ADMINDUK]}),
    ("disdukcapil", {
        "name": _t("Akta Kematian", "Death certificate"),
        "requirements": [_t("Surat keterangan kematian", "A death letter")],
        "steps": [_t("Ajukan permohonan", "Apply"), _t("Akta diterbitkan", "Issued")],
        "processing_time": _t("1 hari kerja", "1 working day"), "processing_days": 1,
        "cost": 0, "product": _t("Akta kematian", "Death certificate"),
        "legal_basis": [FREE_ADMINDUK]}),
    ("disdukcapil", {
        "name": _t("Kartu Identitas Anak (KIA)", "Child identity card (KIA)"),
        "requirements": [_t("Akta kelahiran anak", "The child's birth certificate"),
                         _t("Pas foto anak di atas 5 tahun", "A photo for children over 5")],
        "steps": [_t("Ajukan permohonan", "Apply"), _t("KIA dicetak", "Card printed")],
        "processing_time": _t("1 hari kerja", "1 working day"), "processing_days": 1,
        "cost": 0, "product": _t("KIA", "Child identity card"),
        "legal_basis": ["Permendagri No. 2 Tahun 2016"]}),
    ("disdukcapil", {
        "name": _t("Surat Keterangan Pindah", "Certificate of moving (surat pindah)"),
        "requirements": [_t("KTP-el dan Kartu Keluarga", "ID card and family card")],
        "steps": [_t("Ajukan permohonan", "Apply"), _t("Surat diterbitkan", "Issued")],
        "processing_time": _t("1 hari kerja", "1 working day"), "processing_days": 1,
        "cost": 0, "product": _t("SKPWNI", "Moving certificate"),
        "legal_basis": [FREE_ADMINDUK]}),
    ("dpmptsp", {
        "name": _t("Persetujuan Bangunan Gedung (PBG)", "Building approval (PBG)"),
        "requirements": [_t("Dokumen rencana teknis", "Technical design documents"),
                         _t("Bukti kepemilikan tanah", "Proof of land ownership")],
        "steps": [_t("Ajukan melalui SIMBG", "Apply through SIMBG"),
                  _t("Konsultasi tim profesi ahli", "Review by the expert panel"),
                  _t("Bayar retribusi", "Pay the levy"), _t("PBG terbit", "Approval issued")],
        "processing_time": _t("28 hari kerja", "28 working days"), "processing_days": 28,
        "cost": 0, "cost_note": _t("Retribusi PBG sesuai luas dan fungsi bangunan",
                                   "A levy by the building's area and use"),
        "product": _t("PBG", "Building approval"),
        "legal_basis": ["PP No. 16 Tahun 2021"], "complaint_category_code": "lainnya"}),
    ("dpmptsp", {
        "name": _t("Nomor Induk Berusaha (NIB)", "Business identification number (NIB)"),
        "requirements": [_t("NIK dan NPWP", "NIK and tax number")],
        "steps": [_t("Daftar di OSS", "Register on OSS"), _t("NIB terbit", "NIB issued")],
        "processing_time": _t("Hari yang sama", "The same day"), "processing_days": 0,
        "cost": 0, "product": _t("NIB", "Business number"),
        "legal_basis": ["PP No. 5 Tahun 2021"]}),
    ("dpmptsp", {
        "name": _t("Izin Reklame", "Billboard permit"),
        "requirements": [_t("Desain dan ukuran reklame", "Design and size"),
                         _t("Titik lokasi", "Location")],
        "steps": [_t("Ajukan permohonan", "Apply"), _t("Survei lokasi", "Site survey"),
                  _t("Bayar pajak reklame", "Pay the billboard tax")],
        "processing_time": _t("5 hari kerja", "5 working days"), "processing_days": 5,
        "cost": 150_000, "cost_note": _t("Contoh tarif demo", "A demo fee"),
        "product": _t("Izin reklame", "Billboard permit"),
        "legal_basis": ["Perda Kota Batu tentang Pajak Daerah"],
        "complaint_category_code": "iklan_liar"}),
    ("kesbangpol", {
        "name": _t("Rekomendasi Izin Keramaian", "Public event permit recommendation"),
        "requirements": [_t("Proposal kegiatan", "Event proposal"),
                         _t("Surat pernyataan penanggung jawab", "Organiser's statement")],
        "steps": [_t("Ajukan permohonan", "Apply"), _t("Rekomendasi terbit", "Issued"),
                  _t("Teruskan ke Polres Batu", "Take it to Batu police")],
        "processing_time": _t("3 hari kerja", "3 working days"), "processing_days": 3,
        "cost": 0, "product": _t("Surat rekomendasi", "Recommendation letter"),
        "legal_basis": ["UU No. 9 Tahun 1998"], "complaint_category_code": "kemacetan"}),
)
