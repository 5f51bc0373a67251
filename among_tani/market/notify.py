"""Who gets a push for which order event: the other party of the order (the farmer for a new
order, the buyer when the farmer answers, either for a message). An after-commit handler
(the manifest's ``handlers``): it runs from the durable log, at least once, and queues into
the outbox keyed by the event, so running it again for the same event never pushes twice."""

from __future__ import annotations

from typing import Any

from among_tani.market.events import MarketEvent
from backend.events.handlers import Handler
from backend.push.services import enqueue_push

E = MarketEvent
# event → (who: "farmer" | "buyer" | "other", Indonesian title, body)
PUSHES: dict[MarketEvent, tuple[str, str, str]] = {
    E.ORDER_PLACED: ("farmer", "Pesanan baru {number}", "Ada pesanan baru senilai Rp {total}. "
                     "Terima atau tolak dalam 24 jam."),
    E.ORDER_ACCEPTED: ("buyer", "Pesanan {number} diterima",
                       "Petani menerima pesanan Anda. Nomor telepon kini terlihat."),
    E.ORDER_DECLINED: ("buyer", "Pesanan {number} ditolak", "Petani menolak pesanan Anda."),
    E.ORDER_READY: ("buyer", "Pesanan {number} siap", "Pesanan Anda siap diambil/dikirim."),
    E.ORDER_PAID: ("buyer", "Pembayaran {number} dicatat", "Petani mencatat pembayaran Anda."),
    E.ORDER_CANCELLED: ("other", "Pesanan {number} dibatalkan", "Pesanan dibatalkan."),
    E.ORDER_EXPIRED: ("both", "Pesanan {number} kedaluwarsa",
                      "Petani tidak menjawab dalam 24 jam; stok dikembalikan."),
    E.ORDER_MESSAGE: ("other", "Pesan baru — {number}", "Ada pesan baru tentang pesanan."),
    E.ORDER_COMPLETED: ("farmer", "Pesanan {number} selesai", "Pembeli mengonfirmasi "
                        "barang sudah diterima."),
}


async def order_event_pushes(event: Any) -> int:
    """Queue the pushes an order event causes, as the order was at the event."""
    try:
        kind = MarketEvent(event.type)
    except ValueError:
        return 0
    if kind not in PUSHES or event.subject_type != "order":
        return 0
    from among_tani.market.models import Order

    parties = await Order.filter(id=event.subject_id).values_list("buyer_id", "farmer_id")
    if not parties:
        return 0
    buyer_id, farmer_id = parties[0]
    who, title, body = PUSHES[kind]
    if who == "other":
        users = [farmer_id if event.actor_id == buyer_id else buyer_id]
    elif who == "both":
        users = [buyer_id, farmer_id]
    else:
        users = [farmer_id if who == "farmer" else buyer_id]
    payload = event.payload
    values = {"number": payload["number"], "total": f"{payload['total']:,}".replace(",", ".")}
    return await enqueue_push(
        users, title=title.format(**values), body=body.format(**values),
        data={"kind": kind.value, "orderId": str(event.subject_id),
              "status": payload["status"]},
        dedupe_key=f"tani-order:{event.id}")


HANDLERS = [Handler("tani_market.order-pushes", tuple(PUSHES), order_event_pushes)]
