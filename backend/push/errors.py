from __future__ import annotations

from backend.errors import ErrorCode, messages


class PushErrorCode(ErrorCode):
    INVALID_DEVICE_TOKEN = "invalid_device_token"


messages(
    {
        PushErrorCode.INVALID_DEVICE_TOKEN: (
            "Token perangkat tidak valid. Kirim token pendaftaran FCM dari aplikasi apa adanya.",
            "Invalid device token. Send the app's FCM registration token as it is.",
        ),
    }
)
