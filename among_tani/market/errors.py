from __future__ import annotations

from backend.errors import ErrorCode, messages


class MarketErrorCode(ErrorCode):
    NOT_FOUND = "not_found"
    FARMER_NOT_VERIFIED = "farmer_not_verified"
    BUYER_NOT_VERIFIED = "buyer_not_verified"
    UNKNOWN_COMMODITY = "unknown_commodity"
    UNIT_NOT_ALLOWED = "unit_not_allowed"
    INVALID_PRICE = "invalid_price"
    INVALID_QUANTITY = "invalid_quantity"
    QUANTITY_BELOW_MINIMUM = "quantity_below_minimum"
    INVALID_MIN_ORDER = "invalid_min_order"
    INVALID_DATES = "invalid_dates"
    INVALID_COORDINATES = "invalid_coordinates"
    OUTSIDE_CITY = "outside_city"
    FULFILMENT_REQUIRED = "fulfilment_required"
    INVALID_DELIVERY = "invalid_delivery"
    PHOTO_REQUIRED = "photo_required"
    TOO_MANY_PHOTOS = "too_many_photos"
    PHOTO_NOT_FOUND = "photo_not_found"
    TEXT_TOO_LONG = "text_too_long"
    INVALID_TEXT = "invalid_text"
    NOT_YOUR_LISTING = "not_your_listing"
    INVALID_TRANSITION = "invalid_transition"
    CLIENT_REQUEST_ID_REQUIRED = "client_request_id_required"
    IDEMPOTENCY_CONFLICT = "idempotency_conflict"
    LINES_REQUIRED = "lines_required"
    TOO_MANY_LINES = "too_many_lines"
    OWN_LISTING = "own_listing"
    LISTING_NOT_AVAILABLE = "listing_not_available"
    ONE_FARMER_PER_ORDER = "one_farmer_per_order"
    INSUFFICIENT_STOCK = "insufficient_stock"
    FULFILMENT_NOT_OFFERED = "fulfilment_not_offered"
    DELIVERY_POINT_REQUIRED = "delivery_point_required"
    OUTSIDE_DELIVERY_RADIUS = "outside_delivery_radius"
    NOT_YOUR_ORDER = "not_your_order"
    REASON_REQUIRED = "reason_required"
    ALREADY_PAID = "already_paid"
    MESSAGE_REQUIRED = "message_required"
    INVALID_RATING = "invalid_rating"
    ALREADY_RATED = "already_rated"
    UNKNOWN_MARKET = "unknown_market"
    NOT_PRICE_OFFICER = "not_price_officer"
    INVALID_RADIUS = "invalid_radius"


C = MarketErrorCode
messages({
    C.NOT_FOUND: ("Tidak ditemukan.", "Not found."),
    C.FARMER_NOT_VERIFIED: (
        "Akun petani Anda belum diverifikasi PPL desa atau Dinas Pertanian.",
        "Your farmer account has not been verified by your village PPL or distan yet."),
    C.BUYER_NOT_VERIFIED: ("Akun pembeli Anda belum diverifikasi Dinas Pertanian.",
                           "Your buyer account has not been verified by distan yet."),
    C.UNKNOWN_COMMODITY: ("Komoditas tidak dikenal: {codes}.", "Unknown commodity: {codes}."),
    C.UNIT_NOT_ALLOWED: ("Satuan {unit} tidak berlaku untuk {commodity}; pilih: {allowed}.",
                         "{commodity} is not sold by {unit}; use one of: {allowed}."),
    C.INVALID_PRICE: ("Harga harus antara Rp 1 dan Rp {max}.",
                      "The price must be between Rp 1 and Rp {max}."),
    C.INVALID_QUANTITY: ("Jumlah harus lebih dari 0 dan paling banyak {max}.",
                         "The quantity must be above 0 and at most {max}."),
    C.QUANTITY_BELOW_MINIMUM: ("Pesanan minimal {min} {unit}.",
                               "The minimum order is {min} {unit}."),
    C.INVALID_MIN_ORDER: ("Minimal pesanan harus lebih dari 0 dan tidak melebihi jumlah stok.",
                          "The minimum order must be above 0 and not above the quantity."),
    C.INVALID_DATES: ("Tanggal tidak masuk akal: {reason}.", "Dates do not fit: {reason}."),
    C.INVALID_COORDINATES: ("Lokasi tidak valid.", "Invalid location."),
    C.OUTSIDE_CITY: ("Titik ambil harus berada di Kota Batu.",
                     "The pickup point must lie in Kota Batu."),
    C.FULFILMENT_REQUIRED: ("Pilih minimal satu cara pengambilan/pengiriman.",
                            "Pick at least one way to hand over the goods."),
    C.INVALID_DELIVERY: ("Untuk antar sendiri isi jarak (1–{max} km) dan ongkos kirim.",
                         "For delivery give a radius (1–{max} km) and a fee."),
    C.PHOTO_REQUIRED: ("Lampirkan minimal satu foto.", "Attach at least one photo."),
    C.TOO_MANY_PHOTOS: ("Maksimal {max} foto.", "At most {max} photos."),
    C.PHOTO_NOT_FOUND: ("Foto tidak ditemukan atau bukan milik Anda.",
                        "Photo not found or not yours."),
    C.TEXT_TOO_LONG: ("Teks maksimal {max} karakter.", "At most {max} characters."),
    C.INVALID_TEXT: ("Teks berisi karakter yang tidak dapat ditampilkan.",
                     "The text contains characters that cannot be shown."),
    C.NOT_YOUR_LISTING: ("Ini bukan lapak Anda.", "This is not your listing."),
    C.INVALID_TRANSITION: ("Status sekarang {current}; tindakan ini perlu {expected}.",
                           "It is {current} now; this needs {expected}."),
    C.CLIENT_REQUEST_ID_REQUIRED: ("clientRequestId wajib diisi (8–64 karakter).",
                                   "clientRequestId is required (8–64 characters)."),
    C.IDEMPOTENCY_CONFLICT: (
        "clientRequestId ini sudah dipakai untuk pesanan lain. Buat id baru.",
        "This clientRequestId was already used for a different order; use a new id."),
    C.LINES_REQUIRED: ("Pesanan harus berisi minimal satu barang.",
                       "An order needs at least one line."),
    C.TOO_MANY_LINES: ("Maksimal {max} barang per pesanan.", "At most {max} lines per order."),
    C.OWN_LISTING: ("Anda tidak dapat membeli dagangan sendiri.",
                    "You cannot order your own listing."),
    C.LISTING_NOT_AVAILABLE: ("Lapak ini sedang tidak dijual ({status}).",
                              "This listing is not for sale now ({status})."),
    C.ONE_FARMER_PER_ORDER: ("Satu pesanan hanya dari satu petani; pisahkan pesanannya.",
                             "One order is from one farmer; place separate orders."),
    C.INSUFFICIENT_STOCK: ("Stok tidak cukup: tersisa {available} {unit}.",
                           "Not enough left: {available} {unit} available."),
    C.FULFILMENT_NOT_OFFERED: ("Petani tidak menawarkan cara ini: {fulfilment}.",
                               "The farmer does not offer {fulfilment}."),
    C.DELIVERY_POINT_REQUIRED: ("Isi titik pengantaran.", "Give the delivery point."),
    C.OUTSIDE_DELIVERY_RADIUS: ("Titik pengantaran di luar jangkauan antar petani ({km} km).",
                                "The delivery point is beyond the farmer's {km} km."),
    C.NOT_YOUR_ORDER: ("Ini bukan pesanan Anda.", "This is not your order."),
    C.REASON_REQUIRED: ("Tuliskan alasannya.", "Give a reason."),
    C.ALREADY_PAID: ("Pembayaran sudah dicatat.", "The payment is already recorded."),
    C.MESSAGE_REQUIRED: ("Tulis pesannya.", "Write the message."),
    C.INVALID_RATING: ("Nilai 1 sampai 5.", "A rating is 1 to 5."),
    C.ALREADY_RATED: ("Pesanan ini sudah dinilai.", "This order is already rated."),
    C.UNKNOWN_MARKET: ("Pasar tidak dikenal: {market}.", "Unknown market: {market}."),
    C.NOT_PRICE_OFFICER: ("Hanya petugas harga Dinas Pertanian.",
                          "Only distan price officers may do this."),
    C.INVALID_RADIUS: ("Radius 0,1 sampai {max} km.", "The radius is 0.1 to {max} km."),
})
